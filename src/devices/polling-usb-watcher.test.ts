import { PollingUsbWatcher } from './polling-usb-watcher';
import { FakeScheduler } from '../../test/support/fake-scheduler';
import { createLogger } from '../util/logger';
import { sampleDevice } from '../../test/support/sample-device';

describe('PollingUsbWatcher', () => {
  it('announces devices that appear and leave between listings, and nothing twice', async () => {
    const stick = sampleDevice({ viaPort: 'USB\\VID_0781&PID_5567\\4C53', hash: 'a' });
    const keyboard = sampleDevice({ viaPort: 'USB\\VID_046D&PID_C31C\\5&1', hash: 'k', kind: 'keyboard' });
    let listing = [keyboard];
    const scheduler = new FakeScheduler();
    const watcher = new PollingUsbWatcher({ list: async () => listing, scheduler, intervalMs: 1000, logger: createLogger('test', { write: () => true }) });
    const seen: string[] = [];
    const present = await watcher.start((d) => seen.push(`+${d.hash}`), (port) => seen.push(`-${port}`));
    expect(present).toEqual([keyboard]);
    listing = [keyboard, stick];
    scheduler.advance(1000);
    await watcher.idle();
    scheduler.advance(1000);
    await watcher.idle();
    listing = [keyboard];
    scheduler.advance(1000);
    await watcher.idle();
    await watcher.stop();
    expect(seen).toEqual(['+a', `-${stick.viaPort}`]);
  });
});
