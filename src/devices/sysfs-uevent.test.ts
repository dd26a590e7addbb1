import { isUsbDeviceUevent, parseUevent } from './sysfs-uevent';

describe('parseUevent', () => {
  test("reads a kernel usb_device uevent whole", () => {
    const text = 'MAJOR=189\nMINOR=1\nDEVNAME=bus/usb/001/002\nDEVTYPE=usb_device\nDRIVER=usb\nPRODUCT=17ef/305a/5010\nTYPE=9/0/1\nBUSNUM=001\nDEVNUM=002\n';
    const uevent = parseUevent(text);
    expect(uevent.get('DEVTYPE')).toBe('usb_device');
    expect(uevent.get('PRODUCT')).toBe('17ef/305a/5010');
    expect(uevent.size).toBe(9);
    expect(isUsbDeviceUevent(uevent)).toBe(true);
  });

  test('accepts NUL as a separator and digits in keys', () => {
    expect([...parseUevent('A1=x\0DEVTYPE=usb_device')]).toEqual([
      ['A1', 'x'],
      ['DEVTYPE', 'usb_device'],
    ]);
  });

  test.each([
    ['a key with an underscore', 'BUSNUM=001\nID_BUS=usb\nDEVTYPE=usb_device\n'],
    ['a lower-case key', 'foo=1\nDEVTYPE=usb_device\n'],
    ['an empty value', 'FOO=\nDEVTYPE=usb_device\n'],
    ['an empty line', 'FOO=1\n\nDEVTYPE=usb_device\n'],
    ['a key starting with a digit', '1FOO=1\nDEVTYPE=usb_device\n'],
  ])('stops at %s, as USBGuard does, so what follows is not seen', (_what, text) => {
    const uevent = parseUevent(text);
    expect(uevent.has('DEVTYPE')).toBe(false);
    expect(isUsbDeviceUevent(uevent)).toBe(false);
  });

  test('keeps values as written: trailing spaces count', () => {
    expect(isUsbDeviceUevent(parseUevent('DEVTYPE=usb_device \n'))).toBe(false);
  });

  test('interfaces and ports are not USB devices', () => {
    expect(isUsbDeviceUevent(parseUevent('DEVTYPE=usb_interface\n'))).toBe(false);
    expect(isUsbDeviceUevent(parseUevent('DEVTYPE=usb_port\n'))).toBe(false);
    expect(isUsbDeviceUevent(parseUevent(''))).toBe(false);
  });
});
