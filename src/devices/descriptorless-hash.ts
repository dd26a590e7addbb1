/** The device `hash` on platforms that give no raw USB descriptors (Windows PnP, macOS system_profiler); not USBGuard's. */
import { createHash } from 'node:crypto';

/** Marks the hash as Portcullis's own, so it can never equal a USBGuard hash of the same device. */
const DOMAIN = 'portcullis-descriptorless-v1';

export interface DescriptorlessIdentity {
  /** Four lower-case hex digits. */
  vendor: string;
  product: string;
  /** The serial number as the platform reports it, or '' when the device has none. */
  serial: string;
}

/**
 * SHA-256 (base64, as USBGuard prints its hashes) over a domain label, vendor id, product id and
 * serial, separated by NUL bytes. USBGuard's hash also covers the raw descriptors, which neither
 * PnP nor system_profiler report, so the two hashes differ for the same device. The name is left
 * out on purpose: Windows reports the driver's description ("USB Mass Storage Device"), which
 * changes when a driver is installed, and a hash must not change when SLT approve a device.
 */
export function descriptorlessHash(identity: DescriptorlessIdentity): string {
  return createHash('sha256').update([DOMAIN, identity.vendor, identity.product, identity.serial].join('\0')).digest('base64');
}
