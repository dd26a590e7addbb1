/** Reads the USB devices attached to a Mac from `system_profiler` into `Device` values. */
import type { CommandRunner } from '../util/command-runner';
import type { Device, DeviceKind } from './device';
import { classifyDevice } from './device-kind';
import { descriptorlessHash } from './descriptorless-hash';
import { runOrThrow } from './platform-command';
import { parseUsbProfile, type ProfiledUsbDevice, type SkippedProfileEntry, type UsbProfile } from './darwin-system-profiler';

const SYSTEM_PROFILER = 'system_profiler';
/** Both USB data types in one run: older macOS fills the first, newer macOS often only the second. */
const PROFILE_ARGS: readonly string[] = ['-json', 'SPUSBDataType', 'SPUSBHostDataType'];

/** A USB device with the whole-disk BSD names (`disk4`) of its storage, which the eject enforcer needs. */
export interface DarwinUsbDevice {
  device: Device;
  bsdNames: string[];
}

export interface DarwinUsbScan {
  /** Parents before their children, in the profile's order. */
  devices: DarwinUsbDevice[];
  skipped: SkippedProfileEntry[];
  format: UsbProfile['format'];
}

/**
 * system_profiler names no interface classes, so `classifyDevice` sees none; the profile still
 * shows two kinds: a device with disks (`Media`) is storage, a device with devices behind it a hub.
 */
function kindOf(profiled: ProfiledUsbDevice): { kind: DeviceKind; warnings: string[] } {
  if (profiled.bsdNames.length > 0) return { kind: 'storage', warnings: [] };
  if (profiled.children.length > 0) return { kind: 'hub', warnings: [] };
  return classifyDevice({ interfaces: [], name: profiled.name, vendor: profiled.vendor });
}

function flatten(devices: readonly ProfiledUsbDevice[], parentHash: string, out: DarwinUsbDevice[]): void {
  for (const profiled of devices) {
    const { vendor, product, serial } = profiled;
    const hash = descriptorlessHash({ vendor, product, serial });
    const device: Device = {
      id: { vendor, product },
      serial,
      name: profiled.name,
      manufacturer: profiled.manufacturer,
      hash,
      parentHash,
      // The location ID encodes the bus and the port path, and is unique while the device is attached.
      viaPort: profiled.locationId,
      // system_profiler does not list interfaces; `ioreg -c IOUSBHostInterface` would.
      interfaces: [],
      connectType: profiled.connectType,
      ...kindOf(profiled),
      // macOS has no per-device authorisation switch: every attached device has its drivers.
      authorized: true,
      sysfsPath: '',
    };
    out.push({ device, bsdNames: [...profiled.bsdNames] });
    flatten(profiled.children, hash, out);
  }
}

/** The devices of a parsed profile; a device directly on a bus has no parent hash. */
function usbDevicesFromProfile(profile: UsbProfile): DarwinUsbScan {
  const devices: DarwinUsbDevice[] = [];
  flatten(profile.devices, '', devices);
  return { devices, skipped: profile.skipped, format: profile.format };
}

export interface DarwinUsbSourceOptions {
  run: CommandRunner;
}

export class DarwinUsbSource {
  private readonly run: CommandRunner;

  constructor(options: DarwinUsbSourceOptions) {
    this.run = options.run;
  }

  /** Every attached USB device with its disks; throws PlatformCommandError if system_profiler fails. */
  async scan(): Promise<DarwinUsbScan> {
    return usbDevicesFromProfile(parseUsbProfile(await runOrThrow(this.run, SYSTEM_PROFILER, PROFILE_ARGS)));
  }

  /** Every attached USB device, hubs included. */
  async listUsbDevices(): Promise<Device[]> {
    return (await this.scan()).devices.map((entry) => entry.device);
  }
}
