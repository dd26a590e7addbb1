/** Cheap polling of sysfs for USB devices: list the names under `bus/usb/devices` (one readdir) and compare them with the last known ones. */
import { readdir } from 'node:fs/promises';
import { posix as path } from 'node:path';
import { errorCode, SysfsReadError } from './sysfs-files';

/**
 * The USB device names under `<sysfsRoot>/bus/usb/devices` (`usb1`, `1-4.3`), leaving out
 * interfaces (`1-4:1.0`). No USB bus at all reads as no devices, as in `LinuxSysfsSource`.
 */
export async function listUsbDeviceNames(sysfsRoot: string): Promise<Set<string>> {
  const dir = path.join(sysfsRoot, 'bus/usb/devices');
  try {
    return new Set((await readdir(dir)).filter((name) => !name.includes(':')));
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return new Set();
    throw new SysfsReadError(`cannot list ${dir}: ${String(error)}`, dir);
  }
}

export interface NameChanges {
  /** Listed now, neither known nor set aside. */
  appeared: string[];
  /** Known, and no longer listed. */
  vanished: string[];
}

/** What changed between the names the watcher knows and the names listed now; `ignored` names (unreadable devices) are not new. */
export function diffUsbNames(known: Iterable<string>, listed: ReadonlySet<string>, ignored: ReadonlySet<string>): NameChanges {
  const knownSet = new Set(known);
  return {
    appeared: [...listed].filter((name) => !knownSet.has(name) && !ignored.has(name)),
    vanished: [...knownSet].filter((name) => !listed.has(name)),
  };
}
