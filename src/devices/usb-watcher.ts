/** Watches USB devices come and go: a hotplug event is read from sysfs at once; without hotplug, sysfs is polled; a periodic full scan catches anything missed. */
import type { Logger } from '../util/logger';
import type { Device } from './device';
import { compareUsbNames, type LinuxSysfsSource, type UsbDeviceScan } from './linux-sysfs-source';
import type { Scheduler } from './scheduler';
import { SysfsReadError } from './sysfs-files';
import { diffUsbNames, listUsbDeviceNames } from './sysfs-poller';
import { SYSFS_ROOT, type HotplugEvent, type HotplugEvents } from './usb-hotplug';
import { InFlight, Listeners, Timers } from './watch-support';

/** A device that left, as the watcher knew it. (One that leaves before it could be read was never added, so it is not removed either.) */
export interface UsbRemoval {
  sysfsName: string;
  device: Device;
}

export interface UsbWatcherOptions {
  source: LinuxSysfsSource;
  /** The sysfs root `source` reads (`/sys` unless a test says otherwise); polling lists its `bus/usb/devices`. */
  sysfsRoot?: string;
  /** Kernel events (see `openUsbHotplug`); without them the watcher polls. */
  hotplug?: HotplugEvents;
  scheduler: Scheduler;
  /** How often to list `bus/usb/devices` when there is no hotplug. Default 500 ms. */
  pollIntervalMs?: number;
  /** How often to compare a full scan with what the watcher believes is present. Default 30 s. */
  reconcileIntervalMs?: number;
  /** A device that cannot be read yet (its descriptors not there) is tried this often, this far apart. Default 5 times, 10 ms. */
  readRetry?: { attempts: number; delayMs: number };
  logger: Logger;
}

export class UsbWatcher {
  private readonly known = new Map<string, Device>();
  /** Devices listed but unreadable, with how often they failed; polling stops retrying them after `readRetry.attempts`, reconcile never does. */
  private readonly failures = new Map<string, number>();
  /** When each name last changed, counted in `seq` steps: work that began earlier does not undo a later change. */
  private readonly changedAt = new Map<string, number>();
  private seq = 0;
  private running = false;
  private hotplugStarted = false;
  private polling = false;
  private reconciling = false;
  private readonly timers: Timers;
  private readonly added: Listeners<Device>;
  private readonly removed: Listeners<UsbRemoval>;
  private readonly errors: Listeners<Error>;
  private readonly work: InFlight;
  private readonly sysfsRoot: string;
  private readonly retry: { attempts: number; delayMs: number };

  constructor(private readonly options: UsbWatcherOptions) {
    const { logger } = options;
    this.sysfsRoot = options.sysfsRoot ?? SYSFS_ROOT;
    this.retry = options.readRetry ?? { attempts: 5, delayMs: 10 };
    this.added = new Listeners('added', logger);
    this.removed = new Listeners('removed', logger);
    this.errors = new Listeners('error', logger);
    this.timers = new Timers(options.scheduler);
    this.work = new InFlight((error) => {
      logger.error('USB device watching failed', { error: error.message });
      this.errors.emit(error);
    });
  }

  onAdded(listener: (device: Device) => void): () => void {
    return this.added.add(listener);
  }

  onRemoved(listener: (removal: UsbRemoval) => void): () => void {
    return this.removed.add(listener);
  }

  onError(listener: (error: Error) => void): () => void {
    return this.errors.add(listener);
  }

  /** The devices the watcher believes are present, in USBGuard's order. */
  present(): Device[] {
    return [...this.known.values()].sort((a, b) => compareUsbNames(a.viaPort, b.viaPort));
  }

