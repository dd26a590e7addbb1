/** The Linux USB core's side of sysfs, simulated over a recorded tree for enforcement tests: the attributes a running kernel shows and recordings leave out, and, one step at a time, the kernel's reaction to what was written. */
import { lstat, mkdir, mkdtemp, readdir, readFile, readlink, realpath, rename, rm, symlink, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { posix as path } from 'node:path';
import { parseUsbDescriptors } from '../../src/devices/usb-descriptors';
import { loadUmockdevTree } from '../support/umockdev-tree';

export interface FakeUsbKernelOptions {
  /** Linux 4.4 and later: root hubs have `interface_authorized_default`, interfaces have `authorized`. */
  interfaceAuthorization?: boolean;
  /** Give root hubs the `authorized_default` a real kernel always shows (the edge-case recording's second hub lacks it). */
  completeRootHubs?: boolean;
}

/** The recorded trees (the same directory as usbguard-oracle's, which needs jest's globals and so cannot be built into the benchmarks). */
const UMOCKDEV_FIXTURES = path.join(__dirname, '../fixtures/umockdev');

/** Drivers that bind to an interface class once it is authorised and probed. */
const DRIVERS: Record<number, string> = { 0x03: 'usbhid', 0x08: 'usb-storage', 0x09: 'hub' };

const hex2 = (n: number): string => `${n.toString(16).padStart(2, '0')}\n`;

async function exists(file: string): Promise<boolean> {
  return lstat(file).then(() => true, () => false);
}

async function readValue(file: string): Promise<string | undefined> {
  return readFile(file, 'latin1').then((text) => text.trim(), () => undefined);
}

/** The root hub (`.../usbN`) a device directory hangs under. */
function rootHubOf(dir: string): string {
  const parts = dir.split('/');
  return parts.slice(0, parts.findIndex((part) => /^usb[0-9]+$/.test(part)) + 1).join('/');
}

export class FakeUsbKernel {
  private constructor(
    readonly sysfsRoot: string,
    private readonly interfaceAuthorization: boolean,
  ) {}

  /** The kernel as it is once booted: missing attributes added, authorised devices configured and their drivers bound. */
  static async boot(sysfsRoot: string, options: FakeUsbKernelOptions = {}): Promise<FakeUsbKernel> {
    const kernel = new FakeUsbKernel(sysfsRoot, options.interfaceAuthorization ?? true);
    await writeFile(kernel.driversProbe, '');
    for (const dir of await kernel.devices()) {
      if (kernel.isRootHub(dir)) {
        if ((options.completeRootHubs ?? true) && !(await exists(path.join(dir, 'authorized_default')))) await writeFile(path.join(dir, 'authorized_default'), '1\n');
        if (kernel.interfaceAuthorization) await writeFile(path.join(dir, 'interface_authorized_default'), '1\n');
      } else {
        await writeFile(path.join(dir, 'remove'), '');
      }
    }
    await kernel.step();
    return kernel;
  }

  /**
   * Reacts to what the agent writes, one round at a time as a kernel would (rounds must not
   * overlap), every `everyMs` until the returned function is called; it resolves once the last
   * round has finished.
   */
  runInBackground(everyMs = 10): () => Promise<void> {
    let running = true;
    const loop = (async () => {
      while (running) {
        await this.step().catch(() => undefined);
        await new Promise((resolve) => setTimeout(resolve, everyMs));
      }
    })();
    return async () => {
      running = false;
      await loop;
    };
  }

  get driversProbe(): string {
    return path.join(this.sysfsRoot, 'bus/usb/drivers_probe');
  }

  /** Canonical directories of every USB device, root hubs included. */
  async devices(): Promise<string[]> {
    const bus = path.join(this.sysfsRoot, 'bus/usb/devices');
    const dirs: string[] = [];
    for (const name of await readdir(bus)) {
      const dir = await realpath(path.join(bus, name)).catch(() => undefined);
      if (dir && (await readFile(path.join(dir, 'uevent'), 'latin1')).includes('DEVTYPE=usb_device')) dirs.push(dir);
    }
    return dirs;
  }

  /** The canonical directory of the device named `name` (`1-1`, `usb2`). */
  async deviceDir(name: string): Promise<string> {
    return realpath(path.join(this.sysfsRoot, 'bus/usb/devices', name));
  }

  /**
   * A device plugged in at `port` (a new name beside `like`), presenting `like`'s recorded
   * descriptors and strings: authorised or not as its root hub's `authorized_default` says, and
   * without interfaces until authorised.
   */
  async attach(port: string, like: string): Promise<string> {
    const from = await this.deviceDir(like);
    const dir = path.join(path.dirname(from), port);
    await mkdir(dir);
    for (const entry of await readdir(from, { withFileTypes: true })) {
      if (entry.isFile() && entry.name !== 'authorized') await writeFile(path.join(dir, entry.name), await readFile(path.join(from, entry.name)));
    }
    const policy = await readValue(path.join(rootHubOf(dir), 'authorized_default'));
    await writeFile(path.join(dir, 'authorized'), policy === '0' ? '0\n' : '1\n');
    await symlink(dir, path.join(this.sysfsRoot, 'bus/usb/devices', port));
    await this.step();
    return dir;
  }

  /** The device is pulled out: the kernel removes its directory (and everything under it). */
  async unplug(name: string): Promise<void> {
    await rm(await this.deviceDir(name), { recursive: true });
    await this.dropDanglingLinks();
  }

  private rounds: Promise<void> = Promise.resolve();

  /** One round of the kernel's reactions to what was written since the last one; rounds never overlap. */
  step(): Promise<void> {
    this.rounds = this.rounds.then(() => this.round());
    return this.rounds;
  }

  private async round(): Promise<void> {
    for (const dir of await this.devices()) {
      if (!(await exists(dir))) continue; // under a device removed earlier in this round
      if ((await readValue(path.join(dir, 'remove'))) === '1') {
        await rm(dir, { recursive: true });
        continue;
      }
      const authorized = (await readValue(path.join(dir, 'authorized'))) === '1';
      const interfaces = await this.interfaceDirs(dir);
      if (authorized && interfaces.length === 0) await this.configure(dir);
      if (!authorized && interfaces.length > 0) await this.unconfigure(dir, interfaces);
      for (const iface of interfaces) {
        if ((await readValue(path.join(iface, 'authorized'))) === '0') await rm(path.join(iface, 'driver'), { force: true });
      }
    }
    await this.dropDanglingLinks();
    const probed = (await readValue(this.driversProbe)) ?? '';
    for (const name of probed.split('\n').filter(Boolean)) {
      const iface = await realpath(path.join(this.sysfsRoot, 'bus/usb/devices', name)).catch(() => undefined);
      if (iface) await this.bind(iface);
    }
  }

  /** The names written to `bus/usb/drivers_probe`, in order. */
  async probed(): Promise<string[]> {
    return ((await readValue(this.driversProbe)) ?? '').split('\n').filter(Boolean);
  }

  /** An interface's `authorized` and bound driver, by name (`1-13:1.0`). */
  async interfaceState(name: string): Promise<{ authorized: string | undefined; driver: string | undefined }> {
    const dir = path.join(this.sysfsRoot, 'bus/usb/devices', name);
    const driver = await readlink(path.join(dir, 'driver')).then((target) => path.basename(target), () => undefined);
    return { authorized: await readValue(path.join(dir, 'authorized')), driver };
  }

  private isRootHub(dir: string): boolean {
    return /^usb[0-9]+$/.test(path.basename(dir));
  }

  private async interfaceDirs(dir: string): Promise<string[]> {
    const entries = await readdir(dir, { withFileTypes: true });
    return entries.filter((e) => e.isDirectory() && e.name.includes(':')).map((e) => path.join(dir, e.name));
  }

  /** What the kernel does when it authorises a device: configuration 1's interfaces appear, authorised as the root hub's default says, and authorised ones get drivers. */
  private async configure(dir: string): Promise<void> {
    let configuration;
    try {
      [configuration] = parseUsbDescriptors(await readFile(path.join(dir, 'descriptors'))).configurations;
    } catch {
      return;
    }
    if (!configuration) return;
    const name = path.basename(dir);
    const prefix = this.isRootHub(dir) ? `${name.slice(3)}-0` : name;
    const hubDefault = await readValue(path.join(rootHubOf(dir), 'interface_authorized_default'));
    const interfaces = configuration.interfaces.filter((i) => i.alternateSetting === 0);
    await writeFile(path.join(dir, 'bNumInterfaces'), `${String(interfaces.length).padStart(2)}\n`);
    for (const i of interfaces) {
      const iface = path.join(dir, `${prefix}:${configuration.configurationValue}.${i.number}`);
      // Built under a name no reader lists, then renamed: like the kernel's write to `authorized`,
      // which returns only once every interface exists with all its attributes.
      const partial = path.join(dir, `.partial-interface-${i.number}`);
      await mkdir(partial);
      await writeFile(path.join(partial, 'uevent'), `DEVTYPE=usb_interface\nINTERFACE=${i.classCode}/${i.subclass}/${i.protocol}\n`);
      await writeFile(path.join(partial, 'bInterfaceNumber'), hex2(i.number));
      await writeFile(path.join(partial, 'bInterfaceClass'), hex2(i.classCode));
      await writeFile(path.join(partial, 'bInterfaceSubClass'), hex2(i.subclass));
      await writeFile(path.join(partial, 'bInterfaceProtocol'), hex2(i.protocol));
      if (this.interfaceAuthorization) await writeFile(path.join(partial, 'authorized'), hubDefault === '0' ? '0\n' : '1\n');
      await rename(partial, iface);
      await symlink(iface, path.join(this.sysfsRoot, 'bus/usb/devices', path.basename(iface)));
      await this.bind(iface);
    }
  }

  private async unconfigure(dir: string, interfaces: readonly string[]): Promise<void> {
    for (const iface of interfaces) await rm(iface, { recursive: true });
    await writeFile(path.join(dir, 'bNumInterfaces'), '\n');
  }

  /** A probe: an authorised, unbound interface gets the driver for its class, if there is one. */
  private async bind(iface: string): Promise<void> {
    if ((await readValue(path.join(iface, 'authorized'))) === '0' || (await exists(path.join(iface, 'driver')))) return;
    const driver = DRIVERS[Number.parseInt((await readValue(path.join(iface, 'bInterfaceClass'))) ?? '', 16)];
    if (!driver) return;
    await mkdir(path.join(this.sysfsRoot, 'bus/usb/drivers', driver), { recursive: true });
    await symlink(path.join(this.sysfsRoot, 'bus/usb/drivers', driver), path.join(iface, 'driver'));
  }

  private async dropDanglingLinks(): Promise<void> {
    const bus = path.join(this.sysfsRoot, 'bus/usb/devices');
    for (const name of await readdir(bus)) {
      if (!(await realpath(path.join(bus, name)).then(() => true, () => false))) await unlink(path.join(bus, name));
    }
  }
}

/** Every file, directory and link under `root` with its bytes or target, for comparing a tree before and after. */
export async function snapshotTree(root: string): Promise<Map<string, string>> {
  const snapshot = new Map<string, string>();
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const file = path.join(dir, entry.name);
      const relative = path.relative(root, file);
      if (entry.isSymbolicLink()) snapshot.set(relative, `-> ${await readlink(file)}`);
      else if (entry.isDirectory()) {
        snapshot.set(relative, 'dir');
        await walk(file);
      } else snapshot.set(relative, (await readFile(file)).toString('base64'));
    }
  };
  await walk(root);
  return snapshot;
}

/** The edge-case recording (two root hubs, a storage stick that also presents a keyboard) booted, with an empty agent state directory. */
export async function bootEdgeCases(options: FakeUsbKernelOptions = {}): Promise<{ kernel: FakeUsbKernel; stateDir: string; cleanup: () => Promise<void> }> {
  const tree = await loadUmockdevTree(path.join(UMOCKDEV_FIXTURES, 'portcullis-edge-cases.umockdev'));
  const stateDir = await mkdtemp(path.join(tmpdir(), 'portcullis-state-'));
  const kernel = await FakeUsbKernel.boot(tree.sysfsRoot, options);
  return { kernel, stateDir, cleanup: async () => Promise.all([tree.cleanup(), rm(stateDir, { recursive: true, force: true })]).then(() => undefined) };
}
