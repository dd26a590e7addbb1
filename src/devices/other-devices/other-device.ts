/** Devices that are not USB devices (disks such as SD cards, Bluetooth devices, printers, network interfaces), as systeminformation's inventories show them. */
import type { Systeminformation } from 'systeminformation';

export const OTHER_BUSES = ['block', 'bluetooth', 'printer', 'network'] as const;
export type OtherBus = (typeof OTHER_BUSES)[number];

export interface OtherDevice {
  bus: OtherBus;
  /**
   * What approvals name the device by, stable while it is the same device: a disk's serial
   * number (or its filesystem UUID), a Bluetooth address, a printer's CUPS queue name, a
   * network interface's MAC address.
   */
  key: string;
  name: string;
  vendor?: string;
  /** A few facts for reasons and the audit log (`device`, `transport`, `attachment`...), never contents. */
  details: Record<string, string>;
  /**
   * True for what can be taken away or paired at will (an SD card, a USB disk, a phone's
   * tethering interface, a Bluetooth device); false for the PC's own disks and network
   * adapters; absent for printers, which are queues rather than hardware.
   */
  removable?: boolean;
}

/** One kind of device, listed afresh on each call. */
export interface OtherDeviceSource {
  readonly bus: OtherBus;
  list(): Promise<OtherDevice[]>;
}

/** The parts of systeminformation the sources use, injected so that tests replay recorded outputs. */
export interface SystemInformationApi {
  blockDevices(): Promise<Systeminformation.BlockDevicesData[]>;
  bluetoothDevices(): Promise<Systeminformation.BluetoothDeviceData[]>;
  printer(): Promise<Systeminformation.PrinterData[]>;
  networkInterfaces(): Promise<Systeminformation.NetworkInterfacesData[]>;
}

/** Keeps the first device of each key: one device can appear twice in an inventory (paired with two adapters). */
export function uniqueByKey(devices: OtherDevice[]): OtherDevice[] {
  const seen = new Set<string>();
  return devices.filter((device) => !seen.has(device.key) && seen.add(device.key));
}
