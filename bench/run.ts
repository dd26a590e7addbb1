/** `npm run bench`: runs every benchmark and prints a table with ratios. */
import { textTable } from '../src/util/text-table';
import { printApprovalBench } from './approval-bench';
import { runDecisionBench } from './decision-bench';
import { runPushBench } from './push-bench';
import { controllerCpuPerHourMs, measureLockAccuracy, xprintidleCpuPerReadingMs } from './idle-bench';
import { median } from './vm/stats';

function formatRate(perSecond: number): string {
  return Math.round(perSecond).toLocaleString('en-GB');
}

function decisions(): void {
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

const ms = (value: number): string => value.toFixed(1);

/** Lock accuracy on a real X server (Xvfb, xdotool, xprintidle) and the CPU an hour of watching costs. */
async function idleLocking(): Promise<void> {
  const rounds = Number(process.env.BENCH_IDLE_ROUNDS ?? 10);
  console.log(`\nIdle lock accuracy: lock time minus configured time (lock after 3 s), ${rounds} locks on a real X server\n`);
  const accuracy = await measureLockAccuracy(rounds);
  const row = (what: string, late: number[]): string[] => {
    const worst = Math.max(...late.map(Math.abs));
    return [what, ms(median(late)), ms(Math.min(...late)), ms(Math.max(...late)), `${(worst / 1000).toFixed(2)}x`];
  };
  console.log(
    textTable(
      ['measured by', 'median ms', 'earliest ms', 'latest ms', 'worst / 1 s target'],
      [row('wall clock (input to lock)', accuracy.wallLateMs), row("X server's idle counter at the lock", accuracy.serverLateMs)],
      ['left', 'right', 'right', 'right', 'right'],
    ),
  );
  const controllerMs = await controllerCpuPerHourMs();
  const readingMs = await xprintidleCpuPerReadingMs(50);
  const hourMs = 3_600_000;
  console.log('\nCPU for one hour of watching an idle session (a reading a second)\n');
  console.log(
    textTable(
      ['part', 'CPU ms per hour', 'share of one core'],
      [
        ['controller and runner', ms(controllerMs), `${((controllerMs / hourMs) * 100).toFixed(4)}%`],
        ['xprintidle, 3,600 readings', ms(readingMs * 3600), `${(((readingMs * 3600) / hourMs) * 100).toFixed(3)}%`],
        ['together', ms(controllerMs + readingMs * 3600), `${(((controllerMs + readingMs * 3600) / hourMs) * 100).toFixed(3)}%`],
      ],
      ['left', 'right', 'right'],
    ),
  );
}

async function main(): Promise<void> {
  decisions();
  await idleLocking();
  await runPushBench();
  await printApprovalBench();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
