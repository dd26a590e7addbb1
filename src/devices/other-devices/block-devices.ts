/** Disks from systeminformation's `blockDevices()` (lsblk on Linux), partitions folded into their disk: SD cards in built-in readers, USB disks, the PC's own disks. */
import { readFile } from 'node:fs/promises';
import { posix as path } from 'node:path';
import type { Systeminformation } from 'systeminformation';
import { uniqueByKey, type OtherDevice, type OtherDeviceSource, type SystemInformationApi } from './other-device';

type BlockRow = Systeminformation.BlockDevicesData;

/** Block devices that are not hardware (RAM disks, compressed swap, network block devices) and an eMMC's boot areas, which belong to the eMMC. */
const NOT_A_DISK = /^(zram\d|ram\d|nbd\d|mmcblk\d+boot\d)/;

/** `31.9 GB`: decimal units, as disks are sold. */
export function formatSize(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit += 1;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}

/** A disk's partitions: `sdb1` of `sdb`, `mmcblk0p1` of `mmcblk0`. */
function partitionsOf(disk: BlockRow, rows: BlockRow[]): BlockRow[] {
  return rows.filter((row) => row.type === 'part' && row.name.startsWith(disk.name) && /^p?\d+$/.test(row.name.slice(disk.name.length)));
}

/**
 * What an `mmc` disk is, from sysfs (`device/type`): `SD` for a card in a reader, `MMC` for
 * soldered-on eMMC. The kernel marks neither removable, so lsblk cannot tell them apart.
 */
export type MmcTypeReader = (disk: string) => Promise<string | undefined>;

export function sysfsMmcType(sysfsRoot: string): MmcTypeReader {
  return async (disk) => {
    try {
      return (await readFile(path.join(sysfsRoot, 'class/block', disk, 'device/type'), 'utf8')).trim();
    } catch {
      return undefined;
    }
  };
}

async function describeDisk(disk: BlockRow, rows: BlockRow[], mmcType: MmcTypeReader): Promise<OtherDevice> {
  const partitions = partitionsOf(disk, rows);
  const label = [disk, ...partitions].map((row) => row.label).find(Boolean);
  const transport = disk.protocol || '';
  const details: Record<string, string> = { device: `/dev/${disk.name}` };
  if (Number.isFinite(disk.size) && disk.size > 0) details.size = formatSize(disk.size);
  if (transport) details.transport = transport;
  if (label) details.label = label;
  let removable = disk.removable || transport === 'usb';
  if (transport === 'mmc') {
    // An unreadable type counts as a card: a reader's card is what the policy is about.
    const media = await mmcType(disk.name);
    removable = media !== 'MMC';
    details.media = removable ? 'SD card' : 'eMMC';
  }
  return {
    bus: 'block',
    key: disk.serial || disk.uuid || partitions.map((row) => row.uuid).find(Boolean) || disk.name,
    name: disk.model || label || disk.name,
    details,
    removable,
  };
}

/** One device per disk, in lsblk's order. */
export async function describeDisks(rows: BlockRow[], mmcType: MmcTypeReader): Promise<OtherDevice[]> {
  const disks = rows.filter((row) => row.type === 'disk' && !NOT_A_DISK.test(row.name));
  return uniqueByKey(await Promise.all(disks.map((disk) => describeDisk(disk, rows, mmcType))));
}

export function blockDeviceSource(si: Pick<SystemInformationApi, 'blockDevices'>, sysfsRoot = '/sys'): OtherDeviceSource {
  const mmcType = sysfsMmcType(sysfsRoot);
  return { bus: 'block', list: async () => describeDisks(await si.blockDevices(), mmcType) };
}
