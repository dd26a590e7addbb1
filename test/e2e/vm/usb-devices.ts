/** The emulated USB devices the tests plug in, and the QEMU `device_add` arguments for each. */

export type UsbDeviceKind = 'keyboard' | 'mouse' | 'tablet' | 'stick' | 'serial-adapter' | 'network-adapter';

export interface UsbDevice {
  kind: UsbDeviceKind;
  /** QEMU's device id, used again to unplug it. */
  id: string;
  /** The USB serial number string: how tests find the device in the guest and how rules approve a stick. */
  serial: string;
}

/** QEMU's USB devices: usb-kbd and usb-mouse are both 0627:0001, usb-storage is 46f4:0001, usb-serial is an FTDI 0403:6001. */
export const QEMU_DRIVERS: Record<UsbDeviceKind, string> = {
  keyboard: 'usb-kbd',
  mouse: 'usb-mouse',
  tablet: 'usb-tablet',
  stick: 'usb-storage',
  'serial-adapter': 'usb-serial',
  'network-adapter': 'usb-net',
};

export const usbDevice = (kind: UsbDeviceKind, id: string, serial: string): UsbDevice => ({ kind, id, serial });
