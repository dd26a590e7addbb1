/** Debian's usbguard-rule-parser, the reference the rule parser is tested against. */
import { spawnSync } from 'node:child_process';

export const ORACLE = 'usbguard-rule-parser';

/** What the oracle made of one rule: its canonical text, or a refusal. */
export type OracleVerdict = { accepted: true; canonical: string } | { accepted: false; message: string };

export function oracleInstalled(): boolean {
  const probe = spawnSync(ORACLE, ['allow'], { encoding: 'utf8' });
  return probe.status === 0;
}

/** Runs the oracle on `rule` (which must not contain NUL or newline characters). */
export function runOracle(rule: string): OracleVerdict {
  const result = spawnSync(ORACLE, [rule], { encoding: 'utf8' });
  if (result.status !== 0) return { accepted: false, message: `${result.stdout}${result.stderr}`.trim() };
  const output = /^OUTPUT: (.*)$/m.exec(result.stdout);
  if (!output) throw new Error(`${ORACLE} printed no OUTPUT line for ${JSON.stringify(rule)}: ${result.stdout}`);
  return { accepted: true, canonical: output[1] ?? '' };
}
