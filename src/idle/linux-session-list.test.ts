import { mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixtureText, recordedRunner, type RecordedCall } from '../../test/support/recorded-command-runner';
import { listLogindSessions, logindSessionsFingerprint, parseLogindSession, parseSessionIds } from './linux-session-list';

const sessions = (file: string): string => fixtureText('idle', 'sessions', file);

/** Show-session answers by session id, from the recorded files. */
const SHOW: Record<string, { stdout?: string; stderr?: string; exitCode?: number }> = {
  '2': { stdout: sessions('loginctl-show-session-2-x11.txt') },
  '3': { stdout: sessions('loginctl-show-session-3-manager.txt') },
  '4': { stdout: sessions('loginctl-show-session-4-background.txt') },
  '5': { stdout: sessions('loginctl-show-session-5-closing.txt') },
  '7': { stdout: sessions('loginctl-show-session-7-ssh.txt') },
  '9': { stderr: sessions('loginctl-show-session-9-gone.txt'), exitCode: 1 },
  c1: { stdout: sessions('loginctl-show-session-c1-greeter.txt') },
};

function logind(list: string): { run: ReturnType<typeof recordedRunner>['run']; calls: RecordedCall[] } {
  return recordedRunner((call) => {
    if (call.program !== 'loginctl') return undefined;
    if (call.args[0] === 'list-sessions') return { stdout: list };
    return call.args[0] === 'show-session' ? SHOW[call.args[1] ?? ''] : undefined;
  });
}

describe('parseSessionIds', () => {
  test('takes the first column of systemd 252 and systemd 256 listings alike', () => {
    expect(parseSessionIds(sessions('loginctl-list-sessions-v252.txt'))).toEqual(['2', '4', '7', '9', 'c1']);
    expect(parseSessionIds(sessions('loginctl-list-sessions-v256.txt'))).toEqual(['2', '3', '5', 'c1']);
  });

  test('an empty listing is no sessions', () => {
    expect(parseSessionIds('')).toEqual([]);
  });
});

describe('parseLogindSession', () => {
  test('reads a desktop session in front', () => {
    expect(parseLogindSession(sessions('loginctl-show-session-2-x11.txt'))).toEqual({ id: '2', user: 'kteacher', uid: 1000, remote: false, active: true, kind: 'x11' });
  });

  test('reads a session another has the screen of, and an SSH login as remote', () => {
    expect(parseLogindSession(sessions('loginctl-show-session-4-background.txt'))).toMatchObject({ id: '4', user: 'supply.teacher', active: false, remote: false, kind: 'wayland' });
    expect(parseLogindSession(sessions('loginctl-show-session-7-ssh.txt'))).toMatchObject({ id: '7', remote: true, kind: 'tty' });
  });

  test('leaves out the greeter, the user manager and a session logging off', () => {
    expect(parseLogindSession(sessions('loginctl-show-session-c1-greeter.txt'))).toBeUndefined();
    expect(parseLogindSession(sessions('loginctl-show-session-3-manager.txt'))).toBeUndefined();
    expect(parseLogindSession(sessions('loginctl-show-session-5-closing.txt'))).toBeUndefined();
  });

  test('refuses output that names no session', () => {
    expect(() => parseLogindSession('IdleHint=no\n')).toThrow('loginctl show-session printed no Id or Name');
  });
});

describe('listLogindSessions', () => {
  test('asks logind for each listed session, with the properties it reads, and skips one that has ended', async () => {
    const { run, calls } = logind(sessions('loginctl-list-sessions-v252.txt'));
    const listed = await listLogindSessions(run);
    expect(listed.map((s) => s.id)).toEqual(['2', '4', '7']);
    expect(calls[0]).toEqual({ program: 'loginctl', args: ['list-sessions', '--no-legend'] });
    expect(calls[1]).toEqual({ program: 'loginctl', args: ['show-session', '2', '-p', 'Id', '-p', 'Name', '-p', 'User', '-p', 'Class', '-p', 'Type', '-p', 'Remote', '-p', 'Active', '-p', 'State'] });
    expect(calls).toHaveLength(6);
  });

  test('on systemd 256 only the user session is left', async () => {
    const listed = await listLogindSessions(logind(sessions('loginctl-list-sessions-v256.txt')).run);
    expect(listed).toEqual([{ id: '2', user: 'kteacher', uid: 1000, remote: false, active: true, kind: 'x11' }]);
  });

  test('says why when logind is not running', async () => {
    const { run } = recordedRunner(() => ({ exitCode: 1, stderr: fixtureText('idle', 'loginctl-no-logind.txt') }));
    await expect(listLogindSessions(run)).rejects.toThrow(
      "loginctl list-sessions --no-legend failed (exit 1): System has not been booted with systemd as init system (PID 1). Can't operate.",
    );
  });
});

describe('logindSessionsFingerprint', () => {
  test('is empty without logind, and changes when a session starts, changes state or ends', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'logind-sessions-'));
    try {
      expect(await logindSessionsFingerprint(join(dir, 'absent'))).toBe('');
      const empty = await logindSessionsFingerprint(dir);
      await writeFile(join(dir, '2'), 'ACTIVE=1\n');
      await utimes(join(dir, '2'), 1_000, 1_000);
      const started = await logindSessionsFingerprint(dir);
      expect(started).not.toBe(empty);
      expect(await logindSessionsFingerprint(dir)).toBe(started);
      await writeFile(join(dir, '2'), 'ACTIVE=0\n');
      await utimes(join(dir, '2'), 2_000, 2_000);
      const changed = await logindSessionsFingerprint(dir);
      expect(changed).not.toBe(started);
      await rm(join(dir, '2'));
      expect(await logindSessionsFingerprint(dir)).toBe(empty);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
