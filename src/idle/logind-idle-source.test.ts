import { fixtureText, recordedRunner, type RecordedAnswer, type RecordedCall } from '../../test/support/recorded-command-runner';
import { LogindIdleSource, logindIdleMs, parseSessionState, probeLogind, type LogindIdleSourceOptions } from './logind-idle-source';

const ACTIVE = fixtureText('idle', 'loginctl-show-session-active.txt');
const IDLE = fixtureText('idle', 'loginctl-show-session-idle.txt');
const LOCKED = fixtureText('idle', 'loginctl-show-session-locked.txt');
const NO_LOGIND = fixtureText('idle', 'loginctl-no-logind.txt');
/** IdleSinceHint in the idle fixtures, 1757000000000000 µs, as milliseconds. */
const IDLE_SINCE_MS = 1_757_000_000_000;
const PROPERTY_ARGS = ['-p', 'IdleHint', '-p', 'IdleSinceHint', '-p', 'IdleSinceHintMonotonic', '-p', 'LockedHint'];

function logind(answer: (call: RecordedCall) => RecordedAnswer | undefined, options: Partial<LogindIdleSourceOptions> = {}) {
  const recorded = recordedRunner(answer);
  const source = new LogindIdleSource({ run: recorded.run, env: {}, now: () => IDLE_SINCE_MS + 125_000, ...options });
  return { source, calls: recorded.calls };
}

const showSession = (stdout: string) => (call: RecordedCall): RecordedAnswer | undefined => (call.args[0] === 'show-session' ? { stdout } : undefined);

describe('parseSessionState and logindIdleMs', () => {
  test('IdleHint=no is no idle time at all', () => {
    const state = parseSessionState(ACTIVE);
    expect(state).toEqual({ idle: false, idleSinceUs: 0, locked: false });
    expect(logindIdleMs(state, IDLE_SINCE_MS)).toBe(0);
  });

  test('IdleHint=yes counts from IdleSinceHint (µs since the epoch); a clock behind it gives 0, not less', () => {
    const state = parseSessionState(IDLE);
    expect(logindIdleMs(state, IDLE_SINCE_MS + 300_000)).toBe(300_000);
    expect(logindIdleMs(state, IDLE_SINCE_MS - 5_000)).toBe(0);
  });

  test('property order and CRLF do not matter; a logind without LockedHint leaves it unknown', () => {
    expect(parseSessionState('IdleSinceHint=0\r\nIdleHint=no\r\n')).toEqual({ idle: false, idleSinceUs: 0, locked: undefined });
  });

  test('what is not logind output is refused', () => {
    expect(() => parseSessionState('')).toThrow('loginctl show-session printed no IdleHint');
    expect(() => parseSessionState('IdleHint=maybe\n')).toThrow('IdleHint=maybe is neither yes nor no');
    expect(() => parseSessionState('IdleHint=yes\nIdleSinceHint=soon\n')).toThrow('IdleSinceHint=soon is not microseconds');
    expect(() => logindIdleMs(parseSessionState('IdleHint=yes\nIdleSinceHint=0\n'), IDLE_SINCE_MS)).toThrow('IdleHint=yes without an IdleSinceHint');
  });
});

