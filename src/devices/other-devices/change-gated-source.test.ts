import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { changeGatedSource, fingerprintFor } from './change-gated-source';
import type { OtherDevice } from './other-device';

const card: OtherDevice = { bus: 'block', key: 'SD-1', name: 'EOS_DIGITAL', details: {}, removable: true };

describe('changeGatedSource', () => {
  it('keeps the bus and lists through the gate', async () => {
    let inventories = 0;
    const gated = changeGatedSource({ bus: 'block', list: async () => (inventories += 1, [card]) }, async () => 'same');
    expect(gated.bus).toBe('block');
    expect([await gated.list(), await gated.list()]).toEqual([[card], [card]]);
    expect(inventories).toBe(1);
  });
});

describe('fingerprintFor', () => {
  it('changes when a block device, mount, network interface or Bluetooth pairing appears', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'fingerprints-'));
    const paths = { sysfsRoot: join(dir, 'sys'), mountsFile: join(dir, 'mounts'), bluetoothDir: join(dir, 'bluetooth'), cupsPrinters: join(dir, 'printers.conf') };
    await mkdir(join(paths.sysfsRoot, 'class/block/vda'), { recursive: true });
    await mkdir(join(paths.sysfsRoot, 'class/net/eth0'), { recursive: true });
    await mkdir(join(paths.bluetoothDir, 'AA:BB:CC:DD:EE:FF'), { recursive: true });
    await writeFile(paths.mountsFile, '/dev/vda1 / ext4 rw 0 0\n');
    const before = await Promise.all((['block', 'network', 'bluetooth', 'printer'] as const).map((bus) => fingerprintFor(bus, paths)()));
    await mkdir(join(paths.sysfsRoot, 'class/block/mmcblk0'));
    await mkdir(join(paths.sysfsRoot, 'class/net/usb0'));
    await mkdir(join(paths.bluetoothDir, 'AA:BB:CC:DD:EE:FF', '11:22:33:44:55:66'));
    await writeFile(paths.cupsPrinters, '<Printer Library>\n');
    const after = await Promise.all((['block', 'network', 'bluetooth', 'printer'] as const).map((bus) => fingerprintFor(bus, paths)()));
    after.forEach((print, i) => expect(print).not.toBe(before[i]));
    await writeFile(paths.mountsFile, '/dev/vda1 / ext4 rw 0 0\n/dev/mmcblk0p1 /media/card vfat rw 0 0\n');
    expect(await fingerprintFor('block', paths)()).not.toBe(after[0]);
    await rm(dir, { recursive: true, force: true });
  });
});
