import { fixtureText, recordedRunner, type RecordedAnswer, type RecordedCall } from '../../test/support/recorded-command-runner';
import { callbackIdleSource, chooseIdleSource, type IdleSourceOptions } from './idle-source';

const NO_LOGIND = fixtureText('idle', 'loginctl-no-logind.txt');

function options(platform: NodeJS.Platform, env: NodeJS.ProcessEnv, answer: (call: RecordedCall) => RecordedAnswer | undefined = () => undefined) {
  const recorded = recordedRunner(answer);
  const opts: IdleSourceOptions = { platform, run: recorded.run, env };
  return { opts, calls: recorded.calls };
}

const xprintidleWorks = (call: RecordedCall): RecordedAnswer | undefined => (call.program === 'xprintidle' ? { stdout: fixtureText('idle', 'xprintidle-idle-3s.txt') } : undefined);
const logindWorks = (call: RecordedCall): RecordedAnswer | undefined => (call.program === 'loginctl' ? { stdout: '' } : undefined);

describe('callbackIdleSource', () => {
  test("turns the tray's seconds into milliseconds", async () => {
    const source = callbackIdleSource(() => 42);
    expect(source.name).toBe('callback');
    expect(await source.idleMs()).toBe(42_000);
    expect(source.lockedHint).toBeUndefined();
  });

  test('passes a lock state on when it has one', async () => {
    let locked: boolean | undefined = true;
    const source = callbackIdleSource(() => 0, () => locked);
    expect(await source.lockedHint?.()).toBe(true);
    locked = undefined;
    expect(await source.lockedHint?.()).toBeUndefined();
  });

  test('a reading that is not a number of seconds is an error, and so is a throwing callback', async () => {
    await expect(callbackIdleSource(() => Number.NaN).idleMs()).rejects.toThrow('callback: idle time NaN is not a number of seconds');
    await expect(callbackIdleSource(() => -1).idleMs()).rejects.toThrow('callback: idle time -1 is not a number of seconds');
    await expect(
      callbackIdleSource(() => {
        throw new Error('powerMonitor is gone');
      }).idleMs(),
    ).rejects.toThrow('powerMonitor is gone');
  });
});

describe("chooseIdleSource('auto')", () => {
  test('linux with a working X display: x11, after one reading', async () => {
    const { opts, calls } = options('linux', { DISPLAY: ':0' }, xprintidleWorks);
    expect((await chooseIdleSource('auto', opts)).name).toBe('x11');
    expect(calls).toEqual([{ program: 'xprintidle', args: [] }]);
  });

  test('linux without DISPLAY: logind, once loginctl answers', async () => {
    const { opts, calls } = options('linux', { XDG_SESSION_ID: '3' }, logindWorks);
    expect((await chooseIdleSource('auto', opts)).name).toBe('logind');
    expect(calls).toEqual([{ program: 'loginctl', args: ['list-sessions', '--no-legend'] }]);
  });

  test('linux where xprintidle fails: logind', async () => {
    const { opts } = options('linux', { DISPLAY: ':0' }, (call) => (call.program === 'xprintidle' ? { exitCode: 1, stderr: fixtureText('idle', 'xprintidle-no-extension.txt') } : logindWorks(call)));
    expect((await chooseIdleSource('auto', opts)).name).toBe('logind');
  });

  test('a Wayland session is not read through XWayland, even with DISPLAY set', async () => {
    const { opts, calls } = options('linux', { DISPLAY: ':0', WAYLAND_DISPLAY: 'wayland-0' }, (call) => xprintidleWorks(call) ?? logindWorks(call));
    expect((await chooseIdleSource('auto', opts)).name).toBe('logind');
    expect(calls.map((c) => c.program)).toEqual(['loginctl']);
    const typed = options('linux', { DISPLAY: ':0', XDG_SESSION_TYPE: 'wayland' }, (call) => xprintidleWorks(call) ?? logindWorks(call));
    expect((await chooseIdleSource('auto', typed.opts)).name).toBe('logind');
  });

  test('linux where neither works: one error with both reasons', async () => {
    const { opts } = options('linux', { DISPLAY: ':0' }, (call) =>
      call.program === 'xprintidle' ? { exitCode: 1, stderr: fixtureText('idle', 'xprintidle-no-display.txt') } : { exitCode: 1, stderr: NO_LOGIND },
    );
    await expect(chooseIdleSource('auto', opts)).rejects.toThrow(
      "auto: no idle source works here (x11: xprintidle failed (exit 1): couldn't open display; logind: loginctl list-sessions --no-legend failed (exit 1): System has not been booted with systemd as init system (PID 1). Can't operate.)",
    );
  });

  test('windows: quser; macOS: ioreg; neither runs anything to be chosen', async () => {
    const win = options('win32', {});
    expect((await chooseIdleSource('auto', win.opts)).name).toBe('quser');
    const mac = options('darwin', {});
    expect((await chooseIdleSource('auto', mac.opts)).name).toBe('ioreg');
    expect([...win.calls, ...mac.calls]).toEqual([]);
  });

  test('another platform has no source', async () => {
    await expect(chooseIdleSource('auto', options('freebsd', {}).opts)).rejects.toThrow('auto: no idle source for freebsd');
  });
});

