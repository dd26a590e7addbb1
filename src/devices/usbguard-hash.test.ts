import { parseUsbDescriptors } from './usb-descriptors';
import { usbguardDeviceHash, usbguardPathHash } from './usbguard-hash';

// Values from USBGuard's devices.umockdev and what `usbguard generate-policy` printed for it.
const ROOT_HUB = Buffer.from('12010002090001406B1D020015040302010109021900010100E0000904000001090000000705810304000C', 'hex');
const DOCK = Buffer.from('1201100209000140EF175A3010500102000109021900010100E0000904000001090000000705810301000C', 'hex');

const identity = (name: string, vendor: string, product: string, serial: string) => ({
  name: Buffer.from(name),
  vendor: Buffer.from(vendor),
  product: Buffer.from(product),
  serial: Buffer.from(serial),
});

const hashOf = (id: ReturnType<typeof identity>, data: Buffer): string => usbguardDeviceHash(id, data, parseUsbDescriptors(data));

describe('usbguardDeviceHash', () => {
  test('matches USBGuard for a device', () => {
    expect(hashOf(identity('Lenovo ThinkPad WS Dock', '17ef', '305a', ''), DOCK)).toBe('2y2qS3rcuMr1Ye5knWsbD8CGzPtrs+eiRR/haro7+Ng=');
  });

  test('matches USBGuard for a Linux root hub', () => {
    expect(hashOf(identity('xHCI Host Controller', '1d6b', '0002', '0000:00:14.0'), ROOT_HUB)).toBe('jEP/6WzviqdJ5VSeTUY8PatCNBKeaREvo2OqdplND/o=');
  });

  test("ignores a root hub's bcdDevice (the kernel version), but not another device's", () => {
    const rootId = identity('xHCI Host Controller', '1d6b', '0002', '0000:00:14.0');
    const newerKernel = Buffer.from(ROOT_HUB);
    newerKernel.writeUInt16LE(0x0601, 12);
    expect(hashOf(rootId, newerKernel)).toBe(hashOf(rootId, ROOT_HUB));

    const dockId = identity('Lenovo ThinkPad WS Dock', '17ef', '305a', '');
    const newerFirmware = Buffer.from(DOCK);
    newerFirmware.writeUInt16LE(0x5011, 12);
    expect(hashOf(dockId, newerFirmware)).not.toBe(hashOf(dockId, DOCK));
  });

  test('covers the name, ids, serial number and every descriptor byte', () => {
    const base = hashOf(identity('Dock', '17ef', '305a', ''), DOCK);
    expect(hashOf(identity('Dock2', '17ef', '305a', ''), DOCK)).not.toBe(base);
    expect(hashOf(identity('Dock', '17ef', '305b', ''), DOCK)).not.toBe(base);
    expect(hashOf(identity('Dock', '17ef', '305a', 'X'), DOCK)).not.toBe(base);
    const otherEndpoint = Buffer.from(DOCK);
    otherEndpoint[otherEndpoint.length - 1] = 0x0d;
    expect(hashOf(identity('Dock', '17ef', '305a', ''), otherEndpoint)).not.toBe(base);
  });

  test('joins the text fields without separators, as USBGuard does', () => {
    expect(hashOf(identity('ab', 'c', 'd', ''), DOCK)).toBe(hashOf(identity('a', 'bc', 'd', ''), DOCK));
  });
});

describe('usbguardPathHash', () => {
  test("hashes a root hub's controller path as USBGuard does", () => {
    expect(usbguardPathHash('/devices/pci0000:00/0000:00:14.0')).toBe('rV9bfLq7c2eA4tYjVjwO4bxhm+y6GgZpl9J60L0fBkY=');
  });
});
