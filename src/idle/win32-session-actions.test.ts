import { fixtureText, recordedRunner, type RecordedAnswer } from '../../test/support/recorded-command-runner';
import { Win32SessionActions, type Win32SessionActionsOptions } from './win32-session-actions';

function win32(options: Omit<Win32SessionActionsOptions, 'run'>, answer: () => RecordedAnswer = () => ({})) {
  const recorded = recordedRunner(answer);
  return { actions: new Win32SessionActions({ run: recorded.run, ...options }), calls: recorded.calls };
}

describe('Win32SessionActions inside the session', () => {
  test('lock is LockWorkStation through rundll32', async () => {
    const { actions, calls } = win32({ from: 'session' });
    expect(await actions.lock()).toEqual({});
    expect(calls).toEqual([{ program: 'rundll32.exe', args: ['user32.dll,LockWorkStation'] }]);
  });

  test('logoff is shutdown /l', async () => {
    const { actions, calls } = win32({ from: 'session' });
    await actions.logoff();
    expect(calls).toEqual([{ program: 'shutdown.exe', args: ['/l'] }]);
  });

  test('describe', () => {
    expect(win32({ from: 'session', sessionId: '2' }).actions.describe()).toEqual({ lock: 'rundll32.exe user32.dll,LockWorkStation', logoff: 'shutdown.exe /l' });
  });
});

describe('Win32SessionActions from the SYSTEM service', () => {
  test('lock disconnects the session, which leaves it behind the sign-in screen', async () => {
    const { actions, calls } = win32({ from: 'service', sessionId: '2' });
    expect(await actions.lock()).toEqual({});
    expect(calls).toEqual([{ program: 'tsdiscon.exe', args: ['2'] }]);
  });

  test('logoff is logoff <id>', async () => {
    const { actions, calls } = win32({ from: 'service', sessionId: '2' });
    await actions.logoff();
    expect(calls).toEqual([{ program: 'logoff.exe', args: ['2'] }]);
  });

  test('without a session id nothing is run', async () => {
    const { actions, calls } = win32({ from: 'service' });
    await expect(actions.lock()).rejects.toThrow('tsdiscon.exe needs the id of the session to act on: none was given');
    await expect(actions.logoff()).rejects.toThrow('logoff.exe needs the id of the session to act on: none was given');
    expect(calls).toEqual([]);
    expect(actions.describe()).toEqual({ lock: 'tsdiscon.exe <session id>', logoff: 'logoff.exe <session id>' });
  });

  test("logoff's published failure is the error, first line", async () => {
    const { actions } = win32({ from: 'service', sessionId: '0' }, () => ({ exitCode: 1, stderr: fixtureText('idle', 'logoff-access-denied.txt') }));
    await expect(actions.logoff()).rejects.toThrow('logoff.exe 0 failed (exit 1): Could not logoff session ID 0 from session Console, Error code 5');
  });

  test('tsdiscon missing (Windows Home) is exit 127 from the runner', async () => {
    const { actions } = win32({ from: 'service', sessionId: '2' }, () => ({ exitCode: 127, stderr: 'spawn tsdiscon.exe ENOENT' }));
    await expect(actions.lock()).rejects.toThrow('tsdiscon.exe 2 failed (exit 127): spawn tsdiscon.exe ENOENT');
  });
});
