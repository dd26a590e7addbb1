/** Reads the USB devices connected to a Windows PC from PnP (`pnputil /enum-devices /connected /ids`) into `Device` values. */
import type { CommandRunner } from '../util/command-runner';
import type { Device, InterfaceType } from './device';
import { classifyDevice } from './device-kind';
import { descriptorlessHash } from './descriptorless-hash';
import { runOrThrow } from './platform-command';
import { interfaceFromCompatibleIds, parsePnputilRecords, parseUsbInstanceId, serialFromInstance, type PnpDeviceRecord } from './win32-pnputil-records';

export const PNPUTIL = 'pnputil.exe';
/** Every connected device node with its hardware and compatible IDs (Windows 10 2004 and later). */
const ENUMERATE_ARGS: readonly string[] = ['/enum-devices', '/connected', '/ids'];

/** One interface function of a composite device: its own device node (`USB\VID_..&PID_..&MI_01\...`). */
export interface PnpUsbFunction {
  instanceId: string;
  /** The `MI_xx` number: the interface number. */
  number: number;
  /** From the function's compatible IDs; undefined when they name no interface class. */
  interface?: InterfaceType;
  status: string;
}

/** A USB device with what the enforcer needs beyond the `Device`: its PnP status and interface functions. */
export interface PnpUsbDevice {
  device: Device;
  status: string;
  problemCode?: number;
  /**
   * Its interface functions, when it is a composite device. PnP output does not say which parent a
   * function belongs to, so two identical composite devices (same vendor and product) share theirs.
   */
  functions: PnpUsbFunction[];
}

function functionOf(record: PnpDeviceRecord, number: number): PnpUsbFunction {
  const fn: PnpUsbFunction = { instanceId: record.instanceId, number, status: record.status };
  const iface = interfaceFromCompatibleIds(record.compatibleIds);
  if (iface) fn.interface = iface;
  return fn;
}

function toDevice(record: PnpDeviceRecord, vendor: string, product: string, instance: string, functions: readonly PnpUsbFunction[]): PnpUsbDevice {
  const own = interfaceFromCompatibleIds(record.compatibleIds);
  const interfaces = [...(own ? [own] : []), ...functions.flatMap((f) => (f.interface ? [f.interface] : []))];
  const serial = serialFromInstance(instance);
  const name = record.description;
  const { kind, warnings } = classifyDevice({ interfaces, name, vendor });
  const device: Device = {
    id: { vendor, product },
    serial,
    name,
    manufacturer: record.manufacturer,
    hash: descriptorlessHash({ vendor, product, serial }),
    // pnputil does not name a device's parent; `/relations` would, but its output was not available to test against.
    parentHash: '',
    // The instance ID is the one name Windows gives a device node that is unique while it is connected.
    viaPort: record.instanceId,
    interfaces,
    // PnP does not report how the port is wired (USBGuard's `hotplug` / `hardwired`).
    connectType: '',
    kind,
    warnings,
    authorized: record.status === 'Started',
    sysfsPath: '',
  };
  const entry: PnpUsbDevice = { device, status: record.status, functions: [...functions] };
  if (record.problemCode !== undefined) entry.problemCode = record.problemCode;
  return entry;
}

/**
 * The USB devices among pnputil's records, in pnputil's order. A device is a `USB\VID_..&PID_..\..`
 * node; its interface functions (`&MI_xx`) are folded into it; root hubs and non-USB nodes are left out.
 */
export function usbDevicesFromRecords(records: readonly PnpDeviceRecord[]): PnpUsbDevice[] {
  const functionsByModel = new Map<string, PnpUsbFunction[]>();
  const parents: { record: PnpDeviceRecord; vendor: string; product: string; instance: string }[] = [];
  for (const record of records) {
    const id = parseUsbInstanceId(record.instanceId);
    if (!id) continue;
    if (id.function === undefined) {
      parents.push({ record, vendor: id.vendor, product: id.product, instance: id.instance });
      continue;
    }
    const model = `${id.vendor}:${id.product}`;
    const list = functionsByModel.get(model) ?? [];
    list.push(functionOf(record, id.function));
    functionsByModel.set(model, list);
  }
  return parents.map(({ record, vendor, product, instance }) => {
    const functions = [...(functionsByModel.get(`${vendor}:${product}`) ?? [])].sort((a, b) => a.number - b.number);
    return toDevice(record, vendor, product, instance, functions);
  });
}

export interface Win32PnpSourceOptions {
  run: CommandRunner;
}

export class Win32PnpSource {
  private readonly run: CommandRunner;

  constructor(options: Win32PnpSourceOptions) {
    this.run = options.run;
  }

  /** The connected USB devices with their PnP status and functions; throws PlatformCommandError if pnputil fails. */
  async scan(): Promise<PnpUsbDevice[]> {
    return usbDevicesFromRecords(parsePnputilRecords(await runOrThrow(this.run, PNPUTIL, ENUMERATE_ARGS)));
  }

  /** The connected USB devices. */
  async listUsbDevices(): Promise<Device[]> {
    return (await this.scan()).map((entry) => entry.device);
  }
}
