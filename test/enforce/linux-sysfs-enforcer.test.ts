/** LinuxSysfsEnforcer on the edge-case recording, with a simulated kernel reacting to its writes. */
import { readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { posix as path } from 'node:path';
import type { Device } from '../../src/devices/device';
import { LinuxSysfsSource } from '../../src/devices/linux-sysfs-source';
import { LinuxSysfsEnforcer, type LinuxSysfsEnforcerOptions } from '../../src/enforce/linux-sysfs-enforcer';
import { planEnforcement } from '../../src/policy/interface-plan';
import { parseRule } from '../../src/rules/parser';
import { createLogger } from '../../src/util/logger';
import { bootEdgeCases, type FakeUsbKernel, type FakeUsbKernelOptions } from './fake-usb-kernel';

let kernel: FakeUsbKernel;
let stateDir: string;
let cleanup: () => Promise<void>;
let logLines: string[];

async function boot(options: FakeUsbKernelOptions = {}): Promise<void> {
  ({ kernel, stateDir, cleanup } = await bootEdgeCases(options));
}

afterEach(() => cleanup());

/** An enforcer whose waits are the simulated kernel's next step, never a timer. */
function enforcer(options: LinuxSysfsEnforcerOptions = {}): LinuxSysfsEnforcer {
  logLines = [];
  const logger = createLogger('linux-sysfs-enforcer', { write: (line) => logLines.push(line) }, 'debug');
  return new LinuxSysfsEnforcer({ sysfsRoot: kernel.sysfsRoot, stateDir, sleep: () => kernel.step(), logger, ...options });
}

const hubFile = (hub: string, name: string): string => path.join(kernel.sysfsRoot, 'bus/usb/devices', hub, name);
const value = async (file: string): Promise<string> => (await readFile(file, 'latin1')).trim();
const read = (name: string): Promise<Device> => new LinuxSysfsSource({ sysfsRoot: kernel.sysfsRoot }).readUsbDevice(name);
const stateFile = (): string => path.join(stateDir, 'linux-usb-defaults.json');

describe('prepare', () => {
  it('makes new devices wait on both root hubs of the recording, and remembers what was there', async () => {
    await boot();
    const result = await enforcer().prepare();
    expect(result).toEqual({ ok: true, detail: expect.stringContaining('new USB devices now wait for a decision') });
    for (const hub of ['usb1', 'usb2']) {
      for (const name of ['authorized_default', 'interface_authorized_default']) {
        expect(await value(hubFile(hub, name))).toBe('0');
        expect(result.ok && result.detail).toContain(`${name}=0 written to ${hubFile(hub, name)} (was 1)`);
      }
    }
    expect(JSON.parse(await readFile(stateFile(), 'utf8'))).toEqual({
      version: 1,
      rootHubs: { usb1: { authorized_default: '1', interface_authorized_default: '1' }, usb2: { authorized_default: '1', interface_authorized_default: '1' } },
    });
  });

  it('fails closed: with prepare done and no agent running, a new device stays unauthorised, without interfaces', async () => {
    await boot();
    await enforcer().prepare();
    const dir = await kernel.attach('1-13', '1-1');
    await kernel.step();
    expect(await value(path.join(dir, 'authorized'))).toBe('0');
    expect((await read('1-13')).authorized).toBe(false);
    await expect(readFile(path.join(dir, '1-13:1.0/authorized'))).rejects.toThrow('ENOENT');
  });

  it('names a missing authorized_default and still protects the other root hub', async () => {
    await boot({ completeRootHubs: false });
    const result = await enforcer().prepare();
    expect(result).toEqual({ ok: false, error: expect.stringContaining(`${hubFile('usb2', 'authorized_default')} is missing, so new devices on usb2 are not held back`) });
    expect(await value(hubFile('usb1', 'authorized_default'))).toBe('0');
  });

  it('falls back on a kernel without interface_authorized_default, logs it and says what protection remains', async () => {
    await boot({ interfaceAuthorization: false });
    const result = await enforcer().prepare();
    expect(result).toEqual({ ok: true, detail: expect.stringContaining(`${hubFile('usb1', 'interface_authorized_default')} is missing (Linux before 4.4)`) });
    expect(result.ok && result.detail).toContain('per-interface protection relies on de-authorising blocked interfaces after the fact');
    expect(await value(hubFile('usb2', 'authorized_default'))).toBe('0');
    expect(logLines.map((line) => JSON.parse(line) as { level: string; hub: string })).toEqual([
      expect.objectContaining({ level: 'warn', hub: 'usb1' }),
      expect.objectContaining({ level: 'warn', hub: 'usb2' }),
    ]);
  });

  it('after a crash and restart, remembers the values from before the first start, not its own zeros', async () => {
    await boot();
    await writeFile(hubFile('usb2', 'authorized_default'), '2\n');
    await enforcer().prepare();
    expect((await enforcer().prepare()).ok).toBe(true);
    expect(JSON.parse(await readFile(stateFile(), 'utf8')).rootHubs.usb2).toEqual({ authorized_default: '2', interface_authorized_default: '1' });
  });

  it('says so when no root hub is there to hold devices back', async () => {
    await boot();
    const result = await enforcer({ sysfsRoot: path.join(kernel.sysfsRoot, 'class') }).prepare();
    expect(result).toEqual({ ok: false, error: expect.stringMatching(/^cannot list .*\/class\/bus\/usb\/devices \(ENOENT/) });
  });
});

describe('apply', () => {
  beforeEach(async () => {
    await boot();
    await enforcer().prepare();
  });

  it('allow: authorises a waiting device, then authorises its interface and probes its driver', async () => {
    const device = await read('1-9');
    const result = await enforcer().apply(device, planEnforcement(device, { target: 'allow' }));
    const dir = path.join(kernel.sysfsRoot, device.sysfsPath);
    expect(result).toEqual({
      ok: true,
      detail:
        `authorized=1 written to ${dir}/authorized; authorized=1 written to ${dir}/1-9:1.0/authorized (08:06:50); ` +
        `1-9:1.0 written to ${kernel.driversProbe} (binds a driver to 08:06:50)`,
    });
    await kernel.step();
    expect(await kernel.interfaceState('1-9:1.0')).toEqual({ authorized: '1', driver: 'usb-storage' });
  });

  it('block: de-authorises, and doing it again changes nothing', async () => {
    const device = await read('1-2');
    const dir = path.join(kernel.sysfsRoot, device.sysfsPath);
    for (let i = 0; i < 2; i += 1) {
      expect(await enforcer().apply(device, { target: 'block', blockedInterfaces: [] })).toEqual({ ok: true, detail: `authorized=0 written to ${dir}/authorized` });
      await kernel.step();
      expect(await value(path.join(dir, 'authorized'))).toBe('0');
    }
    await expect(kernel.interfaceState('1-2:1.0')).resolves.toEqual({ authorized: undefined, driver: undefined });
  });

  it('reject: removes the device', async () => {
    const device = await read('1-12.2');
    const dir = path.join(kernel.sysfsRoot, device.sysfsPath);
    expect(await enforcer().apply(device, { target: 'reject', blockedInterfaces: [] })).toEqual({ ok: true, detail: `remove=1 written to ${dir}/remove` });
    await kernel.step();
    await expect(read('1-12.2')).rejects.toThrow('cannot resolve');
  });

  it('a new USB stick that also presents a keyboard keeps its storage and loses the keyboard', async () => {
    await kernel.attach('1-13', '1-1');
    const stick = await read('1-13');
    const plan = planEnforcement(stick, { target: 'allow' });
    expect(plan.blockedInterfaces).toEqual([{ classCode: 0x03, subclass: 0x01, protocol: 0x01 }]);
    const result = await enforcer().apply(stick, plan);
    expect(result).toEqual({ ok: true, detail: expect.stringMatching(/1-13:1\.0 written to .*drivers_probe .*; 1-13:1\.1 \(03:01:01\) left unauthorised, so it gets no driver$/) });
    expect(await kernel.probed()).toEqual(['1-13:1.0']);
    await kernel.step();
    expect(await kernel.interfaceState('1-13:1.0')).toEqual({ authorized: '1', driver: 'usb-storage' });
    expect(await kernel.interfaceState('1-13:1.1')).toEqual({ authorized: '0', driver: undefined });
  });

  it('the same stick present at start, keyboard already bound: the keyboard is de-authorised and the storage left as it is', async () => {
    const stick = await read('1-1');
    expect(await kernel.interfaceState('1-1:1.1')).toEqual({ authorized: '1', driver: 'usbhid' });
    const dir = path.join(kernel.sysfsRoot, stick.sysfsPath);
    expect(await enforcer().apply(stick, planEnforcement(stick, { target: 'allow' }))).toEqual({
      ok: true,
      detail: `authorized=1 written to ${dir}/authorized; authorized=0 written to ${dir}/1-1:1.1/authorized (03:01:01, blocked)`,
    });
    await kernel.step();
    expect(await kernel.interfaceState('1-1:1.0')).toEqual({ authorized: '1', driver: 'usb-storage' });
    expect(await kernel.interfaceState('1-1:1.1')).toEqual({ authorized: '0', driver: undefined });
    expect(await kernel.probed()).toEqual([]);
  });

  it('a stick whose keyboard an admin approved by name keeps both', async () => {
    await kernel.attach('1-13', '1-1');
    const stick = await read('1-13');
    const plan = planEnforcement(stick, { target: 'allow', rule: parseRule('allow id 1234:5678 with-interface { 08:06:50 03:01:01 }') });
    expect((await enforcer().apply(stick, plan)).ok).toBe(true);
    expect(await kernel.probed()).toEqual(['1-13:1.0', '1-13:1.1']);
  });

  it('blocks the whole stick again when its interfaces never appear', async () => {
    await kernel.attach('1-13', '1-1');
    const stick = await read('1-13');
    let sleeps = 0;
    const patient = enforcer({ interfaceTimeoutMs: 100, pollIntervalMs: 50, sleep: async () => void (sleeps += 1) });
    const result = await patient.apply(stick, planEnforcement(stick, { target: 'allow' }));
    expect(result).toEqual({ ok: false, error: expect.stringMatching(/^no interface of 1-13 appeared within 100 ms of authorising it, so the whole device was blocked again/) });
    expect(sleeps).toBe(2);
    expect(await value(path.join(kernel.sysfsRoot, stick.sysfsPath, 'authorized'))).toBe('0');
  });

  it('a device removed between decision and enforcement: the failure names the file', async () => {
    const device = await read('1-2');
    await kernel.unplug('1-2');
    expect(await enforcer().apply(device, { target: 'block', blockedInterfaces: [] })).toEqual({
      ok: false,
      error: `cannot write 0 to ${path.join(kernel.sysfsRoot, device.sysfsPath, 'authorized')} (ENOENT, no such file: the device has gone, or this kernel lacks the attribute)`,
    });
  });

  it('an attribute the agent may not write (as when it is not root): EACCES, naming the file', async () => {
    const device = await read('1-2');
    const file = path.join(kernel.sysfsRoot, device.sysfsPath, 'authorized');
    // Root ignores file modes, so a chmod would not fail under a root test runner; this kernel file refuses writes even to root, as sysfs refuses a non-root agent.
    await rm(file);
    await symlink('/proc/sys/kernel/osrelease', file);
    expect(await enforcer().apply(device, { target: 'block', blockedInterfaces: [] })).toEqual({
      ok: false,
      error: `cannot write 0 to ${file} (EACCES, permission denied: the agent must run as root)`,
    });
  });

  it('refuses a device path that leads outside the devices directory', async () => {
    const device = { ...(await read('1-2')), sysfsPath: 'devices/../bus/usb/devices/1-2' };
    expect(await enforcer().apply(device, { target: 'block', blockedInterfaces: [] })).toEqual({ ok: false, error: expect.stringContaining('is not a device path under') });
  });
});

describe('apply on a kernel before 4.4 (no interface authorisation)', () => {
  it('blocks a composite stick whole, as its keyboard cannot be stopped alone', async () => {
    await boot({ interfaceAuthorization: false });
    await enforcer().prepare();
    await kernel.attach('1-13', '1-1');
    const stick = await read('1-13');
    const result = await enforcer().apply(stick, planEnforcement(stick, { target: 'allow' }));
    expect(result).toEqual({ ok: false, error: expect.stringMatching(/^1-13:1\.1 \(03:01:01\) must not get a driver, but this kernel has no .*\(Linux before 4\.4 .*, so the whole device was blocked again/) });
    expect(await value(path.join(kernel.sysfsRoot, stick.sysfsPath, 'authorized'))).toBe('0');
  });
});

describe('restoreDefaults', () => {
  it('after a crash, a new enforcer puts back the values from before, leaves blocked devices blocked, and forgets', async () => {
    await boot();
    await writeFile(hubFile('usb2', 'authorized_default'), '2\n');
    await enforcer().prepare();
    const device = await read('1-2');
    await enforcer().apply(device, { target: 'block', blockedInterfaces: [] });

    const result = await enforcer().restoreDefaults();
    expect(result).toEqual({ ok: true, detail: expect.stringContaining(`authorized_default=2 written to ${hubFile('usb2', 'authorized_default')} (as before Portcullis)`) });
    expect(result.ok && result.detail).toContain('blocked now stay blocked until they are unplugged and plugged in again');
    expect(await value(hubFile('usb1', 'authorized_default'))).toBe('1');
    expect(await value(hubFile('usb1', 'interface_authorized_default'))).toBe('1');
    expect(await value(hubFile('usb2', 'interface_authorized_default'))).toBe('1');
    expect(await value(path.join(kernel.sysfsRoot, device.sysfsPath, 'authorized'))).toBe('0');
    await expect(readFile(stateFile())).rejects.toThrow('ENOENT');
  });

  it("writes the kernel's usual 1 where nothing was remembered", async () => {
    await boot();
    await writeFile(hubFile('usb1', 'authorized_default'), '0\n');
    const result = await enforcer().restoreDefaults();
    expect(result).toEqual({ ok: true, detail: expect.stringContaining(`authorized_default=1 written to ${hubFile('usb1', 'authorized_default')} (not remembered: the kernel's usual value)`) });
    expect(await value(hubFile('usb1', 'authorized_default'))).toBe('1');
  });

  it('does not trust a damaged state file: it says so and writes 1', async () => {
    await boot();
    await enforcer().prepare();
    await writeFile(stateFile(), '{"version": 1, "rootHubs": {"usb1": {"authorized_default": "0; rm"}}}');
    const result = await enforcer().restoreDefaults();
    expect(result).toEqual({ ok: true, detail: expect.stringContaining('is not a Portcullis defaults file (expected a number), so it was not used') });
    expect(await value(hubFile('usb1', 'authorized_default'))).toBe('1');
  });
});
