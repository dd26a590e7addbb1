import { mkdir, mkdtemp, readFile, realpath, rm, symlink, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Device } from '../../src/devices/device';
import { compareUsbNames, LinuxSysfsSource } from '../../src/devices/linux-sysfs-source';
import { SysfsReadError } from '../../src/devices/sysfs-files';
import { quoteRuleString } from '../../src/rules/escape';
import { loadUmockdevTree, materializeUmockdev, type UmockdevTree } from '../support/umockdev-tree';
import { recordings, UMOCKDEV_FIXTURES } from '../support/usbguard-oracle';

const FIXTURES = UMOCKDEV_FIXTURES;

const QUOTED = '("(?:[^"\\\\]|\\\\.)*")';
const EXPECTED_LINE = new RegExp(
  `^allow id (\\S+) serial ${QUOTED} name ${QUOTED} hash "([^"]*)" parent-hash "([^"]*)"(?: via-port "[^"]*")?(?: with-interface (\\{ [^}]* \\}|\\S+))? with-connect-type ${QUOTED}$`,
);

/** What `usbguard generate-policy` said about each device, without needing a rule parser. */
async function expectedDevices(recording: string) {
  const text = await readFile(join(FIXTURES, `${recording}.generate-policy.expected`), 'utf8');
  return text.trimEnd().split('\n').map((line) => {
    const match = EXPECTED_LINE.exec(line);
    if (!match) throw new Error(`unexpected line in ${recording}: ${line}`);
    const [, id, serial, name, hash, parentHash, interfaces = '', connectType] = match;
    return { id, serial, name, hash, parentHash, interfaces: interfaces.replace(/[{}]/g, '').trim(), connectType };
  });
}

function asUsbguardSees(device: Device) {
  const hex = (n: number): string => n.toString(16).padStart(2, '0');
  return {
    id: `${device.id.vendor}:${device.id.product}`,
    serial: quoteRuleString(device.serial),
    name: quoteRuleString(device.name),
    hash: device.hash,
    parentHash: device.parentHash,
    interfaces: device.interfaces.map((i) => `${hex(i.classCode)}:${hex(i.subclass)}:${hex(i.protocol)}`).join(' '),
    connectType: quoteRuleString(device.connectType),
  };
}

describe.each(recordings())('%s.umockdev', (recording) => {
  let tree: UmockdevTree;
  beforeAll(async () => {
    tree = await loadUmockdevTree(join(FIXTURES, `${recording}.umockdev`));
  });
  afterAll(() => tree.cleanup());

  test('lists the devices USBGuard lists, in its order, with its hashes and attributes', async () => {
    const devices = await new LinuxSysfsSource({ sysfsRoot: tree.sysfsRoot }).listUsbDevices();
    expect(devices.map(asUsbguardSees)).toEqual(await expectedDevices(recording));
  });

  test('reads each device alone the same as in the listing', async () => {
    const source = new LinuxSysfsSource({ sysfsRoot: tree.sysfsRoot });
    for (const device of await source.listUsbDevices()) expect(await source.readUsbDevice(device.viaPort)).toEqual(device);
  });
});

