import { captureLogger } from '../../test/support/capture-logger';
import { fixtureText, recordedRunner, type RecordedAnswer, type RecordedCall } from '../../test/support/recorded-command-runner';
import { LinuxSessionActions, type LinuxSessionActionsOptions } from './linux-session-actions';

const NO_LOGIND = fixtureText('idle', 'loginctl-no-logind.txt');
const NO_SESSION = fixtureText('idle', 'loginctl-show-session-unknown.txt');
const XDG_GENERIC = fixtureText('idle', 'xdg-screensaver-lock-generic.txt');

function linux(answer: (call: RecordedCall) => RecordedAnswer | undefined, options: Partial<LinuxSessionActionsOptions> = {}) {
  const recorded = recordedRunner(answer);
  const { logger, lines } = captureLogger();
  const actions = new LinuxSessionActions({ run: recorded.run, from: 'session', env: {}, logger, ...options });
  return { actions, calls: recorded.calls, lines };
}

const ok = (): RecordedAnswer => ({});
const loginctlFails = (stderr: string) => (call: RecordedCall): RecordedAnswer => (call.program === 'loginctl' ? { exitCode: 1, stderr } : {});

describe('LinuxSessionActions.lock', () => {
  test("inside the session: loginctl lock-session on the session's own id", async () => {
    const { actions, calls } = linux(ok, { env: { XDG_SESSION_ID: '3' } });
    expect(await actions.lock()).toEqual({});
    expect(calls).toEqual([{ program: 'loginctl', args: ['lock-session', '3'] }]);
  });

  test("with no id at all, loginctl is left to find the caller's session", async () => {
    const { actions, calls } = linux(ok);
    await actions.lock();
    expect(calls).toEqual([{ program: 'loginctl', args: ['lock-session'] }]);
  });

  test('the service locks the session it was given, and ignores its own XDG_SESSION_ID', async () => {
    const { actions, calls } = linux(ok, { from: 'service', sessionId: '7', env: { XDG_SESSION_ID: '1' } });
    await actions.lock();
    expect(calls).toEqual([{ program: 'loginctl', args: ['lock-session', '7'] }]);
  });

  test('without logind (recorded), the session falls back to xdg-screensaver lock and logs why', async () => {
    const { actions, calls, lines } = linux(loginctlFails(NO_LOGIND), { env: { XDG_SESSION_ID: '3' } });
    expect(await actions.lock()).toEqual({});
    expect(calls).toEqual([
      { program: 'loginctl', args: ['lock-session', '3'] },
      { program: 'xdg-screensaver', args: ['lock'] },
    ]);
    expect(lines).toEqual([
      expect.objectContaining({ level: 'warn', message: 'loginctl could not lock the session; trying xdg-screensaver', error: expect.stringContaining('System has not been booted with systemd') }),
    ]);
  });

  test('when both fail (recorded: a bare X session has no xdg-screensaver lock), the error names both', async () => {
    const { actions } = linux((call) => (call.program === 'loginctl' ? { exitCode: 1, stderr: NO_LOGIND } : { exitCode: 4, stderr: XDG_GENERIC }), { env: { XDG_SESSION_ID: '3' } });
    await expect(actions.lock()).rejects.toThrow(
      "loginctl lock-session 3 failed (exit 1): System has not been booted with systemd as init system (PID 1). Can't operate.; then xdg-screensaver lock failed (exit 4): ERROR: Unknown command 'lock'",
    );
  });

  test('the service does not try xdg-screensaver: it has no X display of the user', async () => {
    const { actions, calls } = linux(loginctlFails(NO_SESSION), { from: 'service', sessionId: '7' });
    await expect(actions.lock()).rejects.toThrow("loginctl lock-session 7 failed (exit 1): Failed to get session path: No session '7' known");
    expect(calls.map((c) => c.program)).toEqual(['loginctl']);
  });
});

describe('LinuxSessionActions.logoff', () => {
  test('terminates the session by id', async () => {
    const { actions, calls } = linux(ok, { from: 'service', sessionId: '7' });
    await actions.logoff();
    expect(calls).toEqual([{ program: 'loginctl', args: ['terminate-session', '7'] }]);
  });

  test('inside the session, XDG_SESSION_ID is the id', async () => {
    const { actions, calls } = linux(ok, { env: { XDG_SESSION_ID: 'c2' } });
    await actions.logoff();
    expect(calls).toEqual([{ program: 'loginctl', args: ['terminate-session', 'c2'] }]);
  });

  test('without an id nothing is run: loginctl would end whatever session it thinks is ours', async () => {
    const inSession = linux(ok);
    await expect(inSession.actions.logoff()).rejects.toThrow('loginctl terminate-session needs a session id: none was given and XDG_SESSION_ID is not set');
    const service = linux(ok, { from: 'service', env: { XDG_SESSION_ID: '1' } });
    await expect(service.actions.logoff()).rejects.toThrow(/^loginctl terminate-session needs a session id: none was given$/);
    expect([...inSession.calls, ...service.calls]).toEqual([]);
  });

  test('a failure names the command, its exit status and what it said', async () => {
    const { actions } = linux(loginctlFails(NO_SESSION), { from: 'service', sessionId: '7' });
    await expect(actions.logoff()).rejects.toThrow("loginctl terminate-session 7 failed (exit 1): Failed to get session path: No session '7' known");
  });
});

describe('LinuxSessionActions.describe', () => {
  test('says what runs, with the fallback inside the session', () => {
    expect(linux(ok, { env: { XDG_SESSION_ID: '3' } }).actions.describe()).toEqual({ lock: 'loginctl lock-session 3 || xdg-screensaver lock', logoff: 'loginctl terminate-session 3' });
    expect(linux(ok, { from: 'service', sessionId: '7' }).actions.describe()).toEqual({ lock: 'loginctl lock-session 7', logoff: 'loginctl terminate-session 7' });
    expect(linux(ok, { from: 'service' }).actions.describe().logoff).toBe('loginctl terminate-session (no session id)');
  });
});
