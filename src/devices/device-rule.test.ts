import type { Device } from './device';
import { deviceRule, generatePolicy } from './device-rule';
import { sampleDevice } from '../../test/support/sample-device';

function device(overrides: Partial<Device> = {}): Device {
  return sampleDevice({
    id: { vendor: '1111', product: '2222' },
    serial: '',
    name: 'Ergo Pro Keyboard',
    manufacturer: 'Matias',
    hash: 'H=',
    parentHash: 'P=',
    viaPort: '1-4.1.3',
    interfaces: [
      { classCode: 3, subclass: 1, protocol: 1 },
      { classCode: 3, subclass: 1, protocol: 0 },
    ],
    kind: 'keyboard',
    authorized: true,
    ...overrides,
  });
}

const one = <T>(value: T) => ({ operator: undefined, values: [value] });

describe('deviceRule', () => {
  test('describes a device with every attribute USBGuard gives a device rule', () => {
    expect(deviceRule(device(), { target: 'allow', form: 'full', viaPort: true })).toEqual({
      target: 'allow',
      id: one({ vendor: '1111', product: '2222' }),
      serial: one(''),
      name: one('Ergo Pro Keyboard'),
      hash: one('H='),
      parentHash: one('P='),
      viaPort: one('1-4.1.3'),
      withInterface: {
        operator: undefined,
        values: [
          { classCode: '03', subclass: '01', protocol: '01' },
          { classCode: '03', subclass: '01', protocol: '00' },
        ],
      },
      withConnectType: one('hotplug'),
    });
  });

  test('leaves out via-port unless asked, and with-interface when there are no interfaces', () => {
    const rule = deviceRule(device({ interfaces: [] }), { target: 'block', form: 'full', viaPort: false });
    expect(rule.target).toBe('block');
    expect(rule.viaPort).toBeUndefined();
    expect(rule.withInterface).toBeUndefined();
    expect(rule.withConnectType).toEqual(one('hotplug'));
  });

  test('writes interface codes as two lower-case hex digits', () => {
    const rule = deviceRule(device({ interfaces: [{ classCode: 0xe0, subclass: 1, protocol: 3 }] }), { target: 'allow', form: 'full', viaPort: false });
    expect(rule.withInterface).toEqual(one({ classCode: 'e0', subclass: '01', protocol: '03' }));
  });

  test('the no-hashes form drops hash and parent-hash only', () => {
    const rule = deviceRule(device(), { target: 'allow', form: 'no-hashes', viaPort: true });
    expect(rule.hash).toBeUndefined();
    expect(rule.parentHash).toBeUndefined();
    expect(Object.keys(rule).sort()).toEqual(['id', 'name', 'serial', 'target', 'viaPort', 'withConnectType', 'withInterface']);
  });

  test('the hash-only form keeps hash, parent-hash and via-port', () => {
    expect(deviceRule(device(), { target: 'allow', form: 'hash-only', viaPort: true })).toEqual({
      target: 'allow',
      hash: one('H='),
      parentHash: one('P='),
      viaPort: one('1-4.1.3'),
    });
  });
});

describe('generatePolicy', () => {
  const devices = [device({ serial: 'SN1', viaPort: '1-1' }), device({ viaPort: '1-2' })];
  const defaults = { form: 'full', withPorts: false, noPortsWithoutSerial: false } as const;

  test('allows every device, pinning to its port only a device without a serial number', () => {
    const rules = generatePolicy(devices, defaults);
    expect(rules.map((r) => r.target)).toEqual(['allow', 'allow']);
    expect(rules.map((r) => r.viaPort)).toEqual([undefined, one('1-2')]);
  });

  test('--with-ports pins every device; --no-ports-sn pins none; --with-ports wins', () => {
    expect(generatePolicy(devices, { ...defaults, withPorts: true }).map((r) => r.viaPort)).toEqual([one('1-1'), one('1-2')]);
    expect(generatePolicy(devices, { ...defaults, noPortsWithoutSerial: true }).map((r) => r.viaPort)).toEqual([undefined, undefined]);
    expect(generatePolicy(devices, { ...defaults, withPorts: true, noPortsWithoutSerial: true }).map((r) => r.viaPort)).toEqual([one('1-1'), one('1-2')]);
  });

  test('a catch-all target adds a last rule with no attributes', () => {
    const rules = generatePolicy(devices, { ...defaults, catchAll: 'block' });
    expect(rules).toHaveLength(3);
    expect(rules[2]).toEqual({ target: 'block' });
  });
});