describe('LinuxSysfsSource on USBGuard devices.umockdev', () => {
  let tree: UmockdevTree;
  beforeAll(async () => {
    tree = await loadUmockdevTree(join(FIXTURES, 'devices.umockdev'));
  });
  afterAll(() => tree.cleanup());

  test('describes a device fully', async () => {
    const keyboard = await new LinuxSysfsSource({ sysfsRoot: tree.sysfsRoot }).readUsbDevice('1-4.1.3');
    expect(keyboard).toEqual<Device>({
      id: { vendor: '1111', product: '1111' },
      serial: '',
      name: 'Ergo Pro Keyboard',
      manufacturer: 'Matias',
      hash: 'PZpkvPicQac78Xr81yaD5e23I7xPDZ7UvRC4bg2b97w=',
      parentHash: 'nuKo91iQt3bWGpJEOr/amACCFBOYbtsrbOb+ks+DrBA=',
      viaPort: '1-4.1.3',
      interfaces: [
        { classCode: 3, subclass: 1, protocol: 1 },
        { classCode: 3, subclass: 1, protocol: 0 },
      ],
      connectType: '',
      kind: 'keyboard',
      warnings: [],
      authorized: true,
      sysfsPath: 'devices/pci0000:00/0000:00:14.0/usb1/1-4/1-4.1/1-4.1.3',
    });
  });

  test('root hubs are devices, whose parent hash is the hash of their controller path', async () => {
    const [root] = await new LinuxSysfsSource({ sysfsRoot: tree.sysfsRoot }).listUsbDevices();
    expect(root).toMatchObject({ viaPort: 'usb1', kind: 'hub', serial: '0000:00:14.0', parentHash: 'rV9bfLq7c2eA4tYjVjwO4bxhm+y6GgZpl9J60L0fBkY=' });
  });

  test('refuses names that are not entries of bus/usb/devices, and entries that are not USB devices', async () => {
    const source = new LinuxSysfsSource({ sysfsRoot: tree.sysfsRoot });
    for (const name of ['', '.', '..', '../usb1', '1-4/1-4.1']) await expect(source.readUsbDevice(name)).rejects.toThrow(SysfsReadError);
    await expect(source.readUsbDevice('9-9')).rejects.toThrow(/cannot resolve .*bus\/usb\/devices\/9-9/);
  });
});

describe('LinuxSysfsSource on Portcullis edge cases', () => {
  let tree: UmockdevTree;
  let devices: Map<string, Device>;
  beforeAll(async () => {
    tree = await loadUmockdevTree(join(FIXTURES, 'portcullis-edge-cases.umockdev'));
    devices = new Map((await new LinuxSysfsSource({ sysfsRoot: tree.sysfsRoot }).listUsbDevices()).map((d) => [d.viaPort, d]));
  });
  afterAll(() => tree.cleanup());

  test("reads connect_type through the port link; a root hub has none", () => {
    expect(['usb1', '1-1', '1-2', '1-3', '1-12', '1-4'].map((port) => devices.get(port)?.connectType)).toEqual([
      '', 'hotplug', 'hardwired', 'not used', 'unknown', '',
    ]);
  });

  test('keeps what USBGuard keeps of names: trailing spaces, non-ASCII, quotes', () => {
    expect(devices.get('1-2')?.name).toBe('Trail  ');
    expect(devices.get('1-3')?.name).toBe('Café "Q" \\ end');
    expect(devices.get('1-3')?.serial).toBe('');
  });

  test('reports authorisation, and flags a storage stick that is also a keyboard', () => {
    expect(devices.get('1-9')?.authorized).toBe(false);
    expect(devices.get('1-1')?.authorized).toBe(true);
    expect(devices.get('1-1')).toMatchObject({ kind: 'storage', warnings: ['this USB storage device also presents itself as a keyboard'] });
    expect(devices.get('2-1')).toMatchObject({ kind: 'network', warnings: ['this network adapter also presents itself as a keyboard'] });
    expect(devices.get('1-12.1')?.kind).toBe('phone-or-camera');
    expect(devices.get('1-12.2')?.kind).toBe('serial');
  });

  test('leaves out what USBGuard cannot read, saying which file is at fault', async () => {
    const { skipped } = await new LinuxSysfsSource({ sysfsRoot: tree.sysfsRoot }).scanUsbDevices();
    const reasons = new Map(skipped.map((s) => [s.sysfsName, s.reason]));
    expect([...reasons.keys()].sort()).toEqual(['1-11', '1-6', '1-6.1', '1-7']);
    expect(reasons.get('1-6')).toMatch(/\/1-6\/idVendor is missing$/);
    expect(reasons.get('1-6.1')).toMatch(/^the parent device 1-6 could not be read \(.*\/1-6\/idVendor is missing\)$/);
    expect(reasons.get('1-7')).toMatch(/\/1-7\/descriptors: a partial descriptor header at byte 43$/);
    expect(reasons.get('1-11')).toMatch(/\/1-11\/product: the product name is 254 bytes, more than USBGuard accepts \(253\)$/);
  });

  test('a device whose uevent hides DEVTYPE behind a udev property is not a USB device, as for USBGuard', async () => {
    expect(devices.has('1-8')).toBe(false);
    await expect(new LinuxSysfsSource({ sysfsRoot: tree.sysfsRoot }).readUsbDevice('1-8')).rejects.toThrow(/uevent: not a USB device/);
  });
});

