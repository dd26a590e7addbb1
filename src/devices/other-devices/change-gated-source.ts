/**
 * Takes a non-USB inventory only when something cheap to read says it may have changed: the
 * systeminformation inventories cost a few hundred milliseconds of CPU each (measured in the
 * real-kernel VM), too much to run every few seconds on every staff PC.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { changeGated, type Fingerprint } from '../../util/change-gate';
import type { OtherBus, OtherDeviceSource } from './other-device';

/**
 * The source's last inventory while its fingerprint stands; a fresh one when it changes, and after
 * `fullEvery` calls without one (200 scans 3 s apart: every 10 minutes, a safety net only).
 */
export function changeGatedSource(source: OtherDeviceSource, fingerprint: Fingerprint, fullEvery = 200): OtherDeviceSource {
  return { bus: source.bus, list: changeGated(() => source.list(), fingerprint, fullEvery) };
}

const names = (dir: string): Promise<string> => readdir(dir).then((n) => n.sort().join(','), () => '');
const text = (file: string): Promise<string> => readFile(file, 'utf8').catch(() => '');
const mtime = (file: string): Promise<string> => stat(file).then((s) => String(s.mtimeMs), () => '');

export interface FingerprintPaths {
  sysfsRoot: string;
  mountsFile: string;
  bluetoothDir: string;
  cupsPrinters: string;
}

const DEFAULT_PATHS: FingerprintPaths = { sysfsRoot: '/sys', mountsFile: '/proc/self/mounts', bluetoothDir: '/var/lib/bluetooth', cupsPrinters: '/etc/cups/printers.conf' };

/** What to watch for each kind: block devices and mounts, network interfaces, BlueZ's pairings, CUPS's printer list. */
export function fingerprintFor(bus: OtherBus, paths: FingerprintPaths = DEFAULT_PATHS): Fingerprint {
  switch (bus) {
    case 'block':
      return async () => `${await names(join(paths.sysfsRoot, 'class/block'))}|${await text(paths.mountsFile)}`;
    case 'network':
      return () => names(join(paths.sysfsRoot, 'class/net'));
    case 'bluetooth':
      return async () => {
        const adapters = (await names(paths.bluetoothDir)).split(',').filter(Boolean);
        return (await Promise.all(adapters.map(async (a) => `${a}:${await names(join(paths.bluetoothDir, a))}`))).join(';');
      };
    case 'printer':
      return () => mtime(paths.cupsPrinters);
  }
}
