/** Audit-only mode on Linux: the same decisions, not one byte changed, and each result says what enforce mode would have written. */
import { readFile } from 'node:fs/promises';
import { posix as path } from 'node:path';
import type { Device } from '../../src/devices/device';
import { LinuxSysfsSource } from '../../src/devices/linux-sysfs-source';
import { AuditOnlyEnforcer } from '../../src/enforce/audit-only-enforcer';
import { LinuxSysfsEnforcer } from '../../src/enforce/linux-sysfs-enforcer';
import { LinuxSysfsPreview } from '../../src/enforce/linux-sysfs-preview';
import { planEnforcement } from '../../src/policy/interface-plan';
import { createLogger } from '../../src/util/logger';
import { bootEdgeCases, snapshotTree, type FakeUsbKernel } from './fake-usb-kernel';

let kernel: FakeUsbKernel;
let stateDir: string;
let cleanup: () => Promise<void>;

beforeEach(async () => {
  ({ kernel, stateDir, cleanup } = await bootEdgeCases());
});
afterEach(() => cleanup());

const auditOnly = (): AuditOnlyEnforcer => new AuditOnlyEnforcer({ preview: new LinuxSysfsPreview({ sysfsRoot: kernel.sysfsRoot }) });
const read = (name: string): Promise<Device> => new LinuxSysfsSource({ sysfsRoot: kernel.sysfsRoot }).readUsbDevice(name);
const deviceDir = (device: Device): string => path.join(kernel.sysfsRoot, device.sysfsPath);
const hubFile = (hub: string, name: string): string => path.join(kernel.sysfsRoot, 'bus/usb/devices', hub, name);

async function snapshot(): Promise<Map<string, string>> {
  return new Map([...(await snapshotTree(path.dirname(kernel.sysfsRoot))), ...(await snapshotTree(stateDir))]);
}

describe('AuditOnlyEnforcer with the Linux preview', () => {
  it('changes not one byte of sysfs or the state directory, and says what enforce mode would have written', async () => {
    const stick = await read('1-1');
    const mouse = await read('1-2');
    const serial = await read('1-12.2');
    const before = await snapshot();
    const audit = auditOnly();

    const prepared = await audit.prepare();
    const allowed = await audit.apply(stick, planEnforcement(stick, { target: 'allow' }));
    const blocked = await audit.apply(mouse, { target: 'block', blockedInterfaces: [] });
    const rejected = await audit.apply(serial, { target: 'reject', blockedInterfaces: [] });
    const restored = await audit.restoreDefaults();
    await kernel.step();

    expect(await snapshot()).toEqual(before);
    expect(prepared).toEqual({
      ok: true,
      detail: ['usb1', 'usb2']
        .flatMap((hub) => ['authorized_default', 'interface_authorized_default'].map((name) => `would write ${name}=0 to ${hubFile(hub, name)} (now 1)`))
        .join('; ')
        .replace(/^/, 'audit-only: '),
    });
    expect(allowed).toEqual({
      ok: true,
      detail: `audit-only: would write authorized=1 to ${deviceDir(stick)}/authorized; would write authorized=0 to ${deviceDir(stick)}/1-1:1.1/authorized (03:01:01, blocked)`,
    });
    expect(blocked).toEqual({ ok: true, detail: `audit-only: would write authorized=0 to ${deviceDir(mouse)}/authorized` });
    expect(rejected).toEqual({ ok: true, detail: `audit-only: would write remove=1 to ${deviceDir(serial)}/remove` });
    expect(restored).toEqual({ ok: true, detail: 'audit-only: nothing was changed, so there is nothing to restore' });
  });

  it('on a PC that enforce mode left holding devices back, says so, and describes a waiting stick', async () => {
    const logger = createLogger('test', { write: () => undefined });
    await new LinuxSysfsEnforcer({ sysfsRoot: kernel.sysfsRoot, stateDir, logger }).prepare();
    await kernel.attach('1-13', '1-1');
    const stick = await read('1-13');
    const before = await snapshot();

    const prepared = await auditOnly().prepare();
    const allowed = await auditOnly().apply(stick, planEnforcement(stick, { target: 'allow' }));

    expect(await snapshot()).toEqual(before);
    expect(prepared).toEqual({ ok: true, detail: expect.stringMatching(/; new devices on usb1, usb2 already get no driver until authorised \(authorized_default is 0\)$/) });
    expect(allowed).toEqual({ ok: true, detail: `audit-only: would write authorized=1 to ${deviceDir(stick)}/authorized, then keep its 03:01:01 interfaces from their drivers` });
    expect(await readFile(path.join(deviceDir(stick), 'authorized'), 'latin1')).toBe('0\n');
  });

  it('describes, without failing, a device that has gone', async () => {
    const mouse = await read('1-2');
    await kernel.unplug('1-2');
    expect(await auditOnly().apply(mouse, planEnforcement(mouse, { target: 'allow' }))).toEqual({
      ok: true,
      detail: `audit-only: would write authorized=1 to ${deviceDir(mouse)}/authorized, then authorise its interfaces`,
    });
  });
});
