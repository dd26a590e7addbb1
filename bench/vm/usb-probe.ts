/** The host side of usbwatch (bench/vm/guest/usbwatch.c): started in the guest, its JSON lines read from the control channel. */
import type { GuestEvent } from '../../test/e2e/vm/guest-protocol';
import type { TestVm } from '../../test/e2e/vm/test-vm';
import { USBWATCH } from './usbguard-part';

export type ProbeEvent =
  | { ev: 'ready'; t: number }
  | { ev: 'watch'; name: string; serial: string; t0: number; result: 'authorized' | 'timeout' | 'removed'; lat_ms?: number; bind_ms?: number; udev_ms?: number }
  | { ev: 'log'; file: string; t: number; line: string };

const NAME = 'usbwatch';
/** How long a device is watched before it counts as never authorised (blocked). */
const PROBE_TIMEOUT_MS = 1500;

function probeEvent(event: GuestEvent): ProbeEvent | undefined {
  if (event.ev !== 'line' || event.name !== NAME || event.stream !== 'stdout') return undefined;
  try {
    return JSON.parse(event.line) as ProbeEvent;
  } catch {
    return undefined;
  }
}

export class UsbProbe {
  constructor(private readonly vm: TestVm) {}

  /** Starts usbwatch (1 ms polls of `authorized`), stamping lines appended to `logFiles`. */
  async start(logFiles: readonly string[]): Promise<void> {
    const from = this.vm.guest.events.mark();
    const argv = [USBWATCH, '-p', '1000', '-t', String(PROBE_TIMEOUT_MS), ...logFiles.flatMap((f) => ['-a', f])];
    await this.vm.guest.request('start', { name: NAME, argv });
    await this.vm.guest.events.waitFor('usbwatch to start', (e) => probeEvent(e)?.ev === 'ready', 10_000, from);
  }

  /** The end of the watch on the device with this serial number, plugged after the mark `from`. */
  async watched(serial: string, from: number): Promise<Extract<ProbeEvent, { ev: 'watch' }>> {
    const event = await this.vm.guest.events.waitFor(
      `usbwatch's result for ${serial}`,
      (e) => {
        const p = probeEvent(e);
        return p?.ev === 'watch' && p.serial === serial;
      },
      PROBE_TIMEOUT_MS + 20_000,
      from,
    );
    return probeEvent(event) as Extract<ProbeEvent, { ev: 'watch' }>;
  }

  /** The first line written to `file` after the mark `from` that `matches`, waiting up to `timeoutMs`; undefined if none. */
  async logLine(file: string, matches: (line: string) => boolean, from: number, timeoutMs: number): Promise<Extract<ProbeEvent, { ev: 'log' }> | undefined> {
    const event = await this.vm.guest.events
      .waitFor(
        `a line in ${file}`,
        (e) => {
          const p = probeEvent(e);
          return p?.ev === 'log' && p.file === file && matches(p.line);
        },
        timeoutMs,
        from,
      )
      .catch(() => undefined);
    return event === undefined ? undefined : (probeEvent(event) as Extract<ProbeEvent, { ev: 'log' }>);
  }
}
