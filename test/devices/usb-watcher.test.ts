import { cp, realpath, rm, symlink } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import type { Device } from '../../src/devices/device';
import { LinuxSysfsSource } from '../../src/devices/linux-sysfs-source';
import type { HotplugEvent, HotplugEvents } from '../../src/devices/usb-hotplug';
import { UsbWatcher, type UsbRemoval, type UsbWatcherOptions } from '../../src/devices/usb-watcher';
import { captureLogger, type LogLine } from '../support/capture-logger';
import { FakeScheduler } from '../support/fake-scheduler';
import { loadUmockdevTree, type UmockdevTree } from '../support/umockdev-tree';
import { UMOCKDEV_FIXTURES } from '../support/usbguard-oracle';

/** Hotplug events sent by the test. */
class FakeHotplug implements HotplugEvents {
  listener?: (event: HotplugEvent) => void;
  stopped = false;
  constructor(private readonly refuse = false) {}
  async start(listener: (event: HotplugEvent) => void): Promise<void> {
    if (this.refuse) throw new Error('failed to bind udev netlink socket');
    this.listener = listener;
  }
  async stop(): Promise<void> {
    this.stopped = true;
  }
  send(type: HotplugEvent['type'], sysfsName: string | undefined): void {
    this.listener?.({ type, sysfsName });
  }
}

let tree: UmockdevTree;
let scheduler: FakeScheduler;
let source: LinuxSysfsSource;
let watcher: UsbWatcher | undefined;
let added: Device[];
let removed: UsbRemoval[];
let logLines: LogLine[];

beforeEach(async () => {
  tree = await loadUmockdevTree(join(UMOCKDEV_FIXTURES, 'devices.umockdev'));
  scheduler = new FakeScheduler();
  source = new LinuxSysfsSource({ sysfsRoot: tree.sysfsRoot });
  added = [];
  removed = [];
});
afterEach(async () => {
  await watcher?.stop();
  watcher = undefined;
  await tree.cleanup();
});

function busEntry(name: string): string {
  return join(tree.sysfsRoot, 'bus/usb/devices', name);
}

/** Plugs in a copy of a recorded device under a new port name, as the kernel would show it: its directory, then its bus link. */
async function plugCopy(of: string, as: string): Promise<void> {
  const original = await realpath(busEntry(of));
  const copy = join(dirname(original), as);
  await cp(original, copy, { recursive: true, verbatimSymlinks: true });
  await symlink(relative(dirname(busEntry(as)), copy), busEntry(as));
}

async function unplug(name: string): Promise<void> {
  const dir = await realpath(busEntry(name));
  await rm(busEntry(name));
  await rm(dir, { recursive: true });
}

async function startWatcher(options: Partial<UsbWatcherOptions> = {}): Promise<Device[]> {
  const { logger, lines } = captureLogger();
  logLines = lines;
  watcher = new UsbWatcher({ source, sysfsRoot: tree.sysfsRoot, scheduler, logger, ...options });
  watcher.onAdded((device) => added.push(device));
  watcher.onRemoved((removal) => removed.push(removal));
  watcher.onError((error) => {
    throw error;
  });
  return watcher.start();
}

/** Moves time on and waits for the reads and scans it started. */
async function tick(ms: number): Promise<void> {
  scheduler.advance(ms);
  await watcher?.idle();
}

describe('UsbWatcher by polling (a recorded tree)', () => {
  it('returns the devices present at start, emitting nothing for them', async () => {
    const present = await startWatcher();
    expect(present).toEqual(await source.listUsbDevices());
    expect(watcher?.present()).toEqual(present);
    await tick(500);
    expect(added).toEqual([]);
    expect(scheduler.pending()).toEqual([500, 30_000]);
  });

  it('emits added once for a device plugged in, and removed once when it is unplugged', async () => {
    await startWatcher();
    await plugCopy('1-4.4', '1-4.3');
    await tick(500);
    await tick(500);
    expect(added).toEqual([await source.readUsbDevice('1-4.3')]);
    expect(added[0]?.viaPort).toBe('1-4.3');
    expect(watcher?.present().map((d) => d.viaPort)).toContain('1-4.3');

    await unplug('1-4.3');
    await tick(500);
    await tick(30_000);
    expect(removed).toEqual([{ sysfsName: '1-4.3', device: added[0] }]);
    expect(watcher?.present().map((d) => d.viaPort)).not.toContain('1-4.3');
  });

  it('finds on reconcile a device replaced by another on the same port between polls', async () => {
    await startWatcher();
    const before = await source.readUsbDevice('1-4.4');
    await unplug('1-4.4');
    await plugCopy('1-4.2', '1-4.4');
    await tick(500);
    expect(added).toEqual([]);
    await tick(30_000);
    expect(removed).toEqual([{ sysfsName: '1-4.4', device: before }]);
    expect(added).toEqual([await source.readUsbDevice('1-4.4')]);
    expect(added[0]?.hash).not.toBe(before.hash);
  });

  it('retries a device whose files are not all there yet on the next polls', async () => {
    await startWatcher();
    await plugCopy('1-4.4', '1-4.3');
    const descriptors = join(await realpath(busEntry('1-4.3')), 'descriptors');
    const saved = join(tree.sysfsRoot, 'saved-descriptors');
    await cp(descriptors, saved);
    await rm(descriptors);
    await tick(500);
    expect(added).toEqual([]);
    await cp(saved, descriptors);
    await tick(500);
    expect(added.map((d) => d.viaPort)).toEqual(['1-4.3']);
  });

  it('fails to start, naming the root, when the sysfs root is missing', async () => {
    const hotplug = new FakeHotplug();
    source = new LinuxSysfsSource({ sysfsRoot: join(tree.sysfsRoot, 'missing') });
    await expect(startWatcher({ hotplug })).rejects.toThrow(/cannot open the sysfs root .*missing/);
    expect(hotplug.stopped).toBe(true);
    expect(scheduler.pending()).toEqual([]);
  });
});

