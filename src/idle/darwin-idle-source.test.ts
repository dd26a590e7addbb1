import { fixtureText, recordedRunner } from '../../test/support/recorded-command-runner';
import { IoregIdleSource, parseHidIdleTime } from './darwin-idle-source';

const IOREG = fixtureText('idle', 'ioreg-hidsystem.txt');

describe('parseHidIdleTime', () => {
  test('HIDIdleTime nanoseconds become milliseconds', () => {
    expect(parseHidIdleTime(IOREG)).toBe(187_654);
    expect(parseHidIdleTime('"HIDIdleTime" = 999999\n')).toBe(0);
  });

  test('the first HIDIdleTime is the one read', () => {
    expect(parseHidIdleTime(`${IOREG}  |   "HIDIdleTime" = 5000000000\n`)).toBe(187_654);
  });

  test('output without the key, or with something else in it, is refused', () => {
    expect(() => parseHidIdleTime('')).toThrow('ioreg -c IOHIDSystem -d 4 -r -k HIDIdleTime printed no HIDIdleTime');
    expect(() => parseHidIdleTime('  |   "HIDIdleTime" = <c0d2f50800000000>\n')).toThrow('ioreg: HIDIdleTime = <c0d2f50800000000> is not a number of nanoseconds');
  });
});

describe('IoregIdleSource', () => {
  test('runs ioreg on IOHIDSystem and answers milliseconds', async () => {
    const recorded = recordedRunner(() => ({ stdout: IOREG }));
    const source = new IoregIdleSource({ run: recorded.run });
    expect(source.name).toBe('ioreg');
    expect(await source.idleMs()).toBe(187_654);
    expect(recorded.calls).toEqual([{ program: 'ioreg', args: ['-c', 'IOHIDSystem', '-d', '4', '-r', '-k', 'HIDIdleTime'] }]);
    expect('lockedHint' in source).toBe(false);
  });

  test('a failing ioreg is an error naming it', async () => {
    const recorded = recordedRunner(() => ({ exitCode: 127, stderr: 'spawn ioreg ENOENT' }));
    await expect(new IoregIdleSource({ run: recorded.run }).idleMs()).rejects.toThrow('ioreg -c IOHIDSystem -d 4 -r -k HIDIdleTime failed (exit 127): spawn ioreg ENOENT');
  });
});
