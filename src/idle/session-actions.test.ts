import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { recordedRunner } from '../../test/support/recorded-command-runner';
import { sessionActionsFor, type SessionActionOptions } from './session-actions';

function actions(options: Partial<SessionActionOptions> & Pick<SessionActionOptions, 'platform'>) {
  const recorded = recordedRunner(() => ({}));
  return { actions: sessionActionsFor({ run: recorded.run, from: 'service', env: { PATH: process.env.PATH }, ...options }), calls: recorded.calls };
}

describe('sessionActionsFor: the built-ins', () => {
  test.each([
    ['linux', { sessionId: '3' }, { lock: 'loginctl lock-session 3', logoff: 'loginctl terminate-session 3' }],
    ['win32', { sessionId: '2' }, { lock: 'tsdiscon.exe 2', logoff: 'logoff.exe 2' }],
    ['darwin', { uid: 501 }, { lock: 'pmset displaysleepnow', logoff: 'launchctl bootout gui/501' }],
  ] as const)('%s', async (platform, ids, described) => {
    const { actions: chosen, calls } = actions({ platform, ...ids });
    expect(chosen.describe()).toEqual(described);
    await chosen.lock();
    await chosen.logoff();
    expect(calls.map((c) => [c.program, ...c.args].join(' '))).toEqual([described.lock, described.logoff]);
  });

  test('from inside the session on Windows', () => {
    expect(actions({ platform: 'win32', from: 'session' }).actions.describe()).toEqual({ lock: 'rundll32.exe user32.dll,LockWorkStation', logoff: 'shutdown.exe /l' });
  });

  test('a platform without built-ins is made without complaint and refuses when asked', async () => {
    const { actions: none } = actions({ platform: 'freebsd' });
    expect(none.describe()).toEqual({ lock: '(nothing built in on freebsd)', logoff: '(nothing built in on freebsd)' });
    await expect(none.lock()).rejects.toThrow('no built-in lock or log-off on freebsd: configure a lock command and a log-off command');
    await expect(none.logoff()).rejects.toThrow('no built-in lock or log-off on freebsd');
  });
});

describe('sessionActionsFor: configured commands', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'portcullis-actions-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  test('a configured lock replaces the built-in one and runs through the shell; logoff stays built in', async () => {
    const file = join(dir, 'locked');
    const { actions: configured, calls } = actions({ platform: 'linux', sessionId: '3', lockCommand: `echo locked > '${file}'` });
    expect(await configured.lock()).toEqual({});
    expect(readFileSync(file, 'utf8')).toBe('locked\n');
    expect(calls).toEqual([]);
    await configured.logoff();
    expect(calls).toEqual([{ program: 'loginctl', args: ['terminate-session', '3'] }]);
    expect(configured.describe()).toEqual({ lock: `/bin/sh -c 'echo locked > '\\''${file}'\\'''`, logoff: 'loginctl terminate-session 3' });
  });

  test('a configured locker that keeps running gives until', async () => {
    const { actions: configured } = actions({ platform: 'linux', lockCommand: 'sleep 0.3', settleMs: 100 });
    const outcome = await configured.lock();
    expect(outcome.until).toBeInstanceOf(Promise);
    await outcome.until;
  });

  test('a configured logoff replaces the built-in one, even where nothing is built in; its failure is the rejection', async () => {
    const { actions: configured, calls } = actions({ platform: 'freebsd', logoffCommand: 'echo "no session" >&2; exit 5' });
    await expect(configured.logoff()).rejects.toThrow(`/bin/sh -c 'echo "no session" >&2; exit 5' failed (exit 5): no session`);
    expect(calls).toEqual([]);
    const slow = actions({ platform: 'linux', logoffCommand: 'sleep 0.3', settleMs: 100 });
    await expect(slow.actions.logoff()).resolves.toBeUndefined();
  });

  test('a blank configured command counts as none', async () => {
    const { actions: blank, calls } = actions({ platform: 'linux', sessionId: '3', lockCommand: '  ', logoffCommand: '' });
    await blank.lock();
    expect(calls).toEqual([{ program: 'loginctl', args: ['lock-session', '3'] }]);
    expect(blank.describe().logoff).toBe('loginctl terminate-session 3');
  });
});
