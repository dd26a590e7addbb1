import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { captureLogger } from '../../test/support/capture-logger';
import { KernelUevents } from './kernel-uevents';
import { openUsbHotplug, sysfsNameOf, type HotplugEvent, type NativeHotplugEmitter, type NativeUsbDevice } from './usb-hotplug';

/** The usb package's native emitter, played by the test. */
class FakeEmitter implements NativeHotplugEmitter {
  attach?: (device: NativeUsbDevice) => void;
  detach?: (handle: string) => void;
  removed: string[] = [];
  async addAttach(callback: (device: NativeUsbDevice) => void): Promise<void> {
    this.attach = callback;
  }
  async addDetach(callback: (handle: string) => void): Promise<void> {
    this.detach = callback;
  }
  async removeAttach(): Promise<void> {
    this.removed.push('attach');
  }
  async removeDetach(): Promise<void> {
    this.removed.push('detach');
  }
}

let dir: string;
let udevControl: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'usb-hotplug-'));
  udevControl = join(dir, 'control');
});
afterEach(() => rm(dir, { recursive: true, force: true }));

describe('sysfsNameOf', () => {
  it.each([
    [{ bus: '1', ports: [4, 3] }, '1-4.3'],
    [{ bus: '003', ports: [2] }, '3-2'],
    [{ bus: '2', ports: [] }, 'usb2'],
    [{ bus: '1-4', ports: [3] }, undefined],
  ])('names %j as %s', (device, name) => {
    expect(sysfsNameOf(device)).toBe(name);
  });
});

describe('openUsbHotplug', () => {
  it('polls a sysfs root other than /sys, and says so', async () => {
    const { logger, lines } = captureLogger();
    const loadEmitter = jest.fn(async () => new FakeEmitter());
    expect(await openUsbHotplug({ sysfsRoot: dir, logger, udevControlPath: udevControl, loadEmitter })).toBeUndefined();
    expect(loadEmitter).not.toHaveBeenCalled();
    expect(lines).toEqual([expect.objectContaining({ level: 'info', message: expect.stringContaining('polling'), sysfsRoot: dir })]);
  });

  it('hears the kernel through udevadm when udevadm is installed, udevd or not', async () => {
    const udevadm = join(dir, 'udevadm');
    await writeFile(udevadm, '');
    const loadEmitter = jest.fn(async () => new FakeEmitter());
    const hotplug = await openUsbHotplug({ sysfsRoot: '/sys', logger: captureLogger().logger, udevadmPaths: [join(dir, 'missing'), udevadm], udevControlPath: udevControl, loadEmitter });
    expect(hotplug).toBeInstanceOf(KernelUevents);
    expect(loadEmitter).not.toHaveBeenCalled();
  });

  it('warns and reports no hotplug when udev is not running', async () => {
    const { logger, lines } = captureLogger();
    const loadEmitter = jest.fn(async () => new FakeEmitter());
    expect(await openUsbHotplug({ sysfsRoot: '/sys', logger, udevadmPaths: [], udevControlPath: udevControl, loadEmitter })).toBeUndefined();
    expect(loadEmitter).not.toHaveBeenCalled();
    expect(lines).toEqual([expect.objectContaining({ level: 'warn', message: expect.stringMatching(/^neither udevadm nor a running udev.*polling sysfs/), missing: udevControl })]);
  });

  it('warns and reports no hotplug when the usb package cannot be loaded', async () => {
    await writeFile(udevControl, '');
    const { logger, lines } = captureLogger();
    const loadEmitter = async (): Promise<NativeHotplugEmitter> => {
      throw new Error('no prebuilt binary for this platform');
    };
    expect(await openUsbHotplug({ sysfsRoot: '/sys', logger, udevadmPaths: [], udevControlPath: udevControl, loadEmitter })).toBeUndefined();
    expect(lines).toEqual([expect.objectContaining({ level: 'warn', error: 'Error: no prebuilt binary for this platform' })]);
  });

  it('tells attach and detach events by sysfs name, naming a detach by the handle its attach gave', async () => {
    await writeFile(udevControl, '');
    const emitter = new FakeEmitter();
    const hotplug = await openUsbHotplug({ sysfsRoot: '/sys', logger: captureLogger().logger, udevadmPaths: [], udevControlPath: udevControl, loadEmitter: async () => emitter });
    const events: HotplugEvent[] = [];
    await hotplug?.start((event) => events.push(event));
    emitter.attach?.({ bus: '001', ports: [4, 3], handle: 'DeviceId { bus: 1, addr: 7 }' });
    emitter.detach?.('DeviceId { bus: 1, addr: 7 }');
    emitter.detach?.('DeviceId { bus: 1, addr: 2 }');
    expect(events).toEqual([
      { type: 'attach', sysfsName: '1-4.3' },
      { type: 'detach', sysfsName: '1-4.3' },
      { type: 'detach', sysfsName: undefined },
    ]);
    await hotplug?.stop();
    expect(emitter.removed).toEqual(['attach', 'detach']);
  });
});

describe('openUsbHotplug with the usb package itself', () => {
  it('loads the package\'s native emitter', async () => {
    await writeFile(udevControl, '');
    const hotplug = await openUsbHotplug({ sysfsRoot: '/sys', logger: captureLogger().logger, udevadmPaths: [], udevControlPath: udevControl });
    expect(hotplug).toEqual(expect.objectContaining({ start: expect.any(Function), stop: expect.any(Function) }));
  });
});
