import type { DeviceKind } from './device';
import { classifyDevice, kindNoun } from './device-kind';

/** `cc:ss:pp` strings to interfaces. */
function interfaces(...types: string[]) {
  return types.map((t) => {
    const [classCode = 0, subclass = 0, protocol = 0] = t.split(':').map((part) => Number.parseInt(part, 16));
    return { classCode, subclass, protocol };
  });
}

const classify = (types: string[], name = '', vendor = '1234') => classifyDevice({ interfaces: interfaces(...types), name, vendor });

describe('classifyDevice', () => {
  test.each<[string, string[], DeviceKind]>([
    ['a hub', ['09:00:01', '09:00:02'], 'hub'],
    ['a USB stick', ['08:06:50'], 'storage'],
    ['a keyboard with a media-key interface', ['03:01:01', '03:00:00'], 'keyboard'],
    ['a keyboard with a boot-protocol-less second interface', ['03:01:01', '03:01:00'], 'keyboard'],
    ['a trackball', ['03:01:02'], 'mouse'],
    ['a wireless keyboard-and-mouse receiver', ['03:01:01', '03:01:02', '03:00:00'], 'input'],
    ['a game controller', ['03:00:00'], 'input'],
    ['a PTP camera', ['06:01:01'], 'phone-or-camera'],
    ['an MTP phone', ['ff:ff:00'], 'phone-or-camera'],
    ['an Android phone with adb', ['ff:ff:00', 'ff:42:01'], 'phone-or-camera'],
    ['a phone that also shares storage', ['08:06:50', 'ff:42:01'], 'phone-or-camera'],
    ['a headset', ['01:01:00', '01:02:00', '01:02:00', '03:00:00'], 'audio'],
    ['a webcam with a microphone', ['0e:01:00', '0e:02:00', '01:01:00', '01:02:00'], 'video'],
    ['a printer', ['07:01:02'], 'printer'],
    ['a CDC Ethernet adapter', ['02:06:00', '0a:00:00'], 'network'],
    ['an RNDIS adapter (wireless-controller class)', ['e0:01:03', '0a:00:00'], 'network'],
    ['an RNDIS adapter (miscellaneous class)', ['ef:04:01', '0a:00:00'], 'network'],
    ['an RNDIS adapter dressed as a modem', ['02:02:ff', '0a:00:00'], 'network'],
    ['a mobile broadband modem with AT ports', ['02:0e:00', '0a:00:02', '02:02:01', '0a:00:00'], 'network'],
    ['a Bluetooth adapter', ['e0:01:01', 'e0:01:01'], 'wireless'],
    ['a smart card reader', ['0b:00:00'], 'smart-card'],
    ['a CDC ACM serial port', ['02:02:01', '0a:00:00'], 'serial'],
    ['a dock with storage and network', ['08:06:50', '02:06:00'], 'composite'],
    ['a device with no interfaces', [], 'other'],
    ['a vendor-specific device', ['ff:00:00'], 'other'],
    ['a firmware-update interface', ['fe:01:02'], 'other'],
  ])('%s', (_what, types, kind) => {
    expect(classify(types).kind).toBe(kind);
  });

  test('USB-to-serial bridges are known by their vendor', () => {
    expect(classify(['ff:ff:ff'], 'FT232R USB UART', '0403').kind).toBe('serial');
    expect(classify(['ff:00:00'], 'CP2102', '10C4').kind).toBe('serial');
    expect(classify(['ff:ff:ff'], 'Thing', '1234').kind).toBe('other');
  });

  test('security keys are known by their name, since FIDO is not visible in class codes', () => {
    expect(classify(['03:00:00'], 'Security Key by Yubico').kind).toBe('security-key');
    expect(classify(['03:01:01', '03:00:00', '0b:00:00'], 'YubiKey OTP+FIDO+CCID').kind).toBe('security-key');
    expect(classify(['03:00:00'], 'Gamepad').kind).toBe('input');
    expect(classify(['08:06:50', '03:00:00'], 'FIDO storage').kind).toBe('storage');
  });

  test('storage that also presents itself as a keyboard is warned about', () => {
    expect(classify(['08:06:50', '03:01:01'])).toEqual({ kind: 'storage', warnings: ['this USB storage device also presents itself as a keyboard'] });
  });

  test('a network adapter with a keyboard or a mouse is warned about', () => {
    expect(classify(['e0:01:03', '0a:00:00', '03:01:01', '03:01:02']).warnings).toEqual([
      'this network adapter also presents itself as a keyboard',
      'this network adapter also presents itself as a mouse',
    ]);
  });

  test('input devices, security keys and plain devices carry no warnings', () => {
    expect(classify(['03:01:01', '03:01:02']).warnings).toEqual([]);
    expect(classify(['03:01:01', '03:00:00'], 'YubiKey OTP+FIDO').warnings).toEqual([]);
    expect(classify(['08:06:50']).warnings).toEqual([]);
    expect(classify(['01:01:00', '01:02:00', '03:00:00']).warnings).toEqual([]);
  });
});

describe('kindNoun', () => {
  test('names every kind in plain words', () => {
    const kinds: DeviceKind[] = [
      'hub', 'storage', 'keyboard', 'mouse', 'input', 'phone-or-camera', 'audio', 'video',
      'printer', 'network', 'wireless', 'smart-card', 'serial', 'security-key', 'composite', 'other',
    ];
    for (const kind of kinds) expect(kindNoun(kind)).toMatch(/^[A-Za-z ]+$/);
    expect(kindNoun('smart-card')).toBe('smart card reader');
  });
});
