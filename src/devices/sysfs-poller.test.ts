import { mkdir, mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { diffUsbNames, listUsbDeviceNames } from './sysfs-poller';
import { SysfsReadError } from './sysfs-files';

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'sysfs-poller-'));
});
afterEach(() => rm(root, { recursive: true, force: true }));

describe('listUsbDeviceNames', () => {
  it('lists device entries and leaves out interfaces', async () => {
    const bus = join(root, 'bus/usb/devices');
    await mkdir(bus, { recursive: true });
    for (const name of ['usb1', '1-4', '1-4:1.0', '1-4.3']) await symlink(`../../../devices/${name}`, join(bus, name));
    expect([...(await listUsbDeviceNames(root))].sort()).toEqual(['1-4', '1-4.3', 'usb1']);
  });

  it('reads a tree without a USB bus as no devices', async () => {
    expect(await listUsbDeviceNames(root)).toEqual(new Set());
  });

  it('names the directory it cannot list', async () => {
    await mkdir(join(root, 'bus/usb'), { recursive: true });
    await symlink('/dev/null', join(root, 'bus/usb/devices'));
    await expect(listUsbDeviceNames(root)).rejects.toThrow(SysfsReadError);
    await expect(listUsbDeviceNames(root)).rejects.toThrow(`cannot list ${root}/bus/usb/devices`);
  });
});

describe('diffUsbNames', () => {
  it('finds names that appeared and vanished, not counting ignored ones as new', () => {
    expect(diffUsbNames(['usb1', '1-4', '1-8'], new Set(['usb1', '1-4', '1-4.3', '1-9']), new Set(['1-9']))).toEqual({
      appeared: ['1-4.3'],
      vanished: ['1-8'],
    });
  });
});
