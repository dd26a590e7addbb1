/** Idle time on an X11 desktop from `xprintidle`, which reads the XScreenSaver extension's idle counter. */
import { runOrThrow } from '../devices/platform-command';
import type { CommandRunner } from '../util/command-runner';
import type { IdleSource } from './idle-source';

export const XPRINTIDLE = 'xprintidle';

/** xprintidle prints the milliseconds since the last keyboard or mouse input, on one line. */
export function parseXprintidle(stdout: string): number {
  const text = stdout.trim();
  if (!/^\d+$/.test(text)) throw new Error(`xprintidle printed ${JSON.stringify(text.slice(0, 80))}, not a number of milliseconds`);
  return Number(text);
}

export interface X11IdleSourceOptions {
  run: CommandRunner;
  /** The session's environment: xprintidle finds the display in DISPLAY and XAUTHORITY. */
  env: NodeJS.ProcessEnv;
}

/**
 * The X server's own count, exact to the millisecond, for whoever can open the display: the
 * user's session (`portcullis idle run`, the tray). xprintidle finds the display in the
 * environment it is given (DISPLAY, XAUTHORITY). Under
 * Wayland, XWayland counts only input to X11 windows (slgobinath/safeeyes#286), so
 * `chooseIdleSource('auto')` does not pick this there.
 */
export class X11IdleSource implements IdleSource {
  readonly name = 'x11' as const;
  constructor(private readonly options: X11IdleSourceOptions) {}

  /** Rejects with `xprintidle failed (exit 1): couldn't open display` and the like. */
  async idleMs(): Promise<number> {
    return parseXprintidle(await runOrThrow(this.options.run, XPRINTIDLE, [], { env: this.options.env }));
  }
}
