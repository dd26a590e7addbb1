/** The four sources of non-USB devices, built on systeminformation (the real module unless a test gives recorded outputs). */
import * as systeminformation from 'systeminformation';
import { blockDeviceSource } from './block-devices';
import { bluetoothDeviceSource } from './bluetooth-devices';
import { networkInterfaceSource } from './network-interfaces';
import type { OtherDeviceSource, SystemInformationApi } from './other-device';
import { printerSource } from './printers';

export interface OtherDeviceSourcesOptions {
  si?: SystemInformationApi;
  /** Where sysfs is mounted; the block and network sources read one attribute each from it. */
  sysfsRoot?: string;
}

export function otherDeviceSources(options: OtherDeviceSourcesOptions = {}): OtherDeviceSource[] {
  const si = options.si ?? systeminformation;
  const sysfsRoot = options.sysfsRoot ?? '/sys';
  return [blockDeviceSource(si, sysfsRoot), bluetoothDeviceSource(si), printerSource(si), networkInterfaceSource(si, sysfsRoot)];
}
