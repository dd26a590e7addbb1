/** The logged-on users' sessions of a Linux PC, from systemd-logind (`loginctl list-sessions` and `show-session`). */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { runOrThrow } from '../devices/platform-command';
import type { CommandRunner } from '../util/command-runner';
import { LOGINCTL, parseLoginctlProperties } from './logind-idle-source';
import type { UserSession } from './session-list';

const PROPERTIES = ['Id', 'Name', 'User', 'Class', 'Type', 'Remote', 'Active', 'State'] as const;

/** Where systemd-logind keeps one file per session, rewritten when the session changes state. */
export const LOGIND_SESSIONS_DIR = '/run/systemd/sessions';

/**
 * Changes whenever logind starts, ends or changes a session (its file's name and time), so the
 * sessions need asking of `loginctl` only then; empty where logind is not running.
 */
export async function logindSessionsFingerprint(dir = LOGIND_SESSIONS_DIR): Promise<string> {
  // Synchronous on purpose: a few entries in a tmpfs, cheaper than thread-pool round trips.
  let names: string[];
  try {
    names = readdirSync(dir).sort();
  } catch {
    return '';
  }
  return names.map((name) => `${name}@${statSync(join(dir, name), { throwIfNoEntry: false })?.mtimeMs ?? ''}`).join(',');
}

/** The session ids of `loginctl list-sessions --no-legend`: the first column, whatever the release prints after it. */
export function parseSessionIds(stdout: string): string[] {
  return stdout
    .split(/\r?\n/)
    .map((line) => line.trim().split(/\s+/)[0] ?? '')
    .filter((id) => /^[A-Za-z0-9_-]+$/.test(id));
}

/**
 * One session from `loginctl show-session ID -p ...`, or undefined for what is not a person's
 * session: a display manager's greeter, systemd 256's per-user `manager` session (only
 * Class=user counts), and a session already logging off (State=closing).
 */
export function parseLogindSession(stdout: string): UserSession | undefined {
  const p = parseLoginctlProperties(stdout);
  const id = p.get('Id');
  const user = p.get('Name');
  if (!id || !user) throw new Error('loginctl show-session printed no Id or Name');
  if (p.get('Class') !== 'user' || p.get('State') === 'closing') return undefined;
  const uid = p.get('User');
  return {
    id,
    user,
    uid: uid !== undefined && /^\d+$/.test(uid) ? Number(uid) : undefined,
    remote: p.get('Remote') === 'yes',
    active: p.get('Active') === 'yes',
    kind: p.get('Type') || 'unspecified',
  };
}

/** Every user session logind knows of; one that ends between the listing and its look-up is left out. */
export async function listLogindSessions(run: CommandRunner): Promise<UserSession[]> {
  const ids = parseSessionIds(await runOrThrow(run, LOGINCTL, ['list-sessions', '--no-legend']));
  const sessions: UserSession[] = [];
  for (const id of ids) {
    const output = await run(LOGINCTL, ['show-session', id, ...PROPERTIES.flatMap((p) => ['-p', p])]);
    if (output.exitCode !== 0) continue;
    const session = parseLogindSession(output.stdout);
    if (session) sessions.push(session);
  }
  return sessions;
}
