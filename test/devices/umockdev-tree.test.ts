import { lstat, readFile, readlink, realpath } from 'node:fs/promises';
import { join } from 'node:path';
import { loadUmockdevTree, parseUmockdev, strcompress, type UmockdevTree } from '../support/umockdev-tree';
import { HAVE_UMOCKDEV, listTree, listUmockdevTree, recordings, UMOCKDEV_FIXTURES, whenInstalled } from '../support/usbguard-oracle';


describe('strcompress (GLib escapes in A: values)', () => {
  test.each([
    ['plain', 'Name', 'Name'],
    ['newline', 'busnum=1\\n', 'busnum=1\n'],
    ['C escapes', '\\t\\r\\b\\f\\v', '\t\r\b\f\v'],
    ['backslash and quote', '\\\\ \\"', '\\ "'],
    ['octal bytes', 'Caf\\303\\251', 'Caf\u00c3\u00a9'],
    ['one-digit octal', '\\0x', '\0x'],
    ['an unknown escape', '\\q', 'q'],
    ['UTF-8 text', 'Café', 'Caf\u00c3\u00a9'],
  ])('%s', (_what, input, bytes) => {
    expect(strcompress(input).toString('latin1')).toBe(bytes);
  });

  test('a trailing backslash is an error', () => {
    expect(() => strcompress('x\\')).toThrow(/trailing backslash/);
  });
});

describe('parseUmockdev', () => {
  test('reads paragraphs, properties, attributes, binary attributes and links', () => {
    const [device, ...rest] = parseUmockdev(
      'P: /devices/usb1\nN: bus/usb/001/001=1201\nE: DEVNAME=/dev/bus/usb/001/001\nE: SUBSYSTEM=usb\nA: product=Hub\\n\nH: descriptors=1201\nL: driver=../bus/usb/drivers/usb\nS: ignored\n\n\nP: /devices/usb2\nE: SUBSYSTEM=usb\n',
    );
    expect(rest).toHaveLength(1);
    expect(device).toEqual({
      path: '/devices/usb1',
      subsystem: 'usb',
      properties: [
        ['DEVNAME', 'bus/usb/001/001'],
        ['SUBSYSTEM', 'usb'],
      ],
      attributes: [
        ['product', Buffer.from('Hub\n')],
        ['descriptors', Buffer.from([0x12, 0x01])],
      ],
      links: [['driver', '../bus/usb/drivers/usb']],
    });
  });

  test.each([
    ['a paragraph without P:', 'E: SUBSYSTEM=usb\n', /must start with "P: \/devices\/..."/],
    ['a path outside /devices', 'P: /sys/usb1\nE: SUBSYSTEM=usb\n', /must start with/],
    ['a device without SUBSYSTEM', 'P: /devices/usb1\nA: x=1\n', /missing SUBSYSTEM/],
    ['an unknown line', 'P: /devices/usb1\nE: SUBSYSTEM=usb\nQ: what\n', /malformed line/],
    ['bad hex', 'P: /devices/usb1\nE: SUBSYSTEM=usb\nH: descriptors=123\n', /bad hex/],
  ])('rejects %s', (_what, text, message) => {
    expect(() => parseUmockdev(text)).toThrow(message);
  });
});

describe('loadUmockdevTree', () => {
  let tree: UmockdevTree;
  beforeAll(async () => {
    tree = await loadUmockdevTree(join(UMOCKDEV_FIXTURES, 'fido2.umockdev'));
  });
  afterAll(() => tree.cleanup());

  const at = (relative: string): string => join(tree.sysfsRoot, relative);
  const KEY = 'devices/pci0000:00/0000:00:08.1/0000:05:00.3/usb1/1-2/1-2.3';

  test('links bus/usb/devices entries to the device directories, as sysfs does', async () => {
    expect(await readlink(at('bus/usb/devices/1-2.3'))).toBe(`../../../${KEY}`);
    expect(await realpath(at('bus/usb/devices/1-2.3'))).toBe(await realpath(at(KEY)));
    expect(await readlink(at('bus/usb/devices/1-2.3:1.0'))).toBe(`../../../${KEY}/1-2.3:1.0`);
  });

  test('gives each device a subsystem link and a class or bus entry', async () => {
    expect(await readlink(at(`${KEY}/subsystem`))).toBe('../../../../../../../bus/usb');
    expect(await readlink(at(`${KEY}/1-2.3:1.0/0003:1050:0120.000A/hidraw/hidraw5/subsystem`))).toBe('../../../../../../../../../../../class/hidraw');
    expect((await lstat(at('class/hidraw/hidraw5'))).isSymbolicLink()).toBe(true);
    expect((await lstat(at('bus/pci/devices/0000:05:00.3'))).isSymbolicLink()).toBe(true);
  });

  test('writes udev properties to uevent, attributes as files and L: lines as links', async () => {
    const uevent = await readFile(at(`${KEY}/uevent`), 'utf8');
    expect(uevent).toMatch(/^DEVNAME=bus\/usb\/001\/012\nDEVTYPE=usb_device\nDRIVER=usb\n/);
    expect(await readFile(at(`${KEY}/product`), 'utf8')).toBe('Security Key by Yubico\n');
    expect((await readFile(at(`${KEY}/descriptors`))).subarray(0, 2)).toEqual(Buffer.from([0x12, 0x01]));
    expect(await readlink(at(`${KEY}/port`))).toBe('../1-2:1.0/1-2-port3');
    expect(await readFile(at(`${KEY}/power/control`), 'utf8')).toBe('on\n');
  });

  test('links device numbers under dev/char', async () => {
    expect(await realpath(at('dev/char/189:11'))).toBe(await realpath(at(KEY)));
  });
});

describe('loadUmockdevTree builds what umockdev-run builds', () => {
  whenInstalled(HAVE_UMOCKDEV, 'umockdev-run', () => {
    test.each(recordings())('%s', async (recording) => {
      const tree = await loadUmockdevTree(join(UMOCKDEV_FIXTURES, `${recording}.umockdev`));
      try {
        expect(listTree(tree.sysfsRoot)).toBe(listUmockdevTree(recording));
      } finally {
        await tree.cleanup();
      }
    });
  });
});
