/** A CommandRunner for tests: answers each call with a recorded output and keeps the exact argv of every call. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CommandOutput, CommandRunner } from '../../src/util/command-runner';

export interface RecordedCall {
  program: string;
  args: string[];
}

export type RecordedAnswer = Partial<CommandOutput>;

/** A recorded output under test/fixtures, as bytes become text (line endings kept). */
export function fixtureText(...path: string[]): string {
  return readFileSync(join(__dirname, '..', 'fixtures', ...path), 'utf8');
}

/**
 * Answers calls with `answer(call)`; a call it has no answer for fails the test, so a command the
 * code was not expected to run cannot pass unnoticed.
 */
export function recordedRunner(answer: (call: RecordedCall, index: number) => RecordedAnswer | undefined): { run: CommandRunner; calls: RecordedCall[] } {
  const calls: RecordedCall[] = [];
  const run: CommandRunner = async (program, args) => {
    const call = { program, args: [...args] };
    calls.push(call);
    const output = answer(call, calls.length - 1);
    if (!output) throw new Error(`unexpected command: ${[program, ...args].join(' ')}`);
    return { exitCode: output.exitCode ?? 0, stdout: output.stdout ?? '', stderr: output.stderr ?? '' };
  };
  return { run, calls };
}
