/** Watches non-USB devices come and go by comparing periodic inventories, one per source. */
import type { Logger } from '../../util/logger';
import type { Scheduler } from '../scheduler';
import { InFlight, Listeners, Timers } from '../watch-support';
import { OTHER_BUSES, type OtherBus, type OtherDevice, type OtherDeviceSource } from './other-device';

export interface OtherDeviceWatcherOptions {
  sources: OtherDeviceSource[];
  scheduler: Scheduler;
  /** How often to take the inventories. Default 3 s. */
  intervalMs?: number;
  logger: Logger;
}

export class OtherDeviceWatcher {
  /** The last inventory of each source that answered, by key. */
  private readonly inventories = new Map<OtherBus, Map<string, OtherDevice>>();
  private running = false;
  private scanning = false;
  private readonly added: Listeners<OtherDevice>;
  private readonly removed: Listeners<OtherDevice>;
  private readonly inventoried: Listeners<OtherDevice[]>;
  private readonly errors: Listeners<Error>;
  private readonly timers: Timers;
  private readonly work: InFlight;

  constructor(private readonly options: OtherDeviceWatcherOptions) {
    const { logger } = options;
    this.added = new Listeners('added', logger);
    this.removed = new Listeners('removed', logger);
    this.inventoried = new Listeners('inventory', logger);
    this.errors = new Listeners('error', logger);
    this.timers = new Timers(options.scheduler);
    this.work = new InFlight((error) => this.failed(error));
  }

  onAdded(listener: (device: OtherDevice) => void): () => void {
    return this.added.add(listener);
  }

  onRemoved(listener: (device: OtherDevice) => void): () => void {
    return this.removed.add(listener);
  }

  /** After every inventory, the devices present: for enforcement that must be kept up (a blocked disk mounted again). */
  onInventory(listener: (devices: OtherDevice[]) => void): () => void {
    return this.inventoried.add(listener);
  }

  onError(listener: (error: Error) => void): () => void {
    return this.errors.add(listener);
  }

  present(): OtherDevice[] {
    return OTHER_BUSES.flatMap((bus) => [...(this.inventories.get(bus)?.values() ?? [])]);
  }

  /**
   * Takes the first inventories and returns what they found, emitting nothing for it. A
   * source that fails now is asked again on each tick; what it finds then is emitted as added.
   */
  async start(): Promise<OtherDevice[]> {
    if (this.running) throw new Error('the device watcher is already running');
    this.running = true;
    for (const source of this.options.sources) {
      const devices = await this.list(source);
      if (devices) this.inventories.set(source.bus, new Map(devices.map((device) => [device.key, device])));
    }
    this.timers.every(this.options.intervalMs ?? 3000, () => this.scan());
    this.options.logger.info('watching non-USB devices', { buses: this.options.sources.map((s) => s.bus), present: this.present().length });
    return this.present();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.timers.stopAll();
    await this.work.idle();
  }

  /** Resolves when no inventory is being taken. */
  idle(): Promise<void> {
    return this.work.idle();
  }

  /** Takes the inventories now (a tick does the same). */
  scan(): void {
    if (this.scanning || !this.running) return;
    this.scanning = true;
    this.work.track(() => this.scanOnce().finally(() => (this.scanning = false)));
  }

  private async scanOnce(): Promise<void> {
    for (const source of this.options.sources) {
      const devices = await this.list(source);
      if (devices === undefined || !this.running) continue;
      const before = this.inventories.get(source.bus) ?? new Map<string, OtherDevice>();
      const now = new Map(devices.map((device) => [device.key, device]));
      this.inventories.set(source.bus, now);
      for (const [key, device] of before) if (!now.has(key)) this.removed.emit(device);
      for (const [key, device] of now) if (!before.has(key)) this.added.emit(device);
    }
    if (this.running) this.inventoried.emit(this.present());
  }

  /** A source's inventory, or undefined (reported) when it fails: its last inventory stands, so a failure removes nothing. */
  private async list(source: OtherDeviceSource): Promise<OtherDevice[] | undefined> {
    try {
      return await source.list();
    } catch (error) {
      this.failed(new Error(`the ${source.bus} inventory failed: ${error instanceof Error ? error.message : String(error)}`));
      return undefined;
    }
  }

  private failed(error: Error): void {
    this.options.logger.error('watching non-USB devices failed', { error: error.message });
    this.errors.emit(error);
  }
}
