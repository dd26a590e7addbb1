/** `npm run bench`: runs every benchmark and prints a table with ratios. */
import { textTable } from '../src/util/text-table';
import { runDecisionBench } from './decision-bench';

function formatRate(perSecond: number): string {
  return Math.round(perSecond).toLocaleString('en-GB');
}

function main(): void {
  const budgetMs = Number(process.env.BENCH_MS ?? 1000);
  console.log('Policy decisions (one core; half approved devices, half unknown ones)\n');
  const rows = runDecisionBench([10, 1_000, 10_000, 100_000], budgetMs);
  const base = rows[0]?.indexPerSecond ?? 1;
  const table = textTable(
    ['rules', 'index decisions/s', 'scan decisions/s', 'index/scan', 'ns/decision', 'cost vs 10 rules'],
    rows.map((r) => [
      r.rules.toLocaleString('en-GB'),
      formatRate(r.indexPerSecond),
      formatRate(r.scanPerSecond),
      `${(r.indexPerSecond / r.scanPerSecond).toFixed(1)}x`,
      (1e9 / r.indexPerSecond).toFixed(0),
      `${(base / r.indexPerSecond).toFixed(2)}x`,
    ]),
    ['right', 'right', 'right', 'right', 'right', 'right'],
  );
  console.log(table);
  const at10k = rows.find((r) => r.rules === 10_000);
  if (at10k) console.log(`Target: >= 500,000 decisions/s at 10,000 rules: ${at10k.indexPerSecond >= 500_000 ? 'met' : 'NOT met'} (${formatRate(at10k.indexPerSecond)}).`);
}

main();
