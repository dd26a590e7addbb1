/** A USB device and its interfaces (`1-2:1.0`, ...) in sysfs: the writes that carry out a decision, reading and waiting for interfaces, and the writes that give each interface the state a plan asks for. */
import { lstat, readdir } from 'node:fs/promises';
import { posix as path } from 'node:path';
import { interfaceTypeText, type Device, type InterfaceType } from '../devices/device';
import { errorCode } from '../devices/sysfs-files';
import { sameInterfaceType } from '../policy/interface-plan';
import type { DecidingTarget } from '../rules/rule-set';
import { assertNever } from '../util/assert-never';
import { readSysfsValue, sysfsFailure, SysfsIoError, type SysfsWrite } from './linux-sysfs-io';

/** `<bus>-<port path>:<configuration>.<interface>`; a root hub's own interface is `<bus>-0:1.0`. */
const INTERFACE_NAME = /^[0-9]+-[0-9.]+:[0-9]+\.[0-9]+$/;

/** The device's directory under the sysfs root, from its canonical path (refusing one that would lead elsewhere). */
export function deviceDirectory(sysfsRoot: string, device: Pick<Device, 'sysfsPath'>): string {
  const dir = path.join(sysfsRoot, device.sysfsPath);
  if (!device.sysfsPath.startsWith('devices/') || device.sysfsPath.split('/').includes('..')) {
    throw new SysfsIoError(`"${device.sysfsPath}" is not a device path under ${path.join(sysfsRoot, 'devices')}`, dir);
  }
  return dir;
}

/** The one write that carries out a decision on the device itself: `authorized=1`, `authorized=0`, or `remove=1` (the kernel forgets the device). */
export function deviceWrite(deviceDir: string, target: DecidingTarget): SysfsWrite {
  switch (target) {
    case 'allow':
      return { file: path.join(deviceDir, 'authorized'), value: '1', mode: 'replace' };
    case 'block':
      return { file: path.join(deviceDir, 'authorized'), value: '0', mode: 'replace' };
    case 'reject':
      return { file: path.join(deviceDir, 'remove'), value: '1', mode: 'replace' };
    default:
      return assertNever(target);
  }
}

export interface UsbInterfaceState {
  /** `1-2:1.0`: also what `drivers_probe` takes. */
  name: string;
  dir: string;
  type: InterfaceType;
  /** The interface's `authorized`, or `undefined` when the kernel has none (before Linux 4.4). */
  authorized: boolean | undefined;
  /** Whether a driver is bound (a `driver` link). */
  bound: boolean;
}

async function readHex(file: string): Promise<number> {
  const text = await readSysfsValue(file);
  const value = text === undefined ? Number.NaN : Number.parseInt(text, 16);
  if (!Number.isInteger(value)) throw new SysfsIoError(`${file} ${text === undefined ? 'is missing' : `holds "${text}", not a hex number`}`, file);
  return value;
}

async function exists(file: string): Promise<boolean> {
  try {
    await lstat(file);
    return true;
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return false;
    throw sysfsFailure('look at', file, error);
  }
}

async function readInterface(deviceDir: string, name: string): Promise<UsbInterfaceState> {
  const dir = path.join(deviceDir, name);
  const type = {
    classCode: await readHex(path.join(dir, 'bInterfaceClass')),
    subclass: await readHex(path.join(dir, 'bInterfaceSubClass')),
    protocol: await readHex(path.join(dir, 'bInterfaceProtocol')),
  };
  const authorized = await readSysfsValue(path.join(dir, 'authorized'));
  return { name, dir, type, authorized: authorized === undefined ? undefined : authorized !== '0', bound: await exists(path.join(dir, 'driver')) };
}

/**
 * `1-2:1.9` before `1-2:1.10`: by configuration, then interface number. Plain arithmetic, not
 * `localeCompare`, whose collation data would cost the service 3 MiB of memory for this alone.
 */
export function byInterfaceNumber(a: string, b: string): number {
  const numbers = (name: string): number[] => name.slice(name.lastIndexOf(':') + 1).split('.').map(Number);
  const [aConfig = 0, aNumber = 0] = numbers(a);
  const [bConfig = 0, bNumber = 0] = numbers(b);
  return aConfig - bConfig || aNumber - bNumber;
}

