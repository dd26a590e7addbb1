/** Reads `system_profiler -json SPUSBDataType SPUSBHostDataType` (macOS): USB devices with their place in the tree and their disks. */

/** One USB device as system_profiler describes it, whichever of its two formats it used. */
export interface ProfiledUsbDevice {
  /** Four lower-case hex digits. */
  vendor: string;
  product: string;
  name: string;
  manufacturer: string;
  /** '' when the device has none (`Not Provided` in the newer format). */
  serial: string;
  /** `0x14500000`: the location ID, which names the port path; '' if not reported. */
  locationId: string;
  /** `hotplug`, `hardwired` or '' (unknown), in USBGuard's words. */
  connectType: string;
  /** Whole-disk BSD names (`disk4`) of its storage, from the older format's `Media` entries. */
  bsdNames: string[];
  /** Devices plugged into it (it is a hub). */
  children: ProfiledUsbDevice[];
}

/** An entry the profile listed under a bus but that could not be read as a device. */
export interface SkippedProfileEntry {
  name: string;
  reason: string;
}

export interface UsbProfile {
  /** Devices on each bus, hubs holding their children; buses themselves are not devices. */
  devices: ProfiledUsbDevice[];
  skipped: SkippedProfileEntry[];
  /** Which data type the devices came from: up to macOS 15 `SPUSBDataType`, on newer macOS often only `SPUSBHostDataType`. */
  format: 'SPUSBDataType' | 'SPUSBHostDataType';
}

type Entry = Record<string, unknown>;

const APPLE_VENDOR = '05ac';

function isEntry(value: unknown): value is Entry {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function entries(value: unknown): Entry[] {
  return Array.isArray(value) ? value.filter(isEntry) : [];
}

function text(entry: Entry, key: string): string {
  const value = entry[key];
  return typeof value === 'string' ? value.trim() : '';
}

/** `0x0781  (SanDisk Corporation)`, `0x1050`, or `apple_vendor_id` to four lower-case hex digits. */
export function parseUsbIdText(value: string): string | undefined {
  if (value === 'apple_vendor_id') return APPLE_VENDOR;
  const match = /^0x([0-9a-f]{1,4})\b/i.exec(value);
  return match?.[1]?.toLowerCase().padStart(4, '0');
}

/** `0x14500000 / 4` (location and USB address) to `0x14500000`. */
function locationOf(value: string): string {
  return value.split('/')[0]?.trim() ?? '';
}

/** The older format's `Built-in_Device`, the newer one's `USBKeyHardwareType`, in USBGuard's connect-type words. */
function connectTypeOf(entry: Entry): string {
  const hardware = text(entry, 'USBKeyHardwareType');
  if (hardware === 'Removable') return 'hotplug';
  if (hardware === 'Non-removable' || hardware === 'Built-in' || text(entry, 'Built-in_Device') === 'Yes') return 'hardwired';
  return '';
}

function bsdNamesOf(entry: Entry): string[] {
  return entries(entry.Media)
    .map((media) => text(media, 'bsd_name'))
    .filter((name) => /^disk\d+$/.test(name));
}

/** The same facts under the two formats' key names. */
const KEYS = {
  SPUSBDataType: { vendor: 'vendor_id', product: 'product_id', serial: 'serial_num', manufacturer: 'manufacturer', location: 'location_id' },
  SPUSBHostDataType: {
    vendor: 'USBDeviceKeyVendorID',
    product: 'USBDeviceKeyProductID',
    serial: 'USBDeviceKeySerialNumber',
    manufacturer: 'USBDeviceKeyVendorName',
    location: 'USBKeyLocationID',
  },
} as const;

function readDevices(items: unknown, format: UsbProfile['format'], skipped: SkippedProfileEntry[]): ProfiledUsbDevice[] {
  const keys = KEYS[format];
  const devices: ProfiledUsbDevice[] = [];
  for (const entry of entries(items)) {
    const name = text(entry, '_name');
    const vendor = parseUsbIdText(text(entry, keys.vendor));
    const product = parseUsbIdText(text(entry, keys.product));
    const children = readDevices(entry._items, format, skipped);
    if (!vendor || !product) {
      skipped.push({ name, reason: `no vendor and product id (${keys.vendor} "${text(entry, keys.vendor)}", ${keys.product} "${text(entry, keys.product)}")` });
      devices.push(...children);
      continue;
    }
    const serial = text(entry, keys.serial);
    devices.push({
      vendor,
      product,
      name,
      manufacturer: text(entry, keys.manufacturer),
      serial: serial === 'Not Provided' ? '' : serial,
      locationId: locationOf(text(entry, keys.location)),
      connectType: connectTypeOf(entry),
      bsdNames: bsdNamesOf(entry),
      children,
    });
  }
  return devices;
}

function devicesOnBuses(buses: unknown, format: UsbProfile['format'], skipped: SkippedProfileEntry[]): ProfiledUsbDevice[] {
  return entries(buses).flatMap((bus) => readDevices(bus._items, format, skipped));
}

/**
 * Parses the JSON. The older `SPUSBDataType` (which lists a storage device's disks under `Media`)
 * is used when it holds any device; otherwise `SPUSBHostDataType`, which newer macOS fills
 * instead and which names no disks. Throws on text that is not a system_profiler JSON document.
 */
export function parseUsbProfile(json: string): UsbProfile {
  let document: unknown;
  try {
    document = JSON.parse(json);
  } catch (error) {
    throw new Error(`system_profiler printed something that is not JSON: ${String(error)}`);
  }
  if (!isEntry(document) || (!('SPUSBDataType' in document) && !('SPUSBHostDataType' in document))) {
    throw new Error('system_profiler printed neither SPUSBDataType nor SPUSBHostDataType');
  }
  const skipped: SkippedProfileEntry[] = [];
  const legacy = devicesOnBuses(document.SPUSBDataType, 'SPUSBDataType', skipped);
  if (legacy.length > 0 || !('SPUSBHostDataType' in document)) return { devices: legacy, skipped, format: 'SPUSBDataType' };
  const hostSkipped: SkippedProfileEntry[] = [];
  return { devices: devicesOnBuses(document.SPUSBHostDataType, 'SPUSBHostDataType', hostSkipped), skipped: hostSkipped, format: 'SPUSBHostDataType' };
}
