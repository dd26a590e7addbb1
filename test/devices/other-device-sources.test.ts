import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Systeminformation } from 'systeminformation';
import { describeDisks, formatSize, sysfsMmcType } from '../../src/devices/other-devices/block-devices';
import { describeBluetoothDevices } from '../../src/devices/other-devices/bluetooth-devices';
import { describeNetworkInterfaces, sysfsAttachment } from '../../src/devices/other-devices/network-interfaces';
import type { OtherDevice, SystemInformationApi } from '../../src/devices/other-devices/other-device';
import { otherDeviceSources } from '../../src/devices/other-devices/other-device-sources';
import { describePrinters, printerConnection } from '../../src/devices/other-devices/printers';

const FIXTURES = join(__dirname, '../fixtures/systeminformation');

async function recorded<T>(file: string): Promise<T[]> {
  return JSON.parse(await readFile(join(FIXTURES, file), 'utf8')) as T[];
}

/** A sysfs tree with just what the sources read: entries are file contents, or `{ link }` for symlinks. */
async function sysfsTree(entries: Record<string, string | { link: string }>): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'other-devices-sysfs-'));
  for (const [path, entry] of Object.entries(entries)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    if (typeof entry === 'string') await writeFile(join(root, path), entry);
    else await symlink(entry.link, join(root, path));
  }
  return root;
}

/** A hardware network interface: its class entry links to its device directory, whose `device` link points at the hardware. */
function netInterface(iface: string, hardware: string): Record<string, { link: string }> {
  return {
    [`${hardware}/net/${iface}/device`]: { link: '../..' },
    [`class/net/${iface}`]: { link: `../../${hardware}/net/${iface}` },
  };
}

let roots: string[] = [];
afterEach(async () => {
  for (const root of roots) await rm(root, { recursive: true, force: true });
  roots = [];
});
async function tree(entries: Record<string, string | { link: string }>): Promise<string> {
  const root = await sysfsTree(entries);
  roots.push(root);
  return root;
}

describe('block devices', () => {
  it("describes this machine's disk and leaves out compressed swap", async () => {
    const rows = await recorded<Systeminformation.BlockDevicesData>('this-machine.blockDevices.json');
    expect(await describeDisks(rows, sysfsMmcType(await tree({})))).toEqual<OtherDevice[]>([
      { bus: 'block', key: 'vda', name: 'vda', details: { device: '/dev/vda', size: '274.9 GB' }, removable: false },
    ]);
  });

  it('tells an SD card in a built-in reader and a USB stick, both removable, from the internal SSD', async () => {
    const rows = await recorded<Systeminformation.BlockDevicesData>('sd-card-and-usb-stick.blockDevices.json');
    const sysfs = await tree({ 'class/block/mmcblk0/device/type': 'SD\n' });
    expect(await describeDisks(rows, sysfsMmcType(sysfs))).toEqual<OtherDevice[]>([
      {
        bus: 'block',
        key: '0x9a3c2f41',
        name: 'EOS_DIGITAL',
        details: { device: '/dev/mmcblk0', size: '31.9 GB', transport: 'mmc', label: 'EOS_DIGITAL', media: 'SD card' },
        removable: true,
      },
      {
        bus: 'block',
        key: 'S4EWNX0R412345',
        name: 'Samsung SSD 980 500GB',
        details: { device: '/dev/nvme0n1', size: '500.1 GB', transport: 'nvme' },
        removable: false,
      },
      {
        bus: 'block',
        key: '4C530001230317116462',
        name: 'Cruzer Blade',
        details: { device: '/dev/sdb', size: '15.9 GB', transport: 'usb', label: 'COURSEWORK' },
        removable: true,
      },
    ]);
  });

  it("tells a laptop's eMMC, which is not removable, from the SD card beside it, and folds the eMMC's boot areas into it", async () => {
    const rows = await recorded<Systeminformation.BlockDevicesData>('emmc-laptop-with-sd-card.blockDevices.json');
    const sysfs = await tree({ 'class/block/mmcblk0/device/type': 'MMC\n', 'class/block/mmcblk1/device/type': 'SD\n' });
    const disks = await describeDisks(rows, sysfsMmcType(sysfs));
    expect(disks.map((d) => [d.details.device, d.details.media, d.removable, d.key])).toEqual([
      ['/dev/mmcblk0', 'eMMC', false, '0x1b2c3d4e'],
      ['/dev/mmcblk1', 'SD card', true, '0x5d6e7f80'],
    ]);
  });

  it('counts an mmc disk whose type cannot be read as a card', async () => {
    const rows = await recorded<Systeminformation.BlockDevicesData>('emmc-laptop-with-sd-card.blockDevices.json');
    const disks = await describeDisks(rows, sysfsMmcType(await tree({})));
    expect(disks.map((d) => d.removable)).toEqual([true, true]);
  });

  it('names a disk without a serial by its filesystem UUID', async () => {
    const rows = (await recorded<Systeminformation.BlockDevicesData>('sd-card-and-usb-stick.blockDevices.json')).map((row) => ({ ...row, serial: '' }));
    const disks = await describeDisks(rows, async () => 'SD');
    expect(disks.map((d) => d.key)).toEqual(['3A61-1C2D', '5C2E-91A7', 'B4F2-7A10']);
  });

  it.each([
    [512, '512 B'],
    [31914983424, '31.9 GB'],
    [2_000_000_000_000, '2.0 TB'],
  ])('formats %d bytes as %s', (bytes, text) => {
    expect(formatSize(bytes)).toBe(text);
  });
});