  /**
   * Starts watching and returns the devices present now, for the start-up policy: no `added`
   * event is emitted for them. Events start before the first scan, so nothing arriving
   * during it is lost.
   */
  async start(): Promise<Device[]> {
    if (this.running) throw new Error('the USB watcher is already running');
    this.running = true;
    const { hotplug, logger } = this.options;
    if (hotplug) {
      try {
        await hotplug.start((event) => this.heard(event));
        this.hotplugStarted = true;
      } catch (error) {
        logger.warn('USB hotplug events could not be started; polling sysfs instead', { error: String(error) });
      }
    }
    const startSeq = this.seq;
    let scan;
    try {
      scan = await this.fullScan();
    } catch (error) {
      await this.stop();
      throw error;
    }
    for (const device of scan.devices) if (!this.changedSince(device.viaPort, startSeq)) this.known.set(device.viaPort, device);
    if (!this.hotplugStarted) this.timers.every(this.options.pollIntervalMs ?? 500, () => this.poll());
    this.timers.every(this.options.reconcileIntervalMs ?? 30_000, () => this.reconcile());
    logger.info('watching USB devices', { by: this.hotplugStarted ? 'hotplug events' : 'polling', sysfsRoot: this.sysfsRoot, present: this.known.size });
    return this.present();
  }

  /** Stops every timer and event, then waits for reads and scans already under way. */
  async stop(): Promise<void> {
    this.running = false;
    this.timers.stopAll();
    if (this.hotplugStarted) {
      this.hotplugStarted = false;
      await this.options.hotplug?.stop().catch((error: unknown) => this.options.logger.warn('could not stop USB hotplug events', { error: String(error) }));
    }
    await this.work.idle();
  }

  /** Resolves when no read or scan is under way. */
  idle(): Promise<void> {
    return this.work.idle();
  }

  /** Lists `bus/usb/devices` now (a poll tick does the same). */
  poll(): void {
    if (this.polling || !this.running) return;
    this.polling = true;
    this.work.track(() => this.pollOnce().finally(() => (this.polling = false)));
  }

  /** Compares a full scan with what the watcher believes now (a reconcile tick does the same). */
  reconcile(): void {
    if (this.reconciling || !this.running) return;
    this.reconciling = true;
    this.work.track(() => this.reconcileOnce().finally(() => (this.reconciling = false)));
  }

  private heard(event: HotplugEvent): void {
    if (!this.running) return;
    const name = event.sysfsName;
    // The event does not say which device (a detach for a device present before start): a poll finds out.
    if (name === undefined) return this.poll();
    this.touch(name);
    if (event.type === 'detach') {
      this.failures.delete(name);
      this.removeNow(name);
      return;
    }
    const startSeq = this.seq;
    const heardAt = performance.now();
    this.work.track(async () => {
      const { device, attempts } = await this.readSoon(name, startSeq);
      this.options.logger.debug('USB device read after its event', { sysfsName: name, readMs: Math.round((performance.now() - heardAt) * 100) / 100, attempts });
      if (device) this.commitPresent(device, startSeq);
    });
  }

