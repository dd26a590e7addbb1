/** Kernel USB uevents read from `udevadm monitor --kernel`: heard as the kernel sends them, before udevd's rules run, and with no udevd at all. */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { Logger } from '../util/logger';
import type { HotplugEvent, HotplugEvents } from './usb-hotplug';

/**
 * Listens on the kernel's uevent netlink group (the one USBGuard's daemon reads), for USB
 * devices only (not their interfaces). Node cannot open a netlink socket itself, so udevadm
 * (part of udev, on every systemd Linux) does it; it needs no privilege and no running udevd.
 */
export const UDEVADM_MONITOR = ['udevadm', 'monitor', '--kernel', '--subsystem-match=usb/usb_device'] as const;

/** udevadm prints this once its kernel socket is bound: events after it are not missed. */
const READY_LINE = 'KERNEL - the kernel uevent';
const EVENT_LINE = /^KERNEL\[[\d.]+\]\s+(\S+)\s+(\S+)\s+\((\S+)\)$/;
const USB_DEVICE_NAME = /^(usb\d+|\d+-\d+(\.\d+)*)$/;

/** One line of `udevadm monitor --kernel` as a hotplug event, or undefined for headers, interfaces and actions other than add and remove. */
export function parseUeventLine(line: string): HotplugEvent | undefined {
  const match = EVENT_LINE.exec(line.trim());
  if (!match) return undefined;
  const [, action, devpath] = match as unknown as [string, string, string];
  const sysfsName = devpath.slice(devpath.lastIndexOf('/') + 1);
  if (!USB_DEVICE_NAME.test(sysfsName)) return undefined;
  if (action === 'add') return { type: 'attach', sysfsName };
  if (action === 'remove') return { type: 'detach', sysfsName };
  return undefined;
}

export interface KernelUeventOptions {
  logger: Logger;
  /** The monitor's argv; tests replay recorded output through another program. Default UDEVADM_MONITOR. */
  command?: readonly string[];
  /** How long to wait for the monitor to say it is listening. Default 5 s. */
  readyTimeoutMs?: number;
  /** How long to wait before starting a monitor that died, doubling to 30 s. Default 1 s. */
  restartDelayMs?: number;
}

/**
 * Hotplug from a long-running monitor process. If it dies, a poll is asked for (an attach
 * with no name: something may have been missed) and it is started again, later each time.
 */
export class KernelUevents implements HotplugEvents {
  private child: ChildProcess | undefined;
  private listener: ((event: HotplugEvent) => void) | undefined;
  private restartTimer: NodeJS.Timeout | undefined;
  private restartDelayMs: number;

  constructor(private readonly options: KernelUeventOptions) {
    this.restartDelayMs = options.restartDelayMs ?? 1_000;
  }

  async start(listener: (event: HotplugEvent) => void): Promise<void> {
    this.listener = listener;
    await this.launch();
  }

  async stop(): Promise<void> {
    this.listener = undefined;
    clearTimeout(this.restartTimer);
    const child = this.child;
    this.child = undefined;
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill();
      await exited;
    }
  }

  /** Starts the monitor and resolves once it is listening; rejects if it fails to. */
  private launch(): Promise<void> {
    const [program, ...args] = this.options.command ?? UDEVADM_MONITOR;
    if (program === undefined) return Promise.reject(new Error('no uevent monitor command'));
    const child = spawn(program, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    let stderr = '';
    child.stderr?.setEncoding('utf8').on('data', (text: string) => (stderr = (stderr + text).slice(-500)));
    return new Promise<void>((resolve, reject) => {
      let ready = false;
      const timer = setTimeout(() => {
        child.kill();
        reject(new Error(`${program} did not start listening for uevents within ${this.options.readyTimeoutMs ?? 5_000} ms`));
      }, this.options.readyTimeoutMs ?? 5_000);
      createInterface({ input: child.stdout! }).on('line', (line) => {
        if (!ready && line.trim() === READY_LINE) {
          ready = true;
          clearTimeout(timer);
          this.restartDelayMs = this.options.restartDelayMs ?? 1_000;
          resolve();
          return;
        }
        const event = parseUeventLine(line);
        if (event) {
          this.options.logger.debug('kernel uevent heard', { line, monotonicMs: Number(process.hrtime.bigint() / 1000n) / 1000 });
          this.listener?.(event);
        }
      });
      child.once('error', (error) => {
        clearTimeout(timer);
        reject(new Error(`${program} could not be started: ${error.message}`));
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        const how = `${program} exited (${signal ?? `code ${code}`})${stderr.trim() ? `: ${stderr.trim()}` : ''}`;
        if (!ready) reject(new Error(`${how} before it was listening for uevents`));
        else if (this.child === child) this.died(how);
      });
    });
  }

  private died(how: string): void {
    const delayMs = this.restartDelayMs;
    this.restartDelayMs = Math.min(delayMs * 2, 30_000);
    this.options.logger.warn('the kernel uevent monitor stopped; polling once and starting it again', { how, restartInMs: delayMs });
    this.listener?.({ type: 'attach', sysfsName: undefined });
    this.restartTimer = setTimeout(() => {
      if (!this.listener) return;
      this.launch().catch((error: unknown) => this.died(String(error instanceof Error ? error.message : error)));
    }, delayMs);
  }
}