describe('Bluetooth devices', () => {
  it('describes paired devices by their address; this machine has none', async () => {
    expect(describeBluetoothDevices(await recorded('this-machine.bluetoothDevices.json'))).toEqual([]);
    expect(describeBluetoothDevices(await recorded('paired-phone.bluetoothDevices.json'))).toEqual<OtherDevice[]>([
      { bus: 'bluetooth', key: '34:88:5D:4E:5F:60', name: 'Keyboard K380', details: { address: '34:88:5D:4E:5F:60', type: 'Keyboard', adapter: '5C:F3:70:8B:12:34' }, removable: true },
      { bus: 'bluetooth', key: 'F0:99:B6:1A:2B:3C', name: 'iPhone', details: { address: 'F0:99:B6:1A:2B:3C', type: 'Phone', adapter: '5C:F3:70:8B:12:34' }, removable: true },
    ]);
  });

  it('keeps a manufacturer where one is known, lists a device paired with two adapters once, and skips rows without an address', () => {
    const row = { device: '', name: 'AirPods Pro', manufacturer: 'Apple', macDevice: 'a4:c3:f0:11:22:33', macHost: '', batteryPercent: 0, type: 'Headset', connected: true };
    expect(describeBluetoothDevices([row, { ...row, macHost: 'AA:AA:AA:AA:AA:AA' }, { ...row, macDevice: '' }])).toEqual<OtherDevice[]>([
      { bus: 'bluetooth', key: 'A4:C3:F0:11:22:33', name: 'AirPods Pro', vendor: 'Apple', details: { address: 'A4:C3:F0:11:22:33', type: 'Headset' }, removable: true },
    ]);
  });
});

describe('printers', () => {
  it('describes CUPS queues by name, with how they are reached; this machine has none', async () => {
    expect(describePrinters(await recorded('this-machine.printer.json'))).toEqual([]);
    expect(describePrinters(await recorded('usb-printer.printer.json'))).toEqual<OtherDevice[]>([
      { bus: 'printer', key: 'Staffroom_MFP', name: 'Staffroom Kyocera TASKalfa', details: { queue: 'Staffroom_MFP', connection: 'network' } },
      { bus: 'printer', key: 'HP_LaserJet_Professional_P1102', name: 'HP LaserJet Professional P1102', vendor: 'HP', details: { queue: 'HP_LaserJet_Professional_P1102', connection: 'usb' } },
    ]);
  });

  it('reads queues listed by lpstat, which give no URI', () => {
    const row = { id: 1, name: 'Office', model: 'Office', uri: null as unknown as string, uuid: '', local: false, status: 'idle', default: false, shared: false };
    expect(describePrinters([row])).toEqual([{ bus: 'printer', key: 'Office', name: 'Office', details: { queue: 'Office', connection: 'unknown' } }]);
  });

  it.each([
    ['ipps://printer.school.example/ipp/print', 'network'],
    ['socket://10.0.0.9:9100', 'network'],
    ['usb://Brother/HL-L2350DW?serial=E78', 'usb'],
    ['hp:/usb/HP_LaserJet_Professional_P1102?serial=000000000Q8D9XVKPR1a', 'usb'],
    ['hp:/net/HP_Color_LaserJet_MFP_M283fdw?ip=10.20.0.31', 'network'],
    ['beh:/1/3/5/usb://HP/LaserJet', 'beh'],
    ['', 'unknown'],
  ])('calls %j a printer on %s', (uri, connection) => {
    expect(printerConnection(uri)).toBe(connection);
  });
});

