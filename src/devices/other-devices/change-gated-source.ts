/**
 * Takes a non-USB inventory only when something cheap to read says it may have changed: the
 * systeminformation inventories cost a few hundred milliseconds of CPU each (measured in the
 * real-kernel VM), too much to run every few seconds on every staff PC.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { OtherBus, OtherDevice, OtherDeviceSource } from './other-device';

/** A string that changes whenever the inventory may have. */
export type Fingerprint = () => Promise<string>;

/** The source's last inventory while its fingerprint stands; a fresh one when it changes, and after `fullEvery` calls without one. */
export function changeGated(source: OtherDeviceSource, fingerprint: Fingerprint, fullEvery = 20): OtherDeviceSource {
  let last: { print: string; devices: OtherDevice[]; reused: number } | undefined;
  return {
    bus: source.bus,
    async list() {
      const print = await fingerprint();
      if (last && last.print === print && last.reused + 1 < fullEvery) {
        last.reused += 1;
        return last.devices;
      }
      const devices = await source.list();
      last = { print, devices, reused: 0 };
      return devices;
    },
  };
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
