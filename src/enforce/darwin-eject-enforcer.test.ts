import { fixtureText, recordedRunner, type RecordedAnswer, type RecordedCall } from '../../test/support/recorded-command-runner';
import type { Device } from '../devices/device';
import { DarwinUsbSource } from '../devices/darwin-usb-source';
import { DarwinEjectEnforcer, ejectResult } from './darwin-eject-enforcer';
import type { EnforcementPlan } from './enforcer';

const SEQUOIA = fixtureText('darwin', 'system-profiler-sequoia-intel.json');
const TAHOE = fixtureText('darwin', 'system-profiler-tahoe-host.json');
const EDGE = fixtureText('darwin', 'system-profiler-legacy-edge-cases.json');
const EJECTED = fixtureText('darwin', 'diskutil-eject-success.txt');
const plan = (target: EnforcementPlan['target'], blockedInterfaces: EnforcementPlan['blockedInterfaces'] = []): EnforcementPlan => ({ target, blockedInterfaces });

async function device(profile: string, name: string): Promise<Device> {
  const found = (await new DarwinUsbSource({ run: recordedRunner(() => ({ stdout: profile })).run }).listUsbDevices()).find((d) => d.name === name);
  if (!found) throw new Error(`no ${name} in the fixture`);
  return found;
}

/** An enforcer whose system_profiler prints `profile` and whose diskutil answers as `diskutil` says. */
function enforcer(profile: string, diskutil: (call: RecordedCall) => RecordedAnswer = () => ({ stdout: EJECTED })) {
  const recorded = recordedRunner((call) => (call.program === 'system_profiler' ? { stdout: profile } : diskutil(call)));
  return { darwin: new DarwinEjectEnforcer({ run: recorded.run, source: new DarwinUsbSource({ run: recorded.run }) }), calls: recorded.calls };
}

const diskutilCalls = (calls: readonly RecordedCall[]) => calls.filter((c) => c.program === 'diskutil').map((c) => c.args);

describe('ejectResult', () => {
  test("diskutil's own words on success", () => {
    expect(ejectResult('/dev/disk4', { exitCode: 0, stdout: EJECTED, stderr: '' })).toEqual({ ok: true, detail: 'Disk /dev/disk4 ejected' });
  });

  test('a volume in use: the refusal and who dissented', () => {
    expect(ejectResult('/dev/disk4', { exitCode: 1, stdout: '', stderr: fixtureText('darwin', 'diskutil-eject-busy.txt') })).toEqual({
      ok: false,
      error:
        'diskutil eject /dev/disk4 failed (exit 1): Unmount of disk4 failed: at least one volume could not be unmounted Unmount was dissented by PID 99216 (/usr/bin/login) Dissenter parent PPID 1550 (/Applications/Utilities/Terminal.app/Contents/MacOS/Terminal)',
    });
  });

  test('a disk that is already gone', () => {
    expect(ejectResult('/dev/disk9', { exitCode: 1, stdout: '', stderr: fixtureText('darwin', 'diskutil-eject-no-such-disk.txt') })).toEqual({
      ok: false,
      error: 'diskutil eject /dev/disk9 failed (exit 1): Unable to find disk for /dev/disk9',
    });
  });
});

describe('DarwinEjectEnforcer', () => {
  test('block ejects the disk that system_profiler lists for the stick', async () => {
    const { darwin, calls } = enforcer(SEQUOIA);
    expect(await darwin.apply(await device(SEQUOIA, 'USB 3.2.1 FD'), plan('block'))).toEqual({ ok: true, detail: 'Disk /dev/disk4 ejected' });
    expect(calls).toEqual([
      { program: 'system_profiler', args: ['-json', 'SPUSBDataType', 'SPUSBHostDataType'] },
      { program: 'diskutil', args: ['eject', '/dev/disk4'] },
    ]);
  });

  test('reject ejects every disk of a card reader', async () => {
    const { darwin, calls } = enforcer(EDGE, (call) => ({ stdout: `Disk ${call.args[1]} ejected\n` }));
    expect(await darwin.apply(await device(EDGE, 'Dual Card Reader'), plan('reject'))).toEqual({ ok: true, detail: 'Disk /dev/disk5 ejected; Disk /dev/disk6 ejected' });
    expect(diskutilCalls(calls)).toEqual([
      ['eject', '/dev/disk5'],
      ['eject', '/dev/disk6'],
    ]);
  });

  test('a refused eject is the result, after what was already ejected', async () => {
    const busy = fixtureText('darwin', 'diskutil-eject-busy.txt').replace(/disk4/g, 'disk6');
    const { darwin } = enforcer(EDGE, (call) => (call.args[1] === '/dev/disk6' ? { exitCode: 1, stderr: busy } : { stdout: 'Disk /dev/disk5 ejected\n' }));
    const result = await darwin.apply(await device(EDGE, 'Dual Card Reader'), plan('block'));
    expect(result.ok).toBe(false);
    expect(result.ok ? '' : result.error).toMatch(/^Disk \/dev\/disk5 ejected; diskutil eject \/dev\/disk6 failed \(exit 1\): Unmount of disk6 failed/);
  });

  test('anything but storage cannot be blocked, and says exactly that', async () => {
    const { darwin, calls } = enforcer(EDGE);
    const keyboard = { ...(await device(EDGE, 'Magic Keyboard')), kind: 'keyboard' as const };
    expect(await darwin.apply(keyboard, plan('block'))).toEqual({ ok: false, error: 'macOS: cannot block a keyboard without a system extension; recorded and notified only' });
    expect(diskutilCalls(calls)).toEqual([]);
  });

  test('on a macOS that lists no disks, nothing can be ejected, and the reason says why', async () => {
    const { darwin, calls } = enforcer(TAHOE);
    const result = await darwin.apply(await device(TAHOE, 'Unnamed Device'), plan('block'));
    expect(result).toEqual({
      ok: false,
      error: 'macOS: cannot block a device without a system extension, and this macOS lists USB devices without their disks, so storage cannot be found to eject; recorded and notified only',
    });
    expect(diskutilCalls(calls)).toEqual([]);
  });

  test('storage whose disk has gone since it was seen is not ejected', async () => {
    const stick = await device(SEQUOIA, 'USB 3.2.1 FD');
    const { darwin } = enforcer(SEQUOIA.replace('"bsd_name" : "disk4"', '"bsd_name" : ""'));
    expect(await darwin.apply(stick, plan('block'))).toEqual({ ok: false, error: 'macOS: storage not ejected: system_profiler lists no disk for it now; recorded and notified only' });
  });

  test('allow needs nothing; withholding one interface is beyond macOS', async () => {
    const { darwin, calls } = enforcer(SEQUOIA);
    const stick = await device(SEQUOIA, 'USB 3.2.1 FD');
    expect(await darwin.apply(stick, plan('allow'))).toEqual({ ok: true, detail: 'macOS: allowed, nothing to do' });
    expect(await darwin.apply(stick, plan('allow', [{ classCode: 3, subclass: 1, protocol: 1 }]))).toEqual({
      ok: false,
      error: 'macOS: cannot withhold one interface of a USB storage device without a system extension; recorded and notified only',
    });
    expect(calls).toEqual([]);
  });

  test('prepare and restoreDefaults change nothing', async () => {
    const { darwin, calls } = enforcer(SEQUOIA);
    expect(darwin.name).toBe('darwin-eject');
    expect((await darwin.prepare()).ok).toBe(true);
    expect((await darwin.restoreDefaults()).ok).toBe(true);
    expect(calls).toEqual([]);
  });
});