describe('UsbWatcher with hotplug events', () => {
  it('reads a device as soon as its event arrives, without waiting for a poll', async () => {
    const hotplug = new FakeHotplug();
    await startWatcher({ hotplug });
    expect(scheduler.pending()).toEqual([30_000]);
    await plugCopy('1-4.4', '1-4.3');
    hotplug.send('attach', '1-4.3');
    await watcher?.idle();
    expect(scheduler.now).toBe(0);
    expect(added).toEqual([await source.readUsbDevice('1-4.3')]);

    hotplug.send('detach', '1-4.3');
    expect(removed).toEqual([{ sysfsName: '1-4.3', device: added[0] }]);
  });

  it('retries briefly when the event comes before the device can be read', async () => {
    const hotplug = new FakeHotplug();
    await startWatcher({ hotplug, readRetry: { attempts: 3, delayMs: 10 } });
    const retrying = scheduler.nextTimer();
    hotplug.send('attach', '1-4.3');
    await retrying;
    expect(added).toEqual([]);
    await plugCopy('1-4.4', '1-4.3');
    await tick(10);
    expect(added.map((d) => d.viaPort)).toEqual(['1-4.3']);
    expect(scheduler.now).toBe(10);
  });

  it('does not add a device that left while it was being read', async () => {
    const hotplug = new FakeHotplug();
    await startWatcher({ hotplug });
    const retrying = scheduler.nextTimer();
    hotplug.send('attach', '1-4.3');
    await retrying;
    hotplug.send('detach', '1-4.3');
    await plugCopy('1-4.4', '1-4.3');
    await tick(10);
    expect(added).toEqual([]);
    expect(removed).toEqual([]);
  });

  it('replaces at once a device whose detach was lost when another arrives on its port', async () => {
    const hotplug = new FakeHotplug();
    await startWatcher({ hotplug });
    const before = await source.readUsbDevice('1-4.4');
    await unplug('1-4.4');
    await plugCopy('1-4.2', '1-4.4');
    hotplug.send('attach', '1-4.4');
    await watcher?.idle();
    expect(removed).toEqual([{ sysfsName: '1-4.4', device: before }]);
    expect(added).toEqual([await source.readUsbDevice('1-4.4')]);
  });

  it('finds on reconcile a device whose events were lost', async () => {
    await startWatcher({ hotplug: new FakeHotplug() });
    await plugCopy('1-4.4', '1-4.3');
    await tick(29_999);
    expect(added).toEqual([]);
    await tick(1);
    expect(added.map((d) => d.viaPort)).toEqual(['1-4.3']);

    await unplug('1-4.3');
    await tick(30_000);
    expect(removed.map((r) => r.sysfsName)).toEqual(['1-4.3']);
  });

  it('emits a device once when its event, a poll and a reconcile all find it', async () => {
    const hotplug = new FakeHotplug();
    await startWatcher({ hotplug });
    await plugCopy('1-4.4', '1-4.3');
    hotplug.send('attach', '1-4.3');
    hotplug.send('attach', undefined);
    watcher?.reconcile();
    hotplug.send('attach', '1-4.3');
    await tick(30_000);
    expect(added.map((d) => d.viaPort)).toEqual(['1-4.3']);
  });

  it('polls to learn which device left when the event does not say', async () => {
    const hotplug = new FakeHotplug();
    await startWatcher({ hotplug });
    const keyboard = await source.readUsbDevice('1-4.1.3');
    await unplug('1-4.1.3');
    hotplug.send('detach', undefined);
    await watcher?.idle();
    expect(removed).toEqual([{ sysfsName: '1-4.1.3', device: keyboard }]);
  });

  it('falls back to polling when hotplug events cannot be started', async () => {
    await startWatcher({ hotplug: new FakeHotplug(true) });
    expect(scheduler.pending()).toEqual([500, 30_000]);
    await plugCopy('1-4.4', '1-4.3');
    await tick(500);
    expect(added.map((d) => d.viaPort)).toEqual(['1-4.3']);
  });

  it('stops its timers and events, and ignores events after stopping', async () => {
    const hotplug = new FakeHotplug();
    await startWatcher({ hotplug });
    const listener = hotplug.listener;
    await watcher?.stop();
    expect(hotplug.stopped).toBe(true);
    expect(scheduler.pending()).toEqual([]);
    await plugCopy('1-4.4', '1-4.3');
    listener?.({ type: 'attach', sysfsName: '1-4.3' });
    await watcher?.idle();
    expect(added).toEqual([]);
  });
});

describe('UsbWatcher on devices USBGuard cannot read', () => {
  it('leaves them out, saying why once, without retrying them on every poll', async () => {
    await tree.cleanup();
    tree = await loadUmockdevTree(join(UMOCKDEV_FIXTURES, 'portcullis-edge-cases.umockdev'));
    source = new LinuxSysfsSource({ sysfsRoot: tree.sysfsRoot });
    const read = jest.spyOn(source, 'readUsbDevice');
    const present = await startWatcher();
    expect(present).toEqual(await source.listUsbDevices());
    await tick(500);
    await tick(30_000);
    await tick(30_000);
    expect(read).not.toHaveBeenCalled();
    expect(added).toEqual([]);
    const { skipped } = await source.scanUsbDevices();
    expect(skipped.length).toBeGreaterThan(0);
    const warnings = logLines.filter((line) => line.level === 'warn').map((line) => [line.sysfsName, line.reason]);
    expect(warnings).toEqual(skipped.map((entry) => [entry.sysfsName, entry.reason]));
  });
});
