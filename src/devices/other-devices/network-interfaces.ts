/** Network interfaces from systeminformation's `networkInterfaces()`, each placed by sysfs: a built-in adapter, or one on USB or Bluetooth (a phone tethering, a dongle). */
import { realpath } from 'node:fs/promises';
import { posix as path } from 'node:path';
import type { Systeminformation } from 'systeminformation';
import { uniqueByKey, type OtherDevice, type OtherDeviceSource, type SystemInformationApi } from './other-device';

/** Where an interface's hardware is; `undefined` for software interfaces (VPN tunnels, bridges, containers), which are not devices. */
export type Attachment = 'built-in' | 'usb' | 'bluetooth';

export type AttachmentReader = (iface: string) => Promise<Attachment | undefined>;

/**
 * Reads `class/net/<iface>/device`: hardware interfaces link to their device, and a USB one's
 * path runs through a USB bus (`.../usb1/1-2/1-2:1.0`). Bluetooth tethering (`bnep0`) has no
 * device link, like software interfaces, so it is known by its name.
 */
export function sysfsAttachment(sysfsRoot: string): AttachmentReader {
  return async (iface) => {
    let device: string;
    try {
      device = await realpath(path.join(sysfsRoot, 'class/net', iface, 'device'));
    } catch {
      return /^bnep\d+$/.test(iface) ? 'bluetooth' : undefined;
    }
    return /\/usb\d+\//.test(device) ? 'usb' : 'built-in';
  };
}

const NO_MAC = /^(00:){5}00$/;

async function describeInterface(row: Systeminformation.NetworkInterfacesData, attachmentOf: AttachmentReader): Promise<OtherDevice | undefined> {
  if (row.internal || row.virtual) return undefined;
  const attachment = await attachmentOf(row.iface);
  if (attachment === undefined) return undefined;
  const mac = (row.mac || '').toLowerCase();
  const hasMac = mac !== '' && !NO_MAC.test(mac);
  const details: Record<string, string> = { interface: row.iface, attachment, type: row.type || 'unknown' };
  if (hasMac) details.mac = mac;
  return { bus: 'network', key: hasMac ? mac : row.iface, name: row.iface, details, removable: attachment !== 'built-in' };
}

/**
 * One device per hardware interface. systeminformation lists only interfaces that are up
 * with an address (it reads Node's `os.networkInterfaces()`), so an interface that is taken
 * down leaves the inventory, and comes back to it if it is brought up again.
 */
export async function describeNetworkInterfaces(rows: Systeminformation.NetworkInterfacesData[], attachmentOf: AttachmentReader): Promise<OtherDevice[]> {
  const devices = await Promise.all(rows.map((row) => describeInterface(row, attachmentOf)));
  return uniqueByKey(devices.filter((device): device is OtherDevice => device !== undefined));
}

export function networkInterfaceSource(si: Pick<SystemInformationApi, 'networkInterfaces'>, sysfsRoot = '/sys'): OtherDeviceSource {
  const attachmentOf = sysfsAttachment(sysfsRoot);
  return { bus: 'network', list: async () => describeNetworkInterfaces(await si.networkInterfaces(), attachmentOf) };
}
