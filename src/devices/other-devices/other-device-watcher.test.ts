import { captureLogger } from '../../../test/support/capture-logger';
import { FakeScheduler } from '../../../test/support/fake-scheduler';
import type { OtherBus, OtherDevice, OtherDeviceSource } from './other-device';
import { OtherDeviceWatcher } from './other-device-watcher';

/** A source whose inventory the test sets; `failWith` makes the next listings fail. */
class ListedSource implements OtherDeviceSource {
  devices: OtherDevice[] = [];
  failWith?: string;
  calls = 0;
  constructor(readonly bus: OtherBus) {}
  async list(): Promise<OtherDevice[]> {
    this.calls += 1;
    if (this.failWith !== undefined) throw new Error(this.failWith);
    return this.devices;
  }
}

const card: OtherDevice = { bus: 'block', key: '0x9a3c2f41', name: 'EOS_DIGITAL', details: { device: '/dev/mmcblk0', media: 'SD card' }, removable: true };
const ssd: OtherDevice = { bus: 'block', key: 'S4EWNX0R412345', name: 'Samsung SSD 980 500GB', details: { device: '/dev/nvme0n1' }, removable: false };
const phone: OtherDevice = { bus: 'network', key: '8a:3f:2b:1c:4d:5e', name: 'enx8a3f2b1c4d5e', details: { attachment: 'usb' }, removable: true };

let scheduler: FakeScheduler;
let block: ListedSource;
let network: ListedSource;
let watcher: OtherDeviceWatcher;
let events: string[];
let errors: string[];
let lines: ReturnType<typeof captureLogger>['lines'];

beforeEach(() => {
  scheduler = new FakeScheduler();
  block = new ListedSource('block');
  network = new ListedSource('network');
  const captured = captureLogger();
  lines = captured.lines;
  watcher = new OtherDeviceWatcher({ sources: [block, network], scheduler, intervalMs: 1000, logger: captured.logger });
  events = [];
  errors = [];
  watcher.onAdded((device) => events.push(`added ${device.key}`));
  watcher.onRemoved((device) => events.push(`removed ${device.key}`));
  watcher.onInventory((devices) => events.push(`inventory ${devices.map((d) => d.key).join(' ')}`));
  watcher.onError((error) => errors.push(error.message));
});
afterEach(() => watcher.stop());

async function tick(): Promise<void> {
  scheduler.advance(1000);
  await watcher.idle();
}

describe('OtherDeviceWatcher', () => {
  it('returns the first inventories from start, emitting nothing for them', async () => {
    block.devices = [ssd];
    expect(await watcher.start()).toEqual([ssd]);
    expect(watcher.present()).toEqual([ssd]);
    expect(events).toEqual([]);
    expect(scheduler.pending()).toEqual([1000]);
  });

  it('emits what appeared and what went between inventories, then the inventory', async () => {
    block.devices = [ssd];
    await watcher.start();
    block.devices = [ssd, card];
    network.devices = [phone];
    await tick();
    expect(events).toEqual(['added 0x9a3c2f41', 'added 8a:3f:2b:1c:4d:5e', 'inventory S4EWNX0R412345 0x9a3c2f41 8a:3f:2b:1c:4d:5e']);
    events = [];
    await tick();
    expect(events).toEqual(['inventory S4EWNX0R412345 0x9a3c2f41 8a:3f:2b:1c:4d:5e']);
    events = [];
    block.devices = [ssd];
    await tick();
    expect(events).toEqual(['removed 0x9a3c2f41', 'inventory S4EWNX0R412345 8a:3f:2b:1c:4d:5e']);
  });

  it('keeps the last inventory of a source that fails, so a failure removes nothing', async () => {
    block.devices = [ssd, card];
    await watcher.start();
    block.failWith = 'lsblk: not found';
    await tick();
    expect(errors).toEqual(['the block inventory failed: lsblk: not found']);
    expect(events).toEqual(['inventory S4EWNX0R412345 0x9a3c2f41']);
    expect(lines).toContainEqual(expect.objectContaining({ level: 'error', error: 'the block inventory failed: lsblk: not found' }));
  });

  it('emits as added what a source that failed at start finds later', async () => {
    network.failWith = 'no answer';
    network.devices = [phone];
    expect(await watcher.start()).toEqual([]);
    network.failWith = undefined;
    await tick();
    expect(events).toEqual(['added 8a:3f:2b:1c:4d:5e', 'inventory 8a:3f:2b:1c:4d:5e']);
  });

  it('takes one inventory at a time, and none after stopping', async () => {
    await watcher.start();
    watcher.scan();
    watcher.scan();
    await watcher.idle();
    expect(block.calls).toBe(2);
    await watcher.stop();
    expect(scheduler.pending()).toEqual([]);
    watcher.scan();
    await watcher.idle();
    expect(block.calls).toBe(2);
  });
});
