/** Detects USB devices on platforms without a hotplug source here (Windows PnP, macOS system_profiler) by listing them at intervals. */
import type { Logger } from '../util/logger';
import type { Device } from './device';
import type { Cancel, Scheduler } from './scheduler';

export interface PollingUsbWatcherOptions {
  /** Lists the devices present now (`Win32PnpSource.listUsbDevices`, `DarwinUsbSource.listUsbDevices`). */
  list: () => Promise<Device[]>;
  scheduler: Scheduler;
  intervalMs: number;
  logger: Logger;
}

/** A device is the same device while its port and hash stay the same. */
const identityOf = (device: Device): string => `${device.viaPort}\u0000${device.hash}`;

export class PollingUsbWatcher {
  private known = new Map<string, Device>();
  private cancel: Cancel | undefined;
  private listing: Promise<void> = Promise.resolve();

  constructor(private readonly options: PollingUsbWatcherOptions) {}

  /** Lists what is present (announced by the return value, not as added), then looks again every interval. */
  async start(onAdded: (device: Device) => void, onRemoved: (viaPort: string) => void): Promise<Device[]> {
    const present = await this.options.list();
    this.known = new Map(present.map((d) => [identityOf(d), d]));
    this.cancel = this.options.scheduler.every(this.options.intervalMs, () => {
      this.listing = this.listing.then(() => this.compare(onAdded, onRemoved));
    });
    return present;
  }

  async stop(): Promise<void> {
    this.cancel?.();
    await this.idle();
  }

  /** Resolves when no listing is under way. */
  idle(): Promise<void> {
    return this.listing;
  }

  private async compare(onAdded: (device: Device) => void, onRemoved: (viaPort: string) => void): Promise<void> {
    let listed: Device[];
    try {
      listed = await this.options.list();
    } catch (error) {
      this.options.logger.warn('could not list USB devices; will try again', { error: String(error) });
      return;
    }
    const now = new Map(listed.map((d) => [identityOf(d), d]));
    for (const [key, device] of this.known) if (!now.has(key)) onRemoved(device.viaPort);
    for (const [key, device] of now) if (!this.known.has(key)) onAdded(device);
    this.known = now;
  }
}