  /** The hot path: read at once, and again shortly while the kernel is still filling in the device's files. */
  private async readSoon(name: string, startSeq: number): Promise<{ device: Device | undefined; attempts: number }> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return { device: await this.options.source.readUsbDevice(name, (port) => this.known.get(port)), attempts: attempt };
      } catch (error) {
        if (!(error instanceof SysfsReadError)) throw error;
        if (!this.running || this.changedSince(name, startSeq)) return { device: undefined, attempts: attempt };
        if (attempt >= this.retry.attempts) {
          this.readFailed(name, error.message, this.retry.attempts);
          return { device: undefined, attempts: attempt };
        }
        this.options.logger.debug('USB device not readable yet; reading again', { sysfsName: name, attempt, error: error.message });
        await this.timers.sleep(this.retry.delayMs);
      }
    }
  }

  private async pollOnce(): Promise<void> {
    const startSeq = this.seq;
    const listed = await listUsbDeviceNames(this.sysfsRoot);
    for (const name of [...this.failures.keys()]) if (!listed.has(name)) this.failures.delete(name);
    const settled = new Set([...this.failures].filter(([, count]) => count >= this.retry.attempts).map(([name]) => name));
    const { appeared, vanished } = diffUsbNames(this.known.keys(), listed, settled);
    for (const name of vanished) if (!this.changedSince(name, startSeq)) this.removeNow(name);
    // Parents before children, as a hub's devices follow the hub.
    for (const name of appeared.sort(compareUsbNames)) {
      try {
        this.commitPresent(await this.options.source.readUsbDevice(name, (port) => this.known.get(port)), startSeq);
      } catch (error) {
        if (!(error instanceof SysfsReadError)) throw error;
        if (!this.changedSince(name, startSeq)) this.readFailed(name, error.message, (this.failures.get(name) ?? 0) + 1);
      }
    }
  }

  private async reconcileOnce(): Promise<void> {
    const startSeq = this.seq;
    const scan = await this.fullScan();
    const found = new Set(scan.devices.map((device) => device.viaPort));
    const skipped = new Set(scan.skipped.map((entry) => entry.sysfsName));
    for (const name of [...this.known.keys()]) {
      if (found.has(name) || skipped.has(name) || this.changedSince(name, startSeq)) continue;
      this.options.logger.info('reconcile found a device gone that no event reported', { sysfsName: name });
      this.removeNow(name);
    }
    for (const device of scan.devices) {
      if (this.commitPresent(device, startSeq)) this.options.logger.info('reconcile found a device that no event reported', { sysfsName: device.viaPort });
    }
  }

  /**
   * Every device, and every name listed that is not a readable USB device (unreadable, or not
   * a USB device at all) set aside until the next full scan, so that polls do not retry it.
   */
  private async fullScan(): Promise<UsbDeviceScan> {
    const listed = await listUsbDeviceNames(this.sysfsRoot);
    const scan = await this.options.source.scanUsbDevices();
    const read = new Set(scan.devices.map((device) => device.viaPort));
    const reasons = new Map(scan.skipped.map((entry) => [entry.sysfsName, entry.reason]));
    for (const name of [...this.failures.keys()]) if (!listed.has(name) || read.has(name)) this.failures.delete(name);
    for (const name of [...listed].sort(compareUsbNames)) if (!read.has(name)) this.readFailed(name, reasons.get(name), this.retry.attempts);
    return scan;
  }

  /** Records a device read from sysfs, unless its name changed since `startSeq` or it is already known as it is; a different device on a known port replaces the old one. Says whether it did. */
  private commitPresent(device: Device, startSeq: number): boolean {
    const name = device.viaPort;
    if (this.changedSince(name, startSeq) || this.known.get(name)?.hash === device.hash) return false;
    this.removeNow(name);
    this.addNow(device);
    return true;
  }

  private addNow(device: Device): void {
    if (!this.running) return;
    this.known.set(device.viaPort, device);
    this.failures.delete(device.viaPort);
    this.touch(device.viaPort);
    this.added.emit(device);
  }

  private removeNow(name: string): void {
    const device = this.known.get(name);
    if (!this.running || device === undefined) return;
    this.known.delete(name);
    this.touch(name);
    this.removed.emit({ sysfsName: name, device });
  }

  /** Counts a failed read; the first time a device is set aside, says why (when there is a reason: an entry that is no USB device is not worth a word). */
  private readFailed(name: string, reason: string | undefined, count: number): void {
    if (reason !== undefined && count >= this.retry.attempts && (this.failures.get(name) ?? 0) < this.retry.attempts) {
      this.options.logger.warn('a USB device is present but cannot be read; it is left out until it can be', { sysfsName: name, reason });
    }
    this.failures.set(name, count);
  }

  private touch(name: string): void {
    this.seq += 1;
    this.changedAt.set(name, this.seq);
  }

  private changedSince(name: string, seq: number): boolean {
    return (this.changedAt.get(name) ?? 0) > seq;
  }
}
