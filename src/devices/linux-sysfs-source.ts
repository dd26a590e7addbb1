/** Reads the USB devices present in a Linux sysfs tree (`/sys` or a recorded copy) into `Device` values, as USBGuard sees them. */
import { realpathSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { posix as path } from 'node:path';
import { bytesToString } from '../rules/escape';
import type { Device } from './device';
import { classifyDevice } from './device-kind';
import { isUsbDeviceUevent, parseUevent } from './sysfs-uevent';
import { errorCode, readSysfsFile, readSysfsText, readSysfsUeventText, SysfsReadError } from './sysfs-files';
import { parseUsbDescriptors, UsbDescriptorError } from './usb-descriptors';
import { usbguardDeviceHash, usbguardPathHash } from './usbguard-hash';

export interface LinuxSysfsSourceOptions {
  /** Where sysfs is mounted; `/sys` unless a test or a recorded tree says otherwise. */
  sysfsRoot?: string;
}

/** A `bus/usb/devices` entry that is a USB device but could not be read; USBGuard leaves such devices out too. */
export interface SkippedUsbDevice {
  sysfsName: string;
  reason: string;
}

export interface UsbDeviceScan {
  /** In USBGuard's enumeration order: root hubs first, then by name length, then by name. */
  devices: Device[];
  skipped: SkippedUsbDevice[];
}

/** USBGuard refuses longer names, serial numbers and connect types (a string descriptor's limit). */
const USB_STRING_MAX_BYTES = 253;
/** USBGuard's limit on a vendor or product id's text. */
const USB_ID_MAX_BYTES = 4;

/** USBGuard's enumeration order: `usb*` (root hubs) first, then shorter names, then by name. */
export function compareUsbNames(a: string, b: string): number {
  const aRoot = a.startsWith('usb');
  const bRoot = b.startsWith('usb');
  if (aRoot !== bRoot) return aRoot ? -1 : 1;
  if (a.length !== b.length) return a.length - b.length;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Sysfs text as rule strings hold it: UTF-8, with any stray byte kept (see `bytesToString`). */
function decode(bytes: Buffer): string {
  return bytesToString([...bytes]);
}

function checkLength(bytes: Buffer, max: number, what: string, file: string): void {
  if (bytes.length > max) throw new SysfsReadError(`${file}: the ${what} is ${bytes.length} bytes, more than USBGuard accepts (${max})`, file);
}

function readId(bytes: Buffer, file: string): string {
  if (bytes.length === 0 || bytes.length > USB_ID_MAX_BYTES) {
    throw new SysfsReadError(`${file}: expected a vendor or product id of 1 to ${USB_ID_MAX_BYTES} characters, found "${decode(bytes)}"`, file);
  }
  return decode(bytes);
}

export class LinuxSysfsSource {
  private readonly sysfsRoot: string;

  constructor(options: LinuxSysfsSourceOptions = {}) {
    this.sysfsRoot = options.sysfsRoot ?? '/sys';
  }

  /** Every readable USB device, root hubs included, in USBGuard's order. */
  async listUsbDevices(): Promise<Device[]> {
    return (await this.scanUsbDevices()).devices;
  }

  /** Every USB device, with the reason for each one that could not be read. */
  async scanUsbDevices(): Promise<UsbDeviceScan> {
    const root = await this.resolveRoot();
    const busDir = path.join(root, 'bus/usb/devices');
    let entries;
    try {
      entries = await readdir(busDir, { withFileTypes: true });
    } catch (error) {
      // No USB bus at all: USBGuard treats a missing directory as no devices.
      if (errorCode(error) === 'ENOENT') return { devices: [], skipped: [] };
      throw new SysfsReadError(`cannot list ${busDir}: ${String(error)}`, busDir);
    }
    const names = entries.filter((e) => e.isSymbolicLink() || e.isDirectory()).map((e) => e.name).sort(compareUsbNames);
    const cache = new Map<string, Promise<Device>>();
    const scan: UsbDeviceScan = { devices: [], skipped: [] };
    for (const sysfsName of names) {
      try {
        const devicePath = await this.resolveBusEntry(root, sysfsName);
        const uevent = parseUevent(await readSysfsUeventText(path.join(root, devicePath, 'uevent')));
        if (isUsbDeviceUevent(uevent)) scan.devices.push(await this.readCached(root, devicePath, cache));
      } catch (error) {
        if (!(error instanceof SysfsReadError)) throw error;
        scan.skipped.push({ sysfsName, reason: error.message });
      }
    }
    return scan;
  }

  /**
   * One USB device by its name under `bus/usb/devices`, such as `1-4.1` or `usb1`. `known`
   * gives devices already read (the watcher's), so a new device's parent hash need not be
   * computed again from the parent's files: that is most of the work on the hot path.
   */
  async readUsbDevice(sysfsName: string, known?: (viaPort: string) => Device | undefined): Promise<Device> {
    if (sysfsName === '' || sysfsName === '.' || sysfsName === '..' || sysfsName.includes('/')) {
      throw new SysfsReadError(`"${sysfsName}" is not a device name under bus/usb/devices`, sysfsName);
    }
    const root = await this.resolveRoot();
    const devicePath = await this.resolveBusEntry(root, sysfsName);
    const ueventFile = path.join(root, devicePath, 'uevent');
    if (!isUsbDeviceUevent(parseUevent(await readSysfsUeventText(ueventFile)))) {
      throw new SysfsReadError(`${ueventFile}: not a USB device (DEVTYPE is not usb_device)`, ueventFile);
    }
    const cache = new Map<string, Promise<Device>>();
    const parent = known?.(path.basename(path.dirname(devicePath)));
    if (parent) cache.set(`/${parent.sysfsPath}`, Promise.resolve(parent));
    return this.readCached(root, devicePath, cache);
  }

  private async resolveRoot(): Promise<string> {
    try {
      return realpathSync(this.sysfsRoot);
    } catch (error) {
      throw new SysfsReadError(`cannot open the sysfs root ${this.sysfsRoot}: ${String(error)}`, this.sysfsRoot);
    }
  }

  /** The device's path relative to the sysfs root, with a leading slash: `/devices/pci0000:00/.../1-4`. */
  private async resolveBusEntry(root: string, sysfsName: string): Promise<string> {
    const entry = path.join(root, 'bus/usb/devices', sysfsName);
    let target: string;
    try {
      target = realpathSync(entry);
    } catch (error) {
      throw new SysfsReadError(`cannot resolve ${entry}: ${String(error)}`, entry);
    }
    const relative = path.relative(root, target);
    if (relative === '' || relative.startsWith('../') || relative === '..') throw new SysfsReadError(`${entry} points outside ${root}`, entry);
    return `/${relative}`;
  }

  private readCached(root: string, devicePath: string, cache: Map<string, Promise<Device>>): Promise<Device> {
    let device = cache.get(devicePath);
    if (!device) {
      device = this.readDeviceAt(root, devicePath, cache);
      cache.set(devicePath, device);
    }
    return device;
  }

  /** The parent's hash if the parent is a USB device, else (a root hub) the hash of the controller's path. */
  private async parentHash(root: string, devicePath: string, cache: Map<string, Promise<Device>>): Promise<string> {
    const parentPath = path.dirname(devicePath);
    if (!cache.has(parentPath)) {
      const parentUevent = parseUevent(await readSysfsUeventText(path.join(root, parentPath, 'uevent')));
      if (!isUsbDeviceUevent(parentUevent)) return usbguardPathHash(parentPath);
    }
    try {
      return (await this.readCached(root, parentPath, cache)).hash;
    } catch (error) {
      if (!(error instanceof SysfsReadError)) throw error;
      throw new SysfsReadError(`the parent device ${path.basename(parentPath)} could not be read (${error.message})`, error.file);
    }
  }

  private async readDeviceAt(root: string, devicePath: string, cache: Map<string, Promise<Device>>): Promise<Device> {
    const dir = path.join(root, devicePath);
    const file = (name: string): string => path.join(dir, name);
    const viaPort = path.basename(devicePath);
    // Read in parallel: each sysfs read is a system call, and the hot path waits for all of them.
    const [parentHash, name, vendorBytes, productBytes, serial, authorizedText, connectType, manufacturer, data] = await Promise.all([
      this.parentHash(root, devicePath, cache),
      readSysfsText(file('product'), true),
      readSysfsText(file('idVendor'), false),
      readSysfsText(file('idProduct'), false),
      readSysfsText(file('serial'), true),
      readSysfsText(file('authorized'), false),
      // Host controllers (root hubs) hang off no port, so USBGuard does not look for one.
      viaPort.startsWith('usb') ? Buffer.alloc(0) : readSysfsText(file('port/connect_type'), true),
      readSysfsText(file('manufacturer'), true),
      readSysfsFile(file('descriptors'), false).then((d) => d ?? Buffer.alloc(0)),
    ]);
    checkLength(name, USB_STRING_MAX_BYTES, 'product name', file('product'));
    const id = { vendor: readId(vendorBytes, file('idVendor')), product: readId(productBytes, file('idProduct')) };
    checkLength(serial, USB_STRING_MAX_BYTES, 'serial number', file('serial'));
    const authorized = decode(authorizedText) === '1';
    checkLength(connectType, USB_STRING_MAX_BYTES, 'connect type', file('port/connect_type'));

    let descriptors;
    try {
      descriptors = parseUsbDescriptors(data);
    } catch (error) {
      if (!(error instanceof UsbDescriptorError)) throw error;
      throw new SysfsReadError(`${file('descriptors')}: ${error.message}`, file('descriptors'));
    }
    const hash = usbguardDeviceHash({ name, vendor: vendorBytes, product: productBytes, serial }, data, descriptors);
    const { kind, warnings } = classifyDevice({ interfaces: descriptors.interfaces, name: decode(name), vendor: id.vendor });
    return {
      id,
      serial: decode(serial),
      name: decode(name),
      manufacturer: decode(manufacturer),
      hash,
      parentHash,
      viaPort,
      interfaces: descriptors.interfaces,
      connectType: decode(connectType),
      kind,
      warnings,
      authorized,
      sysfsPath: devicePath.slice(1),
    };
  }
}
