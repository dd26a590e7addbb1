/** USB hotplug events told as sysfs names: from the kernel through udevadm, else the `usb` package's hotplug (udev must be running), else none (poll). */
import type { Logger } from '../util/logger';
import { pathExists } from '../util/path-exists';
import { KernelUevents, UDEVADM_MONITOR } from './kernel-uevents';

/** A device arrived or left. `sysfsName` (`1-4.3`, `usb2`) is undefined when the event does not say which device it was. */
export interface HotplugEvent {
  type: 'attach' | 'detach';
  sysfsName: string | undefined;
}

/** What the watcher needs from a hotplug source; tests give it a fake. */
export interface HotplugEvents {
  /** Starts delivering events to `listener`; rejects when the platform refuses to listen. */
  start(listener: (event: HotplugEvent) => void): Promise<void>;
  stop(): Promise<void>;
}

/** The device the `usb` package reports on attach: its bus (`1`, or zero-padded `001`), its port chain and an opaque handle. */
export interface NativeUsbDevice {
  bus: string;
  ports: number[];
  handle: string;
}

/** The `usb` package's native hotplug emitter (`Emitter` in `usb/index.js`); a detach gives only the handle. */
export interface NativeHotplugEmitter {
  addAttach(callback: (device: NativeUsbDevice) => void): Promise<void>;
  removeAttach(): Promise<void>;
  addDetach(callback: (handle: string) => void): Promise<void>;
  removeDetach(): Promise<void>;
}

export const SYSFS_ROOT = '/sys';
/** Where udev installs udevadm on Debian and others. */
export const UDEVADM_PATHS = ['/usr/bin/udevadm', '/bin/udevadm', '/usr/sbin/udevadm', '/sbin/udevadm'];
/** The socket systemd-udevd listens on; it exists while udev runs. */
export const UDEV_CONTROL_PATH = '/run/udev/control';

/**
 * The sysfs name of a device from its bus number and port chain: `1-4.3`, or `usb1` for a
 * root hub (no ports). Undefined when the bus is not a number.
 */
export function sysfsNameOf(device: Pick<NativeUsbDevice, 'bus' | 'ports'>): string | undefined {
  if (!/^\d+$/.test(device.bus)) return undefined;
  const bus = Number(device.bus);
  return device.ports.length === 0 ? `usb${bus}` : `${bus}-${device.ports.join('.')}`;
}

/**
 * The `usb` package's native emitter. The package's `usb` object (its WebUSB layer) is
 * avoided on purpose: in usb 3.1.0 it lists devices without catching the rejection when
 * `/sys/bus/usb/devices` is missing, and rethrows listener set-up errors from a timer, both
 * of which end a Node process; the emitter below reports failures as rejected promises.
 */
async function loadNativeEmitter(): Promise<NativeHotplugEmitter> {
  const binding = await import('usb/index.js');
  return new binding.Emitter();
}

/** Hotplug over the native emitter; remembers each attached device's handle so that its detach can be named. */
class UsbPackageHotplug implements HotplugEvents {
  private readonly names = new Map<string, string>();

  constructor(private readonly emitter: NativeHotplugEmitter) {}

  async start(listener: (event: HotplugEvent) => void): Promise<void> {
    await this.emitter.addAttach((device) => {
      const sysfsName = sysfsNameOf(device);
      if (sysfsName !== undefined) this.names.set(device.handle, sysfsName);
      listener({ type: 'attach', sysfsName });
    });
    await this.emitter.addDetach((handle) => {
      const sysfsName = this.names.get(handle);
      this.names.delete(handle);
      listener({ type: 'detach', sysfsName });
    });
  }

  async stop(): Promise<void> {
    // usb 3 has no unrefHotplugEvents(): removing both callbacks is what lets the process exit.
    await this.emitter.removeAttach();
    await this.emitter.removeDetach();
    this.names.clear();
  }
}

export interface UsbHotplugOptions {
  /** The sysfs root the watcher reads; hotplug speaks only of the real `/sys`. */
  sysfsRoot: string;
  logger: Logger;
  /** Where to look for udevadm; defaults to UDEVADM_PATHS. */
  udevadmPaths?: readonly string[];
  /** Defaults to `/run/udev/control`. */
  udevControlPath?: string;
  /** Defaults to loading the `usb` package's native emitter. */
  loadEmitter?: () => Promise<NativeHotplugEmitter>;
}

async function firstExisting(paths: readonly string[]): Promise<string | undefined> {
  for (const path of paths) if (await pathExists(path)) return path;
  return undefined;
}

/**
 * USB hotplug events, or undefined (and a log line saying why) when the watcher must poll
 * instead. First choice: the kernel's own uevents through `udevadm monitor --kernel`, as
 * USBGuard hears them, the moment the device appears (udevd's copy, which the `usb` package
 * hears, comes only after udevd's rules have run: about 13 ms later in the VM benchmark).
 * Then the `usb` package, which listens on udev's netlink group, so it needs udevd running.
 * A sysfs root other than `/sys` (a recorded tree) is always polled.
 */
export async function openUsbHotplug(options: UsbHotplugOptions): Promise<HotplugEvents | undefined> {
  const { sysfsRoot, logger } = options;
  if (sysfsRoot !== SYSFS_ROOT) {
    logger.info('USB devices are detected by polling, as the sysfs root is not /sys', { sysfsRoot });
    return undefined;
  }
  const udevadm = await firstExisting(options.udevadmPaths ?? UDEVADM_PATHS);
  if (udevadm !== undefined) return new KernelUevents({ logger, command: [udevadm, ...UDEVADM_MONITOR.slice(1)] });
  const controlPath = options.udevControlPath ?? UDEV_CONTROL_PATH;
  if (!(await pathExists(controlPath))) {
    logger.warn('neither udevadm nor a running udev is here, so USB hotplug events cannot be heard; polling sysfs instead, which is slower to notice new devices', { missing: controlPath });
    return undefined;
  }
  try {
    return new UsbPackageHotplug(await (options.loadEmitter ?? loadNativeEmitter)());
  } catch (error) {
    logger.warn('the usb package could not be loaded, so USB hotplug events cannot be heard; polling sysfs instead', { error: String(error) });
    return undefined;
  }
}
