/** What the guest kernel made of a plugged device: its sysfs entry, bound drivers and block devices, waited for within bounds. */
import type { DiskInfo, UsbDeviceInfo } from './vm/guest-protocol';
import type { TestVm } from './vm/test-vm';

/** Bounds on waiting for the guest kernel under TCG; exceeding one fails the test, nothing is timed. */
const APPEAR_TIMEOUT_MS = 20_000;
const DISK_TIMEOUT_MS = 30_000;
const POLL_MS = 250;

/** The device with this serial number as sysfs shows it now, waiting for it to appear. */
export async function usbDeviceInfo(vm: TestVm, serial: string): Promise<UsbDeviceInfo> {
  const info = await vm.guest.request('usbDevice', { serial, timeoutMs: APPEAR_TIMEOUT_MS });
  if (!info) throw new Error(`no USB device with serial ${serial} appeared in the guest's sysfs\n${vm.consoleTail()}`);
  return info;
}

/** Waits for udev to finish handling the events so far: after it, a driver that was going to bind has bound. */
export async function udevSettle(vm: TestVm): Promise<void> {
  const result = await vm.guest.request('run', { argv: ['udevadm', 'settle', '--timeout=30'], timeoutMs: 40_000 });
  if (result.status !== 0) throw new Error(`udevadm settle failed: ${result.stderr}`);
}

/** The driver bound to the device's first interface, waiting for one to bind. */
export async function interfaceDriver(vm: TestVm, usbName: string): Promise<string | null> {
  const link = `/sys/bus/usb/devices/${usbName}/${usbName}:1.0/driver`;
  await vm.guest.request('waitFile', { path: link, condition: { kind: 'exists' }, timeoutMs: APPEAR_TIMEOUT_MS });
  const target = await vm.guest.request('readlink', { path: link });
  return target === null ? null : (target.split('/').pop() ?? null);
}

export function disksOf(vm: TestVm, usbName: string): Promise<DiskInfo[]> {
  return vm.guest.request('disks', {}).then((disks) => disks.filter((d) => d.usbDevice === usbName));
}

/** The block device (with its /dev node) the storage device at `usbName` gets, waiting for it. */
export async function waitForDisk(vm: TestVm, usbName: string): Promise<DiskInfo> {
  const end = Date.now() + DISK_TIMEOUT_MS;
  for (;;) {
    const disk = (await disksOf(vm, usbName)).find((d) => d.devNode);
    if (disk) return disk;
    if (Date.now() > end) throw new Error(`no /dev/sdX appeared for ${usbName} within ${DISK_TIMEOUT_MS} ms\n${vm.consoleTail()}`);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

/** The first bytes of a block device: the test sticks start with `PORTCULLIS-E2E <serial>`. */
export async function diskLabel(vm: TestVm, disk: string): Promise<string> {
  const result = await vm.guest.request('run', { argv: ['head', '-c', '64', `/dev/${disk}`] });
  return result.stdout.replace(/\0+$/, '');
}