/** The device's interfaces as they are now (none until the device is authorised and configured). */
export async function readInterfaces(deviceDir: string): Promise<UsbInterfaceState[]> {
  let entries;
  try {
    entries = await readdir(deviceDir, { withFileTypes: true });
  } catch (error) {
    throw sysfsFailure('list', deviceDir, error);
  }
  const names = entries.filter((e) => e.isDirectory() && INTERFACE_NAME.test(e.name)).map((e) => e.name);
  names.sort(byInterfaceNumber);
  return Promise.all(names.map((name) => readInterface(deviceDir, name)));
}

export interface InterfaceWait {
  /** How many times to look, and how long to sleep between looks. */
  attempts: number;
  intervalMs: number;
  sleep: (ms: number) => Promise<void>;
}

/**
 * The interfaces of a device just authorised. The kernel creates them when it configures the
 * device, which need not be finished when the write returns, so this looks until there are as
 * many as the active configuration's `bNumInterfaces` (at least one), a bounded number of times.
 * An interface whose attributes are not readable yet counts as not there yet.
 * Returns what is there at the end, possibly nothing.
 */
export async function waitForInterfaces(deviceDir: string, wait: InterfaceWait): Promise<UsbInterfaceState[]> {
  for (let attempt = 1; ; attempt += 1) {
    let interfaces: UsbInterfaceState[];
    try {
      interfaces = await readInterfaces(deviceDir);
    } catch (error) {
      // An interface directory can be seen a moment before its attribute files: look again.
      if (attempt >= wait.attempts) throw error;
      await wait.sleep(wait.intervalMs);
      continue;
    }
    const expected = Number.parseInt((await readSysfsValue(path.join(deviceDir, 'bNumInterfaces'))) ?? '', 10);
    if (interfaces.length >= (Number.isInteger(expected) && expected > 0 ? expected : 1) || attempt >= wait.attempts) return interfaces;
    await wait.sleep(wait.intervalMs);
  }
}

export interface InterfaceWrites {
  /** In order: de-authorise the blocked ones, authorise the others, then probe drivers for them. */
  writes: SysfsWrite[];
  /** Blocked interfaces this kernel cannot de-authorise (it has no interface `authorized`). */
  unenforceable: UsbInterfaceState[];
  /** Blocked interfaces that are unauthorised already (waiting since the device was authorised), so need no write. */
  leftBlocked: UsbInterfaceState[];
}

/**
 * The writes that leave each interface as the plan wants it: blocked ones de-authorised (the
 * kernel unbinds their driver), the others authorised and, when no driver is bound, probed.
 * Authorising an interface does not bind a driver (the kernel probes only when an interface
 * is added; Documentation/usb/authorization.rst), so the probe through `bus/usb/drivers_probe`
 * works around that, after every interface is authorised, as that document advises for
 * drivers that need several interfaces.
 */
export function interfaceWrites(interfaces: readonly UsbInterfaceState[], blocked: readonly InterfaceType[], driversProbeFile: string): InterfaceWrites {
  const isBlocked = (i: UsbInterfaceState): boolean => blocked.some((type) => sameInterfaceType(type, i.type));
  const authorizedFile = (i: UsbInterfaceState): string => path.join(i.dir, 'authorized');
  const kept = interfaces.filter((i) => !isBlocked(i));
  const stopped = interfaces.filter(isBlocked);
  return {
    writes: [
      ...stopped.filter((i) => i.authorized === true).map((i): SysfsWrite => ({ file: authorizedFile(i), value: '0', mode: 'replace', note: `${interfaceTypeText(i.type)}, blocked` })),
      ...kept.filter((i) => i.authorized === false).map((i): SysfsWrite => ({ file: authorizedFile(i), value: '1', mode: 'replace', note: interfaceTypeText(i.type) })),
      ...kept.filter((i) => !i.bound).map((i): SysfsWrite => ({ file: driversProbeFile, value: i.name, mode: 'append', note: `binds a driver to ${interfaceTypeText(i.type)}` })),
    ],
    unenforceable: stopped.filter((i) => i.authorized === undefined),
    leftBlocked: stopped.filter((i) => i.authorized === false),
  };
}
