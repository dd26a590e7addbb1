/** End to end on a real kernel: the agent in a QEMU VM running Debian's kernel decides emulated USB devices hot-plugged over QMP. */
import { GUEST_PATHS, GuestAgent, TEST_RULES } from './guest-agent';
import { diskLabel, disksOf, interfaceDriver, udevSettle, usbDeviceInfo, waitForDisk } from './guest-usb';
import { buildVmImage, type VmImage } from './vm/build-image';
import { findProgram } from './vm/host-command';
import { TestVm } from './vm/test-vm';
import { usbDevice } from './vm/usb-devices';

/** Bounds, not measurements: a cold image build downloads the kernel; a boot under TCG takes 6-20 s. */
const BUILD_TIMEOUT_MS = 300_000;
const BOOT_TIMEOUT_MS = 240_000;
const SCENARIO_TIMEOUT_MS = 120_000;

const KEYBOARD = usbDevice('keyboard', 'kbd', 'KBD-0001');
const MOUSE = usbDevice('mouse', 'mouse', 'MOUSE-0001');
const APPROVED_STICK = usbDevice('stick', 'stick-approved', 'STICK-APPROVED');
const UNAPPROVED_STICK = usbDevice('stick', 'stick-unapproved', 'STICK-UNAPPROVED');
const STICK_WHILE_DEAD = usbDevice('stick', 'stick-while-dead', 'STICK-WHILE-DEAD');
const SERIAL_ADAPTER = usbDevice('serial-adapter', 'serial', 'SERIAL-0001');
const NETWORK_ADAPTER = usbDevice('network-adapter', 'net', 'NET-0001');

async function rootHubsAuthorizedDefault(vm: TestVm): Promise<string[]> {
  const result = await vm.guest.request('run', { argv: ['sh', '-c', 'cat /sys/bus/usb/devices/usb*/authorized_default'] });
  return result.stdout.trim().split('\n');
}

async function boot(image: VmImage, name: string): Promise<TestVm> {
  const vm = await TestVm.boot({ image, name });
  process.stderr.write(`e2e: ${name} VM booted in ${(vm.bootMs / 1000).toFixed(1)} s (logs: ${vm.runDir})\n`);
  return vm;
}