describe('chooseIdleSource by name', () => {
  test("x11 without DISPLAY says so, and runs nothing", async () => {
    const { opts, calls } = options('linux', {});
    await expect(chooseIdleSource('x11', opts)).rejects.toThrow('x11: DISPLAY is not set');
    expect(calls).toEqual([]);
  });

  test('x11 whose xprintidle fails carries its error', async () => {
    const { opts } = options('linux', { DISPLAY: ':0' }, () => ({ exitCode: 1, stderr: fixtureText('idle', 'xprintidle-no-extension.txt') }));
    await expect(chooseIdleSource('x11', opts)).rejects.toThrow('x11: xprintidle failed (exit 1): screen saver extension not supported');
  });

  test('logind without logind says so', async () => {
    const { opts } = options('linux', {}, () => ({ exitCode: 1, stderr: NO_LOGIND }));
    await expect(chooseIdleSource('logind', opts)).rejects.toThrow(/^logind: loginctl list-sessions --no-legend failed \(exit 1\)/);
  });

  test('logind gets the session, user and clock it was given', async () => {
    const { opts, calls } = options('linux', {}, (call) => (call.args[0] === 'show-session' ? { stdout: fixtureText('idle', 'loginctl-show-session-idle.txt') } : logindWorks(call)));
    const source = await chooseIdleSource('logind', { ...opts, sessionId: '3', now: () => 1_757_000_060_000 });
    expect(await source.idleMs()).toBe(60_000);
    expect(calls.at(-1)?.args.slice(0, 2)).toEqual(['show-session', '3']);
  });

  test('quser gets the session it was given', async () => {
    const { opts } = options('win32', {}, () => ({ stdout: fixtureText('idle', 'quser-from-service.txt') }));
    const source = await chooseIdleSource('quser', { ...opts, user: 'itadmin' });
    expect(await source.idleMs()).toBe(65 * 60_000);
  });

  test.each([
    ['x11', 'win32', 'x11: only works on linux, not win32'],
    ['logind', 'darwin', 'logind: only works on linux, not darwin'],
    ['quser', 'linux', 'quser: only works on win32, not linux'],
    ['ioreg', 'win32', 'ioreg: only works on darwin, not win32'],
  ] as const)('%s on %s is refused', async (name, platform, message) => {
    await expect(chooseIdleSource(name, options(platform, { DISPLAY: ':0' }).opts)).rejects.toThrow(message);
  });

  test('callback is not chosen by name', async () => {
    await expect(chooseIdleSource('callback', options('linux', {}).opts)).rejects.toThrow('callback: a callback source comes from callbackIdleSource()');
  });
});
