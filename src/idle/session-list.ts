/** Who is logged on to this PC, session by session, as the root/SYSTEM service sees it: logind on Linux, quser on Windows, the console owner on a Mac. */
import { runOrThrow } from '../devices/platform-command';
import type { CommandRunner } from '../util/command-runner';
import { listLogindSessions } from './linux-session-list';
import { parseQuser, QUSER, type QuserSession } from './win32-idle-source';

/** A logged-on user's session. */
export interface UserSession {
  /** logind's session id, the Windows session id, or `console` on a Mac. */
  id: string;
  user: string;
  /** Linux and macOS; quser does not say. */
  uid?: number;
  /** Logged on from elsewhere (SSH, Remote Desktop): not someone at this PC's keyboard. */
  remote: boolean;
  /** On screen now (false: another session has the screen, or a disconnected Windows session). */
  active: boolean;
  /** logind's Type (`x11`, `wayland`, `tty`...); on Windows `console`, `rdp`, `disconnected` or quser's session name; `console` on a Mac. */
  kind: string;
}

/** How the service reads the sessions: injected, so tests give their own list. */
export type ListSessions = () => Promise<UserSession[]>;

/**
 * A quser row as a session. A disconnected session has no session name, so quser cannot say
 * whether it was at the console or over Remote Desktop: it is taken as local, since it holds a
 * PC (and its user's work) behind the sign-in screen until it is logged off.
 */
export function quserUserSession(row: QuserSession): UserSession {
  const name = row.sessionName.toLowerCase();
  const kind = name === '' ? 'disconnected' : name === 'console' ? 'console' : name.startsWith('rdp-tcp') ? 'rdp' : row.sessionName;
  return { id: row.id, user: row.user, remote: kind !== 'console' && kind !== 'disconnected', active: row.state === 'Active', kind };
}

/** Every session quser lists; none when it says `No User exists for *` (exit 1 with no rows). */
export async function listQuserSessions(run: CommandRunner): Promise<UserSession[]> {
  const output = await run(QUSER, []);
  const rows = parseQuser(output.stdout);
  if (output.exitCode !== 0 && rows.length === 0) {
    if (/No User exists/i.test(output.stderr + output.stdout)) return [];
    const said = (output.stderr.trim() || output.stdout.trim()).split(/\r?\n/)[0] ?? '';
    throw new Error(`${QUSER} failed (exit ${output.exitCode})${said ? `: ${said}` : ''}`);
  }
  return rows.map(quserUserSession);
}

/** Owners of /dev/console that are not a person: root at the login window, and the login window's own user. */
const NOT_A_PERSON = new Set(['root', 'loginwindow']);

/** `stat -f '%Su %u' /dev/console`: the user at a Mac's screen, or none at the login window. */
export function parseConsoleOwner(stdout: string): UserSession[] {
  const match = /^(\S+)\s+(\d+)\s*$/.exec(stdout.trim());
  if (!match) throw new Error(`stat /dev/console: cannot read the owner from ${JSON.stringify(stdout.trim())}`);
  const [, user = '', uid = ''] = match;
  if (NOT_A_PERSON.has(user)) return [];
  return [{ id: 'console', user, uid: Number(uid), remote: false, active: true, kind: 'console' }];
}

export async function listConsoleSession(run: CommandRunner): Promise<UserSession[]> {
  return parseConsoleOwner(await runOrThrow(run, 'stat', ['-f', '%Su %u', '/dev/console']));
}

/** The sessions on this PC now; rejects with an Error naming the program when they cannot be read. */
export function listSessions(options: { platform: NodeJS.Platform; run: CommandRunner }): Promise<UserSession[]> {
  switch (options.platform) {
    case 'linux':
      return listLogindSessions(options.run);
    case 'win32':
      return listQuserSessions(options.run);
    case 'darwin':
      return listConsoleSession(options.run);
    default:
      return Promise.reject(new Error(`no way to list sessions on ${options.platform}`));
  }
}
