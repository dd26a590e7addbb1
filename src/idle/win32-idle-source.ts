/** Idle time of a Windows session as `quser` reports it (whole minutes), for the SYSTEM service. */
import type { CommandRunner } from '../util/command-runner';
import type { IdleSource } from './idle-source';

export const QUSER = 'quser.exe';
const MINUTE_MS = 60_000;

/** One row of `quser`: USERNAME SESSIONNAME ID STATE IDLE TIME LOGON TIME. */
export interface QuserSession {
  user: string;
  /** Empty for a disconnected session. */
  sessionName: string;
  id: string;
  /** `Active` or `Disc` (English Windows). */
  state: string;
  idle: string;
  logonTime: string;
  /** quser marks the session it runs in with `>`; the service runs in session 0, which is never listed. */
  current: boolean;
}

/**
 * Columns are separated by two or more spaces (a user name or a logon time holds single spaces);
 * a disconnected session has no session name, so its row has one field fewer.
 */
export function parseQuser(stdout: string): QuserSession[] {
  const rows: QuserSession[] = [];
  for (const line of stdout.split(/\r?\n/).slice(1)) {
    if (line.trim() === '') continue;
    const fields = line.slice(1).trim().split(/\s{2,}/);
    const named = fields.length === 6;
    if (!named && fields.length !== 5) continue;
    const [user = '', sessionName = '', id = '', state = '', idle = '', logonTime = ''] = named ? fields : [fields[0], '', ...fields.slice(1)];
    if (!/^\d+$/.test(id)) continue;
    rows.push({ user, sessionName, id, state, idle, logonTime, current: line.startsWith('>') });
  }
  return rows;
}

/**
 * quser's IDLE TIME: `.` under a minute, `5` minutes, `1:05` hours:minutes, `2+03:04`
 * days+hours:minutes. `none` means Windows keeps no last-input time for the session, which is
 * what the physical console often shows (PSAppDeployToolkit#1680 found WTS idle times for the
 * console unreliable): it is read as 0, so this source never locks a console session on its own
 * and the tray's reading (`callbackIdleSource`) has to. Minutes are the resolution throughout.
 */
export function quserIdleMs(idle: string): number {
  if (idle === '.' || idle === 'none') return 0;
  const match = /^(?:(\d+)\+)?(?:(\d+):)?(\d+)$/.exec(idle);
  if (!match || (match[1] !== undefined && match[2] === undefined)) throw new Error(`quser: cannot read the idle time ${JSON.stringify(idle)}`);
  const [days, hours, minutes] = [match[1], match[2], match[3]].map((n) => Number(n ?? 0)) as [number, number, number];
  return ((days * 24 + hours) * 60 + minutes) * MINUTE_MS;
}

/** quser names users without their domain (`SCHOOL\jsmith` is `jsmith`), in any case. */
function sameUser(listed: string, wanted: string): boolean {
  const bare = wanted.includes('\\') ? wanted.slice(wanted.lastIndexOf('\\') + 1) : wanted;
  return listed.toLowerCase() === bare.toLowerCase();
}

/** The session with `sessionId`, else the user's (their active one first), else the one quser runs in, else the only active one. */
export function pickQuserSession(sessions: readonly QuserSession[], wanted: { sessionId?: string; user?: string }): QuserSession {
  const listed = sessions.map((s) => `${s.id} ${s.user} ${s.state}`).join(', ') || 'none';
  if (wanted.sessionId !== undefined) {
    const found = sessions.find((s) => s.id === wanted.sessionId);
    if (!found) throw new Error(`quser: no session ${wanted.sessionId} (sessions: ${listed})`);
    return found;
  }
  if (wanted.user !== undefined) {
    const user = wanted.user;
    const theirs = sessions.filter((s) => sameUser(s.user, user));
    const found = theirs.find((s) => s.state === 'Active') ?? theirs[0];
    if (!found) throw new Error(`quser: ${user} has no session (sessions: ${listed})`);
    return found;
  }
  const current = sessions.find((s) => s.current);
  if (current) return current;
  const active = sessions.filter((s) => s.state === 'Active');
  if (active.length === 1 && active[0]) return active[0];
  throw new Error(`quser: cannot tell which session to watch without a session id or user (sessions: ${listed})`);
}

export interface QuserIdleSourceOptions {
  run: CommandRunner;
  sessionId?: string;
  user?: string;
}

/**
 * The SYSTEM service runs in session 0 and cannot call GetLastInputInfo for a user's session;
 * quser (Remote Desktop Services' own record) can be read from there. It is coarse: whole
 * minutes, and nothing for the console when it says `none` (see `quserIdleMs`).
 */
export class QuserIdleSource implements IdleSource {
  readonly name = 'quser' as const;
  private readonly options: QuserIdleSourceOptions;

  constructor(options: QuserIdleSourceOptions) {
    this.options = options;
  }

  /** The watched session's row; quser exits 1 with "No User exists for *" when nobody is logged on. */
  async session(): Promise<QuserSession> {
    const output = await this.options.run(QUSER, []);
    const sessions = parseQuser(output.stdout);
    if (output.exitCode !== 0 && sessions.length === 0) {
      const said = (output.stderr.trim() || output.stdout.trim()).split(/\r?\n/)[0] ?? '';
      throw new Error(`${QUSER} failed (exit ${output.exitCode})${said ? `: ${said}` : ''}`);
    }
    return pickQuserSession(sessions, this.options);
  }

  async idleMs(): Promise<number> {
    return quserIdleMs((await this.session()).idle);
  }

  /** A disconnected session (`Disc`) is behind the sign-in screen; an active one may or may not be locked. */
  async lockedHint(): Promise<boolean | undefined> {
    return (await this.session()).state === 'Disc' ? true : undefined;
  }
}
