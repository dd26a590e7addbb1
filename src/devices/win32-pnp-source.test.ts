import { fixtureText, recordedRunner } from '../../test/support/recorded-command-runner';
import { descriptorlessHash } from './descriptorless-hash';
import { PlatformCommandError } from './platform-command';
import { Win32PnpSource, usbDevicesFromRecords } from './win32-pnp-source';
import { interfaceFromCompatibleIds, parsePnputilRecords, parseUsbInstanceId } from './win32-pnputil-records';

const ENUMERATION = fixtureText('win32', 'pnputil-enum-connected-ids.txt');

function sourceAnswering(stdout: string, exitCode = 0) {
  const recorded = recordedRunner(() => ({ stdout, exitCode }));
  return { source: new Win32PnpSource({ run: recorded.run }), calls: recorded.calls };
}

describe('parsePnputilRecords', () => {
  test('reads every device node of the recorded enumeration, with its lists and problem code', () => {
    const records = parsePnputilRecords(ENUMERATION);
    expect(records).toHaveLength(18);
    expect(records.find((r) => r.instanceId === 'USB\\VID_0951&PID_1666\\E0D55E000000000000000001')).toEqual({
      instanceId: 'USB\\VID_0951&PID_1666\\E0D55E000000000000000001',
      description: 'USB Mass Storage Device',
      className: 'USB',
      classGuid: '{36fc9e60-c465-11cf-8056-444553540000}',
      manufacturer: 'Compatible USB storage device',
      status: 'Disabled',
      problemCode: 22,
      driverName: 'usbstor.inf',
      hardwareIds: ['USB\\VID_0951&PID_1666&REV_0110', 'USB\\VID_0951&PID_1666'],
      compatibleIds: ['USB\\Class_08&SubClass_06&Prot_50', 'USB\\Class_08&SubClass_06', 'USB\\Class_08'],
    });
  });

  test('reads CRLF and LF output alike', () => {
    expect(ENUMERATION).toContain('\r\n');
    expect(parsePnputilRecords(ENUMERATION.replace(/\r\n/g, '\n'))).toEqual(parsePnputilRecords(ENUMERATION));
  });

  test("reads Microsoft's documented output verbatim, blank lines between fields included", () => {
    const [record, ...rest] = parsePnputilRecords(fixtureText('win32', 'pnputil-instanceid-ids-msdocs.txt'));
    expect(rest).toEqual([]);
    expect(record?.instanceId).toBe('USB\\VID_045E&PID_0840\\0C33CG0000000N0');
    expect(record?.hardwareIds).toEqual(['USB\\VID_045E&PID_0840&REV_0215', 'USB\\VID_045E&PID_0840']);
    expect(record?.compatibleIds).toHaveLength(7);
    expect(record?.compatibleIds.at(-1)).toBe('USB\\COMPOSITE');
  });

  test('reads a published HID capture', () => {
    const [record] = parsePnputilRecords(fixtureText('win32', 'pnputil-instanceid-ids-hid.txt'));
    expect(record).toMatchObject({ className: 'HIDClass', status: 'Disconnected', driverName: 'input.inf' });
    expect(record?.problemCode).toBeUndefined();
  });

  test("pnputil's 'No devices were found' is an empty list", () => {
    expect(parsePnputilRecords(fixtureText('win32', 'pnputil-enum-no-devices.txt'))).toEqual([]);
    expect(parsePnputilRecords('')).toEqual([]);
  });

  test('output without Instance ID lines (another display language, or no /enum-devices) is refused', () => {
    expect(() => parsePnputilRecords('Microsoft PnP Utility\r\n\r\nPNPUTIL [/add-driver <...> | /delete-driver <...> |\r\n')).toThrow(/English output of Windows 10 2004/);
  });
});

describe('instance and compatible IDs', () => {
  test('interface classes come from Class_ compatible IDs, the COMPAT_VID form included; DevClass_ is not an interface', () => {
    expect(interfaceFromCompatibleIds(['USB\\COMPAT_VID_0547&Class_FF&SubClass_00&Prot_00', 'USB\\Class_FF'])).toEqual({ classCode: 0xff, subclass: 0, protocol: 0 });
    expect(interfaceFromCompatibleIds(['USB\\Class_0b&SubClass_00&Prot_00'])).toEqual({ classCode: 0x0b, subclass: 0, protocol: 0 });
    expect(interfaceFromCompatibleIds(['USB\\DevClass_00&SubClass_00&Prot_00', 'USB\\COMPOSITE'])).toBeUndefined();
  });

  test('instance IDs give vendor, product, function and instance; root hubs give nothing', () => {
    expect(parseUsbInstanceId('USB\\VID_046D&PID_C52B&MI_01\\6&2f1a3b4c&0&0001')).toEqual({ vendor: '046d', product: 'c52b', function: 1, instance: '6&2f1a3b4c&0&0001' });
    expect(parseUsbInstanceId('USB\\ROOT_HUB30\\4&2b2c5a0&0&0')).toBeUndefined();
    expect(parseUsbInstanceId('USBSTOR\\DISK&VEN_SANDISK&PROD_CRUZER_BLADE&REV_1.00\\4C530000000000000001&0')).toBeUndefined();
  });
});

