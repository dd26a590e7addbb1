/** Idle time on a Mac: IOKit's HIDIdleTime (nanoseconds since the last input), read with `ioreg`. */
import { runOrThrow } from '../devices/platform-command';
import type { CommandRunner } from '../util/command-runner';
import type { IdleSource } from './idle-source';

export const IOREG = 'ioreg';
/** IOHIDSystem's subtree, four levels deep, properties only of objects that have HIDIdleTime. */
export const IOREG_ARGS: readonly string[] = ['-c', 'IOHIDSystem', '-d', '4', '-r', '-k', 'HIDIdleTime'];

/**
 * The first `"HIDIdleTime" = <nanoseconds>` line, as milliseconds. IOHIDSystem is the root of
 * what `-r` prints, so its value comes first; user clients below it do not carry the key.
 */
export function parseHidIdleTime(stdout: string): number {
  const match = /"HIDIdleTime"\s*=\s*(\S+)/.exec(stdout);
  if (!match) throw new Error(`${IOREG} ${IOREG_ARGS.join(' ')} printed no HIDIdleTime`);
  const value = match[1] ?? '';
  if (!/^\d+$/.test(value)) throw new Error(`${IOREG}: HIDIdleTime = ${value} is not a number of nanoseconds`);
  return Math.floor(Number(value) / 1e6);
}

export interface IoregIdleSourceOptions {
  run: CommandRunner;
}

/**
 * HIDIdleTime is system-wide (the console's keyboard and mouse), not per user: it is right for a
 * school Mac with one person at it, and readable both from the user's session and from root.
 * No lock state: `lockedHint` is not offered.
 */
export class IoregIdleSource implements IdleSource {
  readonly name = 'ioreg' as const;
  private readonly run: CommandRunner;

  constructor(options: IoregIdleSourceOptions) {
    this.run = options.run;
  }

  async idleMs(): Promise<number> {
    return parseHidIdleTime(await runOrThrow(this.run, IOREG, IOREG_ARGS));
  }
}