describe('network interfaces', () => {
  const ethernet = netInterface('eth0', 'devices/pci0000:00/0000:00:03.0/virtio2');
  const phone = netInterface('enx8a3f2b1c4d5e', 'devices/pci0000:00/0000:00:14.0/usb1/1-2/1-2:1.0');

  it("describes this machine's adapter, leaving out loopback", async () => {
    const rows = await recorded<Systeminformation.NetworkInterfacesData>('this-machine.networkInterfaces.json');
    expect(await describeNetworkInterfaces(rows, sysfsAttachment(await tree(ethernet)))).toEqual<OtherDevice[]>([
      { bus: 'network', key: '02:fc:00:00:00:01', name: 'eth0', details: { interface: 'eth0', attachment: 'built-in', type: 'wired', mac: '02:fc:00:00:00:01' }, removable: false },
    ]);
  });

  it("tells a tethering phone's interface by its USB path, and leaves out a VPN tunnel", async () => {
    const rows = await recorded<Systeminformation.NetworkInterfacesData>('tethering-phone.networkInterfaces.json');
    const devices = await describeNetworkInterfaces(rows, sysfsAttachment(await tree({ ...ethernet, ...phone, 'devices/virtual/net/tun0/uevent': 'INTERFACE=tun0\n' })));
    expect(devices.map((d) => d.name)).toEqual(['eth0', 'enx8a3f2b1c4d5e']);
    expect(devices[1]).toEqual<OtherDevice>({
      bus: 'network',
      key: '8a:3f:2b:1c:4d:5e',
      name: 'enx8a3f2b1c4d5e',
      details: { interface: 'enx8a3f2b1c4d5e', attachment: 'usb', type: 'wired', mac: '8a:3f:2b:1c:4d:5e' },
      removable: true,
    });
  });

  it('knows Bluetooth tethering by its name, as it has no device link', async () => {
    expect(await sysfsAttachment(await tree({}))('bnep0')).toBe('bluetooth');
    expect(await sysfsAttachment(await tree({}))('wg0')).toBeUndefined();
  });
});

describe('otherDeviceSources', () => {
  it('lists each kind from the systeminformation it is given', async () => {
    const si: SystemInformationApi = {
      blockDevices: () => recorded('this-machine.blockDevices.json'),
      bluetoothDevices: () => recorded('paired-phone.bluetoothDevices.json'),
      printer: () => recorded('usb-printer.printer.json'),
      networkInterfaces: () => recorded('this-machine.networkInterfaces.json'),
    };
    const sources = otherDeviceSources({ si, sysfsRoot: await tree(netInterface('eth0', 'devices/pci0000:00/0000:00:03.0/virtio2')) });
    expect(sources.map((s) => s.bus)).toEqual(['block', 'bluetooth', 'printer', 'network']);
    const lists = await Promise.all(sources.map((s) => s.list()));
    expect(lists.map((list) => list.map((d) => d.key))).toEqual([['vda'], ['34:88:5D:4E:5F:60', 'F0:99:B6:1A:2B:3C'], ['Staffroom_MFP', 'HP_LaserJet_Professional_P1102'], ['02:fc:00:00:00:01']]);
  });
});
