import { fixtureText, recordedRunner } from '../../test/support/recorded-command-runner';
import { descriptorlessHash } from './descriptorless-hash';
import { parseUsbIdText, parseUsbProfile } from './darwin-system-profiler';
import { DarwinUsbSource } from './darwin-usb-source';
import { PlatformCommandError } from './platform-command';

const SEQUOIA = fixtureText('darwin', 'system-profiler-sequoia-intel.json');
const TAHOE = fixtureText('darwin', 'system-profiler-tahoe-host.json');
const EDGE = fixtureText('darwin', 'system-profiler-legacy-edge-cases.json');

function sourceAnswering(stdout: string, exitCode = 0) {
  const recorded = recordedRunner(() => ({ stdout, exitCode }));
  return { source: new DarwinUsbSource({ run: recorded.run }), calls: recorded.calls };
}

describe('parseUsbIdText', () => {
  test.each([
    ['0x0781  (SanDisk Corporation)', '0781'],
    ['0x1050', '1050'],
    ['0x46d', '046d'],
    ['apple_vendor_id', '05ac'],
    ['0x0BDA', '0bda'],
    ['', undefined],
    ['Unknown', undefined],
  ])('%j is %j', (text, id) => {
    expect(parseUsbIdText(text)).toBe(id);
  });
});

describe('DarwinUsbSource on the older format (SPUSBDataType, macOS 15 Intel)', () => {
  test('runs system_profiler for both USB data types as JSON', async () => {
    const { source, calls } = sourceAnswering(SEQUOIA);
    await source.scan();
    expect(calls).toEqual([{ program: 'system_profiler', args: ['-json', 'SPUSBDataType', 'SPUSBHostDataType'] }]);
  });

  test('lists every device under the bus, hubs before the devices behind them', async () => {
    const scan = await sourceAnswering(SEQUOIA).source.scan();
    expect(scan.format).toBe('SPUSBDataType');
    expect(scan.devices.map((e) => `${e.device.id.vendor}:${e.device.id.product} ${e.device.viaPort} ${e.device.kind}`)).toEqual([
      '154b:1006 0x14500000 storage',
      '0bda:0411 0x14400000 other',
      '05ac:8290 0x14300000 other',
      '0bda:5411 0x14100000 hub',
      '05ac:1500 0x14140000 other',
    ]);
  });

  test('describes a USB stick in full, with its disk', async () => {
    const [stick] = (await sourceAnswering(SEQUOIA).source.scan()).devices;
    expect(stick).toEqual({
      bsdNames: ['disk4'],
      device: {
        id: { vendor: '154b', product: '1006' },
        serial: '000000000000',
        name: 'USB 3.2.1 FD',
        manufacturer: 'PNY',
        hash: descriptorlessHash({ vendor: '154b', product: '1006', serial: '000000000000' }),
        parentHash: '',
        viaPort: '0x14500000',
        interfaces: [],
        connectType: '',
        kind: 'storage',
        warnings: [],
        authorized: true,
        sysfsPath: '',
      },
    });
  });

  test("a device behind a hub carries the hub's hash; trailing spaces of a serial are trimmed", async () => {
    const devices = (await sourceAnswering(SEQUOIA).source.scan()).devices.map((e) => e.device);
    const hub = devices.find((d) => d.id.product === '5411');
    expect(devices.find((d) => d.id.product === '1500')).toMatchObject({ parentHash: hub?.hash, serial: '0000000000', manufacturer: 'Apple Inc.' });
  });

  test('a device with two disks lists both; an entry without ids is skipped but what is behind it is kept', async () => {
    const scan = await sourceAnswering(EDGE).source.scan();
    expect(scan.devices.map((e) => [e.device.name, e.bsdNames, e.device.parentHash])).toEqual([
      ['Dual Card Reader', ['disk5', 'disk6'], ''],
      ['Magic Keyboard', [], ''],
      ['FaceTime HD Camera (Display)', [], ''],
    ]);
    expect(scan.skipped).toEqual([{ name: 'hub_device', reason: 'no vendor and product id (vendor_id "", product_id "")' }]);
    expect(scan.devices[2]?.device.connectType).toBe('hardwired');
  });
});

describe('DarwinUsbSource on the newer format (SPUSBHostDataType, macOS 26)', () => {
  test('lists the devices with the newer key names; "Not Provided" is no serial', async () => {
    const scan = await sourceAnswering(TAHOE).source.scan();
    expect(scan.format).toBe('SPUSBHostDataType');
    expect(scan.devices).toHaveLength(16);
    expect(scan.devices.every((e) => e.bsdNames.length === 0)).toBe(true);
    const headset = scan.devices.find((e) => e.device.id.product === '0ab5')?.device;
    expect(headset).toMatchObject({ id: { vendor: '046d', product: '0ab5' }, serial: '', name: 'G733 Gaming Headset', manufacturer: 'Logitech', viaPort: '0x01142000' });
  });

  test('the hardware type becomes the connect type', async () => {
    const devices = (await sourceAnswering(TAHOE).source.scan()).devices.map((e) => e.device);
    expect(devices.find((d) => d.id.product === '0ab5')?.connectType).toBe('hotplug');
    expect(devices.find((d) => d.id.product === '8822')?.connectType).toBe('hardwired');
  });

  test('an empty SPUSBDataType next to a filled SPUSBHostDataType uses the latter', () => {
    const both = JSON.stringify({ SPUSBDataType: [], ...JSON.parse(TAHOE) });
    expect(parseUsbProfile(both).format).toBe('SPUSBHostDataType');
    expect(parseUsbProfile(both).devices).toHaveLength(2);
  });
});

describe('DarwinUsbSource failures', () => {
  test('text that is not a system_profiler document is refused', () => {
    expect(() => parseUsbProfile('USB:\n\n    USB 3.0 Bus:\n')).toThrow(/not JSON/);
    expect(() => parseUsbProfile('{"SPAudioDataType": []}')).toThrow(/neither SPUSBDataType nor SPUSBHostDataType/);
    expect(parseUsbProfile('{ "SPUSBDataType" : [ ] }')).toEqual({ devices: [], skipped: [], format: 'SPUSBDataType' });
  });

  test('a failing system_profiler is an error naming the command', async () => {
    await expect(sourceAnswering('', 1).source.scan()).rejects.toThrow(PlatformCommandError);
  });
});
