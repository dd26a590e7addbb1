/** USBGuard's device `hash` and `parent-hash` values: SHA-256, base64, over the same bytes USBGuard feeds its hash. */
import { createHash } from 'node:crypto';
import { USB_DESCRIPTOR_DEVICE, type UsbDescriptors } from './usb-descriptors';

/** The text attributes USBGuard hashes, as the bytes read from sysfs (after its trimming). */
export interface UsbHashIdentity {
  name: Uint8Array;
  vendor: Uint8Array;
  product: Uint8Array;
  serial: Uint8Array;
}

const LINUX_FOUNDATION_VENDOR = 0x1d6b;
/** 1.1, 2.0 and 3.0 root hubs. */
const LINUX_ROOT_HUB_PRODUCTS = new Set([0x0001, 0x0002, 0x0003]);
/** Offset of bcdDevice in the device descriptor. */
const BCD_DEVICE_OFFSET = 12;

/**
 * A Linux root hub's bcdDevice is the kernel version; USBGuard hashes it as zero so that a
 * root hub keeps its hash across kernel updates.
 */
function isLinuxRootHub(descriptors: UsbDescriptors): boolean {
  return descriptors.device.idVendor === LINUX_FOUNDATION_VENDOR && LINUX_ROOT_HUB_PRODUCTS.has(descriptors.device.idProduct);
}

/**
 * The device hash: SHA-256 over name, vendor id, product id and serial (no separators),
 * then every descriptor's bytes in order, with a Linux root hub's bcdDevice zeroed.
 * `data` is the descriptor data that `descriptors` was parsed from.
 */
export function usbguardDeviceHash(identity: UsbHashIdentity, data: Uint8Array, descriptors: UsbDescriptors): string {
  const hash = createHash('sha256');
  hash.update(identity.name).update(identity.vendor).update(identity.product).update(identity.serial);
  const zeroBcdDevice = isLinuxRootHub(descriptors);
  for (const span of descriptors.spans) {
    const bytes = Buffer.from(data.subarray(span.offset, span.offset + span.length));
    if (zeroBcdDevice && span.type === USB_DESCRIPTOR_DEVICE) bytes.fill(0, BCD_DEVICE_OFFSET, BCD_DEVICE_OFFSET + 2);
    hash.update(bytes);
  }
  return hash.digest('base64');
}

/**
 * The parent hash of a device whose parent is not a USB device (a root hub, whose parent is
 * its host controller): SHA-256 of the parent's sysfs path relative to the sysfs root, with
 * a leading slash, e.g. `/devices/pci0000:00/0000:00:14.0`.
 */
export function usbguardPathHash(sysfsDevicePath: string): string {
  return createHash('sha256').update(sysfsDevicePath).digest('base64');
}