describe('LogindIdleSource', () => {
  test('asks loginctl for the four properties of the given session', async () => {
    const { source, calls } = logind(showSession(IDLE), { sessionId: '3' });
    expect(source.name).toBe('logind');
    expect(await source.idleMs()).toBe(125_000);
    expect(calls).toEqual([{ program: 'loginctl', args: ['show-session', '3', ...PROPERTY_ARGS] }]);
  });

  test('inside a session, XDG_SESSION_ID names it', async () => {
    const { source, calls } = logind(showSession(ACTIVE), { env: { XDG_SESSION_ID: 'c2' } });
    expect(await source.idleMs()).toBe(0);
    expect(calls[0]?.args.slice(0, 2)).toEqual(['show-session', 'c2']);
  });

  test("for the service, the user's display session is looked up on each reading", async () => {
    const display = fixtureText('idle', 'loginctl-show-user-display.txt');
    const { source, calls } = logind((call) => (call.args[0] === 'show-user' ? { stdout: display } : showSession(LOCKED)(call)), { user: 'kteacher' });
    expect(await source.idleMs()).toBe(125_000);
    expect(await source.lockedHint()).toBe(true);
    expect(calls[0]).toEqual({ program: 'loginctl', args: ['show-user', 'kteacher', '-p', 'Display'] });
    expect(calls.map((c) => c.args.slice(0, 2))).toEqual([
      ['show-user', 'kteacher'],
      ['show-session', '3'],
      ['show-user', 'kteacher'],
      ['show-session', '3'],
    ]);
  });

  test('a given session id, then XDG_SESSION_ID, come before the user', async () => {
    const given = logind(showSession(ACTIVE), { sessionId: '5', user: 'kteacher', env: { XDG_SESSION_ID: 'c2' } });
    await given.source.idleMs();
    expect(given.calls.map((c) => c.args.slice(0, 2))).toEqual([['show-session', '5']]);
    const inherited = logind(showSession(ACTIVE), { user: 'kteacher', env: { XDG_SESSION_ID: 'c2' } });
    await inherited.source.idleMs();
    expect(inherited.calls.map((c) => c.args.slice(0, 2))).toEqual([['show-session', 'c2']]);
  });

  test('LockedHint answers lockedHint', async () => {
    expect(await logind(showSession(LOCKED), { sessionId: '3' }).source.lockedHint()).toBe(true);
    expect(await logind(showSession(IDLE), { sessionId: '3' }).source.lockedHint()).toBe(false);
  });

  test('without a session id, XDG_SESSION_ID or user there is nothing to ask about', async () => {
    const { source, calls } = logind(() => undefined);
    await expect(source.idleMs()).rejects.toThrow('logind: no session to watch (no session id given, XDG_SESSION_ID is not set and no user was named)');
    expect(calls).toEqual([]);
  });

  test('a user who is not logged on, or has no display session, is said so', async () => {
    const notLoggedOn = logind(() => ({ exitCode: 1, stderr: fixtureText('idle', 'loginctl-show-user-not-logged-in.txt') }), { user: 'supply' });
    await expect(notLoggedOn.source.idleMs()).rejects.toThrow('loginctl show-user supply -p Display failed (exit 1): Failed to get user: User ID 1001 is not logged in or lingering');
    const noDisplay = logind(() => ({ stdout: 'Display=\n' }), { user: 'supply' });
    await expect(noDisplay.source.idleMs()).rejects.toThrow('logind: supply has no session with a display (loginctl show-user supply -p Display is empty)');
  });

  test('a session that has ended, and a machine without logind, are errors naming loginctl', async () => {
    const gone = logind(() => ({ exitCode: 1, stderr: fixtureText('idle', 'loginctl-show-session-unknown.txt') }), { sessionId: '7' });
    await expect(gone.source.idleMs()).rejects.toThrow(`loginctl show-session 7 ${PROPERTY_ARGS.join(' ')} failed (exit 1): Failed to get session path: No session '7' known`);
    const none = logind(() => ({ exitCode: 1, stderr: NO_LOGIND }), { sessionId: '3' });
    await expect(none.source.lockedHint()).rejects.toThrow("failed (exit 1): System has not been booted with systemd as init system (PID 1). Can't operate.");
  });
});

describe('probeLogind', () => {
  test('lists sessions, and fails as loginctl fails where systemd is not running (recorded)', async () => {
    const ok = recordedRunner(() => ({ stdout: '' }));
    await probeLogind(ok.run);
    expect(ok.calls).toEqual([{ program: 'loginctl', args: ['list-sessions', '--no-legend'] }]);
    const down = recordedRunner(() => ({ exitCode: 1, stderr: NO_LOGIND }));
    await expect(probeLogind(down.run)).rejects.toThrow('loginctl list-sessions --no-legend failed (exit 1): System has not been booted');
  });
});
