import { join } from 'node:path';
import { captureLogger } from '../../test/support/capture-logger';
import { KernelUevents, parseUeventLine } from './kernel-uevents';
import type { HotplugEvent } from './usb-hotplug';

const RECORDED = join(__dirname, '..', '..', 'test', 'fixtures', 'uevents', 'stick-plugged-and-pulled.txt');

/** A monitor played by a real process: `sh -c SCRIPT`. */
function monitor(script: string, extra: Partial<ConstructorParameters<typeof KernelUevents>[0]> = {}): { uevents: KernelUevents; lines: ReturnType<typeof captureLogger>['lines'] } {
  const { logger, lines } = captureLogger();
  return { uevents: new KernelUevents({ logger, command: ['sh', '-c', script], readyTimeoutMs: 3_000, ...extra }), lines };
}

function collect(): { events: HotplugEvent[]; next: (count: number) => Promise<void>; listener: (event: HotplugEvent) => void } {
  const events: HotplugEvent[] = [];
  let waiting: { count: number; resolve: () => void } | undefined;
  return {
    events,
    listener: (event) => {
      events.push(event);
      if (waiting && events.length >= waiting.count) waiting.resolve();
    },
    next: (count) => new Promise((resolve) => (events.length >= count ? resolve() : (waiting = { count, resolve }))),
  };
}

describe('parseUeventLine', () => {
  it.each([
    ['KERNEL[41.211734] add      /devices/pci0000:00/0000:00:04.0/usb1/1-1/1-1.2 (usb)', { type: 'attach', sysfsName: '1-1.2' }],
    ['KERNEL[44.118420] remove   /devices/pci0000:00/0000:00:04.0/usb1/1-1/1-1.2 (usb)', { type: 'detach', sysfsName: '1-1.2' }],
    ['KERNEL[1.0] add      /devices/pci0000:00/0000:00:04.0/usb2 (usb)', { type: 'attach', sysfsName: 'usb2' }],
  ])('reads %s', (line, event) => {
    expect(parseUeventLine(line)).toEqual(event);
  });

  it.each([
    ['a bind', 'KERNEL[41.263455] bind     /devices/pci0000:00/0000:00:04.0/usb1/1-1/1-1.2 (usb)'],
    ['an interface', 'KERNEL[41.3] add      /devices/pci0000:00/0000:00:04.0/usb1/1-1/1-1.2/1-1.2:1.0 (usb)'],
    ['the header', 'KERNEL - the kernel uevent'],
    ['a udev line', 'UDEV  [41.4] add      /devices/pci0000:00/0000:00:04.0/usb1/1-1 (usb)'],
  ])('ignores %s', (_what, line) => {
    expect(parseUeventLine(line)).toBeUndefined();
  });
});

describe('KernelUevents', () => {
  it('starts once the monitor is listening and passes on adds and removes in order', async () => {
    const { uevents } = monitor(`cat '${RECORDED}'; exec sleep 30`);
    const { events, next, listener } = collect();
    await uevents.start(listener);
    await next(3);
    await uevents.stop();
    expect(events).toEqual([
      { type: 'attach', sysfsName: '1-1' },
      { type: 'attach', sysfsName: '1-1.2' },
      { type: 'detach', sysfsName: '1-1.2' },
    ]);
  });

  it('rejects, naming the program and its error, when the monitor exits before listening', async () => {
    const { uevents } = monitor("echo 'Failed to create netlink socket: Permission denied' >&2; exit 1");
    await expect(uevents.start(() => undefined)).rejects.toThrow(/^sh exited \(code 1\): Failed to create netlink socket: Permission denied before it was listening/);
  });

  it('rejects when the monitor program is missing', async () => {
    const { logger } = captureLogger();
    const uevents = new KernelUevents({ logger, command: ['/nonexistent/udevadm', 'monitor'] });
    await expect(uevents.start(() => undefined)).rejects.toThrow(/^\/nonexistent\/udevadm could not be started: spawn \/nonexistent\/udevadm ENOENT/);
  });

  it('rejects when the monitor never says it is listening', async () => {
    const { uevents } = monitor('exec sleep 30', { readyTimeoutMs: 200 });
    await expect(uevents.start(() => undefined)).rejects.toThrow('sh did not start listening for uevents within 200 ms');
  });

  it('asks for a poll and starts again when the monitor dies', async () => {
    const { uevents, lines } = monitor(`cat '${RECORDED}'; sleep 0.2`, { restartDelayMs: 50 });
    const { events, next, listener } = collect();
    await uevents.start(listener);
    await next(7);
    await uevents.stop();
    expect(events.slice(0, 4)).toEqual([
      { type: 'attach', sysfsName: '1-1' },
      { type: 'attach', sysfsName: '1-1.2' },
      { type: 'detach', sysfsName: '1-1.2' },
      { type: 'attach', sysfsName: undefined },
    ]);
    expect(events.slice(4, 7)).toEqual(events.slice(0, 3));
    expect(lines).toContainEqual(expect.objectContaining({ level: 'warn', message: expect.stringContaining('monitor stopped'), restartInMs: 50 }));
  });
});
