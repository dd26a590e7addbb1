import { parseUsbDescriptors, UsbDescriptorError } from './usb-descriptors';

const hex = (text: string): Buffer => Buffer.from(text.replace(/\s+/g, ''), 'hex');

/** Descriptors of the Ergo Pro keyboard in USBGuard's devices.umockdev: one configuration, two HID interfaces. */
const KEYBOARD = hex(`
  12 01 0002 00 00 00 08 1111 1111 2002 01 02 00 01
  09 02 3B00 02 01 00 A0 32
  09 04 00 00 01 03 01 01 00   09 21 1001 00 01 22 5B00   07 05 81 03 0F00 01
  09 04 01 00 01 03 01 00 00   09 21 1001 00 01 22 6A00   07 05 82 03 0400 01`);

const DEVICE = '12 01 0002 00 00 00 40 3412 7856 0001 01 02 03 01';
const CONFIG = '09 02 2000 01 01 00 80 0F';
const ENDPOINT = '07 05 81 02 0002 00';

describe('parseUsbDescriptors', () => {
  test('reads the device descriptor with multi-byte fields in host order', () => {
    const { device } = parseUsbDescriptors(KEYBOARD);
    expect(device).toEqual({
      bcdUsb: 0x0200,
      deviceClass: { classCode: 0, subclass: 0, protocol: 0 },
      maxPacketSize0: 8,
      idVendor: 0x1111,
      idProduct: 0x1111,
      bcdDevice: 0x0220,
      iManufacturer: 1,
      iProduct: 2,
      iSerialNumber: 0,
      numConfigurations: 1,
    });
  });

  test('lists interfaces in order, and keeps every descriptor as a span covering the data', () => {
    const parsed = parseUsbDescriptors(KEYBOARD);
    expect(parsed.interfaces).toEqual([
      { classCode: 3, subclass: 1, protocol: 1 },
      { classCode: 3, subclass: 1, protocol: 0 },
    ]);
    expect(parsed.configurations).toEqual([
      {
        configurationValue: 1,
        interfaces: [
          { number: 0, alternateSetting: 0, classCode: 3, subclass: 1, protocol: 1 },
          { number: 1, alternateSetting: 0, classCode: 3, subclass: 1, protocol: 0 },
        ],
      },
    ]);
    expect(parsed.spans.map((s) => s.type)).toEqual([1, 2, 4, 0x21, 5, 4, 0x21, 5]);
    expect(parsed.spans.reduce((n, s) => n + s.length, 0)).toBe(KEYBOARD.length);
  });

  test('includes alternate settings and every configuration, as USBGuard does', () => {
    const parsed = parseUsbDescriptors(
      hex(`${DEVICE} ${CONFIG} 09 04 00 00 01 08 06 50 00 ${ENDPOINT} 09 04 00 01 01 08 06 62 00 ${ENDPOINT}
           09 02 2000 01 02 00 80 0F 09 04 00 00 01 FF 00 00 00 ${ENDPOINT}`),
    );
    expect(parsed.interfaces).toEqual([
      { classCode: 8, subclass: 6, protocol: 0x50 },
      { classCode: 8, subclass: 6, protocol: 0x62 },
      { classCode: 0xff, subclass: 0, protocol: 0 },
    ]);
    expect(parsed.configurations.map((c) => c.configurationValue)).toEqual([1, 2]);
  });

  test('accepts a device descriptor alone, 9-byte audio endpoints and unknown descriptor types', () => {
    expect(parseUsbDescriptors(hex(DEVICE)).interfaces).toEqual([]);
    const audio = parseUsbDescriptors(hex(`${DEVICE} ${CONFIG} 08 0B 00 02 01 01 00 00 09 04 00 00 01 01 02 00 00 09 05 81 05 C000 01 00 00`));
    expect(audio.interfaces).toEqual([{ classCode: 1, subclass: 2, protocol: 0 }]);
  });

  test.each([
    ['no data', '', /no device descriptor/],
    ['a lone byte after the descriptors', `${DEVICE} 00`, /partial descriptor header at byte 18/],
    ['bLength below 2', `${DEVICE} 01 02`, /bLength 1, less than its header/],
    ['bLength past the end', `${DEVICE} 09 02 2000`, /bLength 9, more than the 4 bytes left/],
    ['a 17-byte device descriptor', '11 01 0002 00 00 00 40 3412 7856 0001 01 02 03', /device descriptor has unexpected size 17/],
    ['two device descriptors', `${DEVICE} ${DEVICE}`, /second device descriptor at byte 18/],
    ['a configuration before the device', `${CONFIG} ${DEVICE}`, /configuration descriptor at byte 0 before the device descriptor/],
    ['an interface outside a configuration', `${DEVICE} 09 04 00 00 00 03 01 01 00`, /interface descriptor at byte 18 outside any configuration/],
    ['a 10-byte interface', `${DEVICE} ${CONFIG} 0A 04 00 00 00 03 01 01 00 00`, /interface descriptor has unexpected size 10/],
    ['an endpoint outside an interface', `${DEVICE} ${CONFIG} ${ENDPOINT}`, /endpoint descriptor at byte 27 outside any interface/],
    ['an 8-byte endpoint', `${DEVICE} ${CONFIG} 09 04 00 00 01 08 06 50 00 08 05 81 02 0002 00 00`, /endpoint descriptor has unexpected size 8/],
    ['a short configuration', `${DEVICE} 08 02 2000 01 01 00 80`, /configuration descriptor has unexpected size 8/],
  ])('rejects %s', (_what, data, message) => {
    expect(() => parseUsbDescriptors(hex(data))).toThrow(UsbDescriptorError);
    expect(() => parseUsbDescriptors(hex(data))).toThrow(message);
  });

  test('an endpoint after a new configuration needs a new interface', () => {
    const data = hex(`${DEVICE} ${CONFIG} 09 04 00 00 01 08 06 50 00 ${CONFIG} ${ENDPOINT}`);
    expect(() => parseUsbDescriptors(data)).toThrow(/outside any interface/);
  });
});
