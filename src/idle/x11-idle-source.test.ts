import { fixtureText, recordedRunner } from '../../test/support/recorded-command-runner';
import { startXvfb, type XServer } from '../../test/support/xvfb';
import { runCommand } from '../util/command-runner';
import { X11IdleSource, parseXprintidle } from './x11-idle-source';

function sourceAnswering(stdout: string, exitCode = 0, stderr = '') {
  const recorded = recordedRunner((call) => (call.program === 'xprintidle' ? { stdout, exitCode, stderr } : undefined));
  return { source: new X11IdleSource({ run: recorded.run, env: { DISPLAY: ':0' } }), calls: recorded.calls };
}

describe('parseXprintidle', () => {
  test('reads the recorded milliseconds', () => {
    expect(parseXprintidle(fixtureText('idle', 'xprintidle-after-input.txt'))).toBe(0);
    expect(parseXprintidle(fixtureText('idle', 'xprintidle-idle-3s.txt'))).toBe(2986);
  });

  test('anything but a number is refused', () => {
    expect(() => parseXprintidle('')).toThrow('xprintidle printed "", not a number of milliseconds');
    expect(() => parseXprintidle('-1\n')).toThrow(/not a number of milliseconds/);
  });
});

describe('X11IdleSource', () => {
  test('runs xprintidle with no arguments and answers its milliseconds', async () => {
    const { source, calls } = sourceAnswering(fixtureText('idle', 'xprintidle-idle-3s.txt'));
    expect(source.name).toBe('x11');
    expect(await source.idleMs()).toBe(2986);
    expect(calls).toEqual([{ program: 'xprintidle', args: [] }]);
  });

  test('a display that cannot be opened is an error naming xprintidle and what it said', async () => {
    const { source } = sourceAnswering('', 1, fixtureText('idle', 'xprintidle-no-display.txt'));
    await expect(source.idleMs()).rejects.toThrow("xprintidle failed (exit 1): couldn't open display");
  });

  test('an X server without the XScreenSaver extension is said so', async () => {
    const { source } = sourceAnswering('', 1, fixtureText('idle', 'xprintidle-no-extension.txt'));
    await expect(source.idleMs()).rejects.toThrow('xprintidle failed (exit 1): screen saver extension not supported');
  });

  test('xprintidle missing is exit 127 from the runner', async () => {
    const { source } = sourceAnswering('', 127, 'spawn xprintidle ENOENT');
    await expect(source.idleMs()).rejects.toThrow('xprintidle failed (exit 127): spawn xprintidle ENOENT');
  });
});

describe('X11IdleSource against a real X server (Xvfb)', () => {
  let x: XServer;
  beforeAll(async () => {
    x = await startXvfb();
  });
  afterAll(() => x.stop());

  test('idle time grows without input and drops after xdotool moves the pointer', async () => {
    const source = new X11IdleSource({ run: runCommand, env: { ...process.env, DISPLAY: x.display } });
    await x.input();
    await new Promise((resolve) => setTimeout(resolve, 600));
    const before = await source.idleMs();
    expect(before).toBeGreaterThanOrEqual(500);
    await x.input();
    expect(await source.idleMs()).toBeLessThan(before);
  });

  test('without DISPLAY in its environment it says the display cannot be opened', async () => {
    const source = new X11IdleSource({ run: runCommand, env: { PATH: process.env.PATH } });
    await expect(source.idleMs()).rejects.toThrow("xprintidle failed (exit 1): couldn't open display");
  });
});