describe('LinuxSysfsSource on odd trees', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'portcullis-sysfs-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  const ROOT_HUB = `P: /devices/platform/ehci/usb1
E: DEVTYPE=usb_device
E: SUBSYSTEM=usb
A: authorized=1
A: idVendor=1d6b
A: idProduct=0002
H: descriptors=12010002090000406B1D020005030302010109021900010100E0000904000001090000000705810304000C

P: /devices/platform/ehci
E: SUBSYSTEM=platform
`;

  test('a tree without bus/usb/devices has no USB devices; a missing root is an error', async () => {
    expect(await new LinuxSysfsSource({ sysfsRoot: dir }).listUsbDevices()).toEqual([]);
    await expect(new LinuxSysfsSource({ sysfsRoot: join(dir, 'nope') }).listUsbDevices()).rejects.toThrow(/cannot open the sysfs root/);
  });

  test('optional attributes may be missing; required ones may not', async () => {
    const sys = await materializeUmockdev(ROOT_HUB, dir);
    const [hub] = await new LinuxSysfsSource({ sysfsRoot: sys }).listUsbDevices();
    expect(hub).toMatchObject({ name: '', serial: '', manufacturer: '', kind: 'hub', sysfsPath: 'devices/platform/ehci/usb1' });
    for (const required of ['authorized', 'idProduct', 'descriptors']) {
      const tree = await mkdtemp(join(tmpdir(), 'portcullis-sysfs-'));
      const root = await materializeUmockdev(ROOT_HUB, tree);
      await unlink(join(root, 'devices/platform/ehci/usb1', required));
      const scan = await new LinuxSysfsSource({ sysfsRoot: root }).scanUsbDevices();
      expect(scan.skipped).toEqual([{ sysfsName: 'usb1', reason: `${await realpath(root)}/devices/platform/ehci/usb1/${required} is missing` }]);
      await rm(tree, { recursive: true, force: true });
    }
  });

  test("a device whose parent has no uevent is left out, naming the parent's uevent", async () => {
    const sys = await materializeUmockdev(ROOT_HUB, dir);
    await unlink(join(sys, 'devices/platform/ehci/uevent'));
    const scan = await new LinuxSysfsSource({ sysfsRoot: sys }).scanUsbDevices();
    expect(scan.skipped[0]?.reason).toMatch(/devices\/platform\/ehci\/uevent is missing$/);
  });

  test('ids must be 1 to 4 characters', async () => {
    const sys = await materializeUmockdev(ROOT_HUB.replace('idVendor=1d6b', 'idVendor=1d6b0'), dir);
    const scan = await new LinuxSysfsSource({ sysfsRoot: sys }).scanUsbDevices();
    expect(scan.skipped[0]?.reason).toMatch(/idVendor: expected a vendor or product id of 1 to 4 characters, found "1d6b0"$/);
  });

  test('bus entries that point outside the sysfs root, or nowhere, are left out', async () => {
    const sys = await materializeUmockdev(ROOT_HUB, dir);
    const outside = await mkdtemp(join(tmpdir(), 'portcullis-outside-'));
    await symlink(outside, join(sys, 'bus/usb/devices/usb9'));
    await symlink(join(sys, 'nowhere'), join(sys, 'bus/usb/devices/usb8'));
    await mkdir(join(sys, 'bus/usb/devices/usb7'));
    const scan = await new LinuxSysfsSource({ sysfsRoot: sys }).scanUsbDevices();
    expect(scan.devices.map((d) => d.viaPort)).toEqual(['usb1']);
    expect(scan.skipped.map((s) => s.sysfsName)).toEqual(['usb7', 'usb8', 'usb9']);
    expect(scan.skipped[2]?.reason).toMatch(/points outside/);
    await rm(outside, { recursive: true, force: true });
  });
});

describe('compareUsbNames', () => {
  test("sorts as USBGuard enumerates: root hubs, then shorter names, then by name", () => {
    const names = ['1-10', '1-2.1', 'usb2', '1-2', '2-1', 'usb1', '1-1:1.0', '1-1'];
    expect(names.sort(compareUsbNames)).toEqual(['usb1', 'usb2', '1-1', '1-2', '2-1', '1-10', '1-2.1', '1-1:1.0']);
  });
});