describe('Win32PnpSource', () => {
  test('runs pnputil /enum-devices /connected /ids and lists the USB devices, functions folded in', async () => {
    const { source, calls } = sourceAnswering(ENUMERATION);
    const devices = await source.listUsbDevices();
    expect(calls).toEqual([{ program: 'pnputil.exe', args: ['/enum-devices', '/connected', '/ids'] }]);
    expect(devices.map((d) => `${d.id.vendor}:${d.id.product} ${d.kind}`)).toEqual([
      '05e3:0620 hub',
      '0c12:0f11 input',
      '046d:c52b input',
      '0781:5567 storage',
      '0951:1666 storage',
      '18d1:4ee1 phone-or-camera',
      '1a2c:0b2a storage',
    ]);
  });

  test('describes a storage stick in full', async () => {
    const devices = await sourceAnswering(ENUMERATION).source.listUsbDevices();
    expect(devices.find((d) => d.id.product === '5567')).toEqual({
      id: { vendor: '0781', product: '5567' },
      serial: '4C530000000000000001',
      name: 'USB Mass Storage Device',
      manufacturer: 'Compatible USB storage device',
      hash: descriptorlessHash({ vendor: '0781', product: '5567', serial: '4C530000000000000001' }),
      parentHash: '',
      viaPort: 'USB\\VID_0781&PID_5567\\4C530000000000000001',
      interfaces: [{ classCode: 8, subclass: 6, protocol: 0x50 }],
      connectType: '',
      kind: 'storage',
      warnings: [],
      authorized: true,
      sysfsPath: '',
    });
  });

  test('an ID Windows made up from the port is not a serial; Disabled and Problem devices are not authorized', async () => {
    const scan = await sourceAnswering(ENUMERATION).source.scan();
    const byModel = (product: string) => scan.find((e) => e.device.id.product === product);
    expect(byModel('0620')?.device.serial).toBe('');
    expect(byModel('1666')).toMatchObject({ status: 'Disabled', problemCode: 22, device: { authorized: false } });
    expect(byModel('4ee1')?.functions.map((f) => [f.number, f.status])).toEqual([
      [0, 'Problem'],
      [1, 'Problem'],
    ]);
  });

  test("a composite device's interfaces are its functions', in function order", async () => {
    const receiver = (await sourceAnswering(ENUMERATION).source.scan()).find((e) => e.device.id.product === 'c52b');
    expect(receiver?.device.interfaces).toEqual([
      { classCode: 3, subclass: 1, protocol: 1 },
      { classCode: 3, subclass: 1, protocol: 2 },
      { classCode: 3, subclass: 0, protocol: 0 },
    ]);
    expect(receiver?.functions.map((f) => f.instanceId)).toEqual([
      'USB\\VID_046D&PID_C52B&MI_00\\6&2f1a3b4c&0&0000',
      'USB\\VID_046D&PID_C52B&MI_01\\6&2f1a3b4c&0&0001',
      'USB\\VID_046D&PID_C52B&MI_02\\6&2f1a3b4c&0&0002',
    ]);
  });

  test('storage with a keyboard function is warned about', async () => {
    const devices = await sourceAnswering(ENUMERATION).source.listUsbDevices();
    expect(devices.find((d) => d.id.vendor === '1a2c')?.warnings).toEqual(['this USB storage device also presents itself as a keyboard']);
  });

  test('two identical composite devices both get the functions of that model', () => {
    const records = parsePnputilRecords(ENUMERATION);
    const receiver = records.find((r) => r.instanceId === 'USB\\VID_046D&PID_C52B\\5&1a2b3c4d&0&2');
    if (!receiver) throw new Error('fixture lacks the receiver');
    const twin = { ...receiver, instanceId: 'USB\\VID_046D&PID_C52B\\5&1a2b3c4d&0&3' };
    const receivers = usbDevicesFromRecords([...records, twin]).filter((e) => e.device.id.product === 'c52b');
    expect(receivers.map((e) => e.functions.length)).toEqual([3, 3]);
    expect(receivers.map((e) => e.device.viaPort)).toEqual([receiver.instanceId, twin.instanceId]);
  });

  test('a failing pnputil is an error that names the command and what it said', async () => {
    const { source } = sourceAnswering('', 127);
    await expect(source.scan()).rejects.toThrow(PlatformCommandError);
    const access = recordedRunner(() => ({ exitCode: 5, stdout: 'Microsoft PnP Utility\r\n', stderr: 'Access is denied.\r\n' }));
    await expect(new Win32PnpSource({ run: access.run }).scan()).rejects.toThrow('pnputil.exe /enum-devices /connected /ids failed (exit 5): Access is denied.');
  });
});
