/** Idle time and lock state of a systemd-logind session, from `loginctl show-session` (coarse: see below). */
import { runOrThrow } from '../devices/platform-command';
import type { CommandRunner } from '../util/command-runner';
import type { IdleSource } from './idle-source';

export const LOGINCTL = 'loginctl';
const SESSION_PROPERTIES = ['IdleHint', 'IdleSinceHint', 'IdleSinceHintMonotonic', 'LockedHint'] as const;

/** `KEY=value` lines, as `loginctl show-session -p ...` and `show-user -p ...` print them. */
export function parseLoginctlProperties(stdout: string): Map<string, string> {
  return new Map(
    stdout.split(/\r?\n/).flatMap((line) => {
      const at = line.indexOf('=');
      return at > 0 ? [[line.slice(0, at), line.slice(at + 1)] as [string, string]] : [];
    }),
  );
}

export interface LogindSessionState {
  idle: boolean;
  /** Microseconds since the epoch (CLOCK_REALTIME) when the idle hint was last set; 0 when never. */
  idleSinceUs: number;
  /** undefined where logind is older than LockedHint (systemd 230). */
  locked: boolean | undefined;
}

function yesNo(value: string | undefined, property: string): boolean | undefined {
  if (value === undefined) return undefined;
  if (value === 'yes') return true;
  if (value === 'no') return false;
  throw new Error(`loginctl show-session: ${property}=${value} is neither yes nor no`);
}

export function parseSessionState(stdout: string): LogindSessionState {
  const properties = parseLoginctlProperties(stdout);
  const idle = yesNo(properties.get('IdleHint'), 'IdleHint');
  if (idle === undefined) throw new Error('loginctl show-session printed no IdleHint');
  const since = properties.get('IdleSinceHint') ?? '0';
  if (!/^\d+$/.test(since)) throw new Error(`loginctl show-session: IdleSinceHint=${since} is not microseconds`);
  return { idle, idleSinceUs: Number(since), locked: yesNo(properties.get('LockedHint'), 'LockedHint') };
}

/** IdleHint=no is 0; IdleHint=yes is the time since IdleSinceHint (never negative, should the clock step back). */
export function logindIdleMs(state: LogindSessionState, nowMs: number): number {
  if (!state.idle) return 0;
  if (state.idleSinceUs === 0) throw new Error('loginctl show-session: IdleHint=yes without an IdleSinceHint');
  return Math.max(0, nowMs - Math.floor(state.idleSinceUs / 1000));
}

export interface LogindIdleSourceOptions {
  run: CommandRunner;
  env: NodeJS.ProcessEnv;
  /** The session to watch; else $XDG_SESSION_ID; else `user`'s display session. */
  sessionId?: string;
  user?: string;
  now?: () => number;
}

/**
 * logind's idle hint is coarse. For a graphical session logind only repeats what the desktop
 * tells it (`SetIdleHint`): GNOME sets it when its own idle delay has passed (5 minutes by
 * default), and some desktops never set it, leaving IdleHint=no for ever. For a text console
 * logind reads the tty's access time and says idle only past its threshold. So this source can
 * say "idle for at least N minutes" but not "idle for 40 seconds"; it is the fallback for when
 * X11 cannot be read (Wayland, the root service), and its LockedHint is worth having anyway.
 */
export class LogindIdleSource implements IdleSource {
  readonly name = 'logind' as const;
  private readonly options: LogindIdleSourceOptions;
  private readonly now: () => number;

  constructor(options: LogindIdleSourceOptions) {
    this.options = options;
    this.now = options.now ?? Date.now;
  }

  /** The session id: given, inherited from the session we run in, or the user's display session. */
  async sessionId(): Promise<string> {
    const known = this.options.sessionId ?? this.options.env.XDG_SESSION_ID;
    if (known) return known;
    const user = this.options.user;
    if (!user) throw new Error('logind: no session to watch (no session id given, XDG_SESSION_ID is not set and no user was named)');
    const display = parseLoginctlProperties(await runOrThrow(this.options.run, LOGINCTL, ['show-user', user, '-p', 'Display'])).get('Display');
    if (!display) throw new Error(`logind: ${user} has no session with a display (loginctl show-user ${user} -p Display is empty)`);
    return display;
  }

  async state(): Promise<LogindSessionState> {
    const id = await this.sessionId();
    const args = ['show-session', id, ...SESSION_PROPERTIES.flatMap((p) => ['-p', p])];
    return parseSessionState(await runOrThrow(this.options.run, LOGINCTL, args));
  }

  async idleMs(): Promise<number> {
    return logindIdleMs(await this.state(), this.now());
  }

  /** logind's LockedHint, which the desktop's screen locker sets and clears. */
  async lockedHint(): Promise<boolean | undefined> {
    return (await this.state()).locked;
  }
}

/** Whether logind answers at all: `loginctl list-sessions` fails where systemd is not running. */
export async function probeLogind(run: CommandRunner): Promise<void> {
  await runOrThrow(run, LOGINCTL, ['list-sessions', '--no-legend']);
}