if (findProgram('qemu-system-x86_64') === undefined) {
  test('the real-kernel tests need qemu-system-x86_64 (CI installs it, so CI never gets here)', () => {
    expect(process.env.CI).toBeUndefined();
  });
} else {
  let image: VmImage;
  beforeAll(() => {
    image = buildVmImage();
  }, BUILD_TIMEOUT_MS);

  describe('enforce mode', () => {
    let vm: TestVm;
    let agent: GuestAgent;
    let unapprovedPort = '';

    beforeAll(async () => {
      vm = await boot(image, 'enforce');
      agent = new GuestAgent(vm);
      await agent.installRules(TEST_RULES);
      await agent.start('enforce');
    }, BOOT_TIMEOUT_MS);
    afterAll(() => vm?.shutdown(), 60_000);

    test('makes new devices wait for a decision (authorized_default=0 on the root hubs)', async () => {
      expect(await rootHubsAuthorizedDefault(vm)).toEqual(['0', '0']);
    });

    test('the allowed keyboard and mouse get their driver', async () => {
      for (const device of [KEYBOARD, MOUSE]) {
        const from = vm.guest.events.mark();
        await vm.plug(device);
        const { name } = await usbDeviceInfo(vm, device.serial);
        expect(await agent.decision(name, from)).toMatchObject({ target: 'allow' });
        expect(await interfaceDriver(vm, name)).toBe('usbhid');
      }
    }, SCENARIO_TIMEOUT_MS);

    test('an unapproved stick is blocked and never gets a /dev/sdX', async () => {
      const from = vm.guest.events.mark();
      await vm.plug(UNAPPROVED_STICK);
      unapprovedPort = (await usbDeviceInfo(vm, UNAPPROVED_STICK.serial)).name;
      expect(await agent.decision(unapprovedPort, from)).toMatchObject({ target: 'block' });
      await udevSettle(vm);
      expect(await usbDeviceInfo(vm, UNAPPROVED_STICK.serial)).toMatchObject({ authorized: '0', interfaces: [] });
      expect(await disksOf(vm, unapprovedPort)).toEqual([]);
    }, SCENARIO_TIMEOUT_MS);

    test('the stick approved by serial gets a /dev/sdX (and the unapproved one still has none)', async () => {
      const from = vm.guest.events.mark();
      await vm.plug(APPROVED_STICK);
      const { name } = await usbDeviceInfo(vm, APPROVED_STICK.serial);
      expect(await agent.decision(name, from)).toMatchObject({ target: 'allow' });
      const disk = await waitForDisk(vm, name);
      expect(await diskLabel(vm, disk.name)).toBe(`PORTCULLIS-E2E ${APPROVED_STICK.serial}`);
      expect(await disksOf(vm, unapprovedPort)).toEqual([]);
    }, SCENARIO_TIMEOUT_MS);

    test('the serial adapter and the network adapter stay unauthorised, with no driver', async () => {
      for (const device of [SERIAL_ADAPTER, NETWORK_ADAPTER]) {
        const from = vm.guest.events.mark();
        await vm.plug(device);
        const { name } = await usbDeviceInfo(vm, device.serial);
        expect(await agent.decision(name, from)).toMatchObject({ target: 'block' });
      }
      await udevSettle(vm);
      for (const device of [SERIAL_ADAPTER, NETWORK_ADAPTER]) {
        expect(await usbDeviceInfo(vm, device.serial)).toMatchObject({ authorized: '0', interfaces: [] });
      }
      expect(await vm.guest.request('read', { path: '/sys/class/tty/ttyUSB0/dev' })).toBeNull();
    }, SCENARIO_TIMEOUT_MS);

    test('after SIGKILL new devices stay blocked, and a restart applies the policy to them', async () => {
      expect(await agent.stop('SIGKILL')).toMatchObject({ signal: 'SIGKILL' });
      const { name: oldPort } = await usbDeviceInfo(vm, APPROVED_STICK.serial);
      await vm.unplug(APPROVED_STICK.id);
      await vm.guest.request('waitFile', { path: `/sys/bus/usb/devices/${oldPort}`, condition: { kind: 'absent' }, timeoutMs: 20_000 });

      await vm.plug(STICK_WHILE_DEAD);
      await vm.plug(APPROVED_STICK);
      const whileDead = await usbDeviceInfo(vm, STICK_WHILE_DEAD.serial);
      const approved = await usbDeviceInfo(vm, APPROVED_STICK.serial);
      await udevSettle(vm);
      expect(await rootHubsAuthorizedDefault(vm)).toEqual(['0', '0']);
      for (const device of [whileDead, approved]) {
        expect(await usbDeviceInfo(vm, device.serial)).toMatchObject({ authorized: '0', interfaces: [] });
        expect(await disksOf(vm, device.name)).toEqual([]);
      }

      const from = vm.guest.events.mark();
      await agent.start('enforce');
      expect(await agent.decision(approved.name, from)).toMatchObject({ target: 'allow' });
      expect(await agent.decision(whileDead.name, from)).toMatchObject({ target: 'block' });
      const disk = await waitForDisk(vm, approved.name);
      expect(await diskLabel(vm, disk.name)).toBe(`PORTCULLIS-E2E ${APPROVED_STICK.serial}`);
      expect(await usbDeviceInfo(vm, STICK_WHILE_DEAD.serial)).toMatchObject({ authorized: '0', interfaces: [] });
    }, SCENARIO_TIMEOUT_MS);

    test('the audit chain verifies and records the blocked sticks', async () => {
      const verify = await agent.cli('audit', 'verify', GUEST_PATHS.auditLog);
      expect(verify).toMatchObject({ status: 0 });
      // Decided on arrival, and again by the restarted agent, which applies the policy to every device present.
      expect(await agent.auditedTargets(UNAPPROVED_STICK.serial)).toEqual(['block', 'block']);
      expect(await agent.auditedTargets(STICK_WHILE_DEAD.serial)).toEqual(['block']);
    }, SCENARIO_TIMEOUT_MS);

    test('agent uninstall gives the kernel its defaults back', async () => {
      await agent.stop('SIGTERM');
      const uninstall = await agent.cli('agent', 'uninstall', '--sysfs-root', '/sys', '--state-dir', GUEST_PATHS.stateDir);
      expect(uninstall).toMatchObject({ status: 0 });
      expect(await rootHubsAuthorizedDefault(vm)).toEqual(['1', '1']);
    }, SCENARIO_TIMEOUT_MS);
  });

  describe('audit-only mode', () => {
    let vm: TestVm;
    let agent: GuestAgent;

    beforeAll(async () => {
      vm = await boot(image, 'audit');
      agent = new GuestAgent(vm);
      await agent.installRules(TEST_RULES);
      await agent.start('audit');
    }, BOOT_TIMEOUT_MS);
    afterAll(() => vm?.shutdown(), 60_000);

    test('blocks nothing but logs the decision: an unapproved stick gets its /dev/sdX', async () => {
      const from = vm.guest.events.mark();
      await vm.plug(UNAPPROVED_STICK);
      const { name } = await usbDeviceInfo(vm, UNAPPROVED_STICK.serial);
      expect(await agent.decision(name, from)).toMatchObject({ target: 'block' });
      const disk = await waitForDisk(vm, name);
      expect(await diskLabel(vm, disk.name)).toBe(`PORTCULLIS-E2E ${UNAPPROVED_STICK.serial}`);
    }, SCENARIO_TIMEOUT_MS);

    test('the audit chain records the decision and verifies', async () => {
      expect(await agent.auditedTargets(UNAPPROVED_STICK.serial)).toEqual(['block']);
      expect(await agent.cli('audit', 'verify', GUEST_PATHS.auditLog)).toMatchObject({ status: 0 });
    }, SCENARIO_TIMEOUT_MS);
  });
}
