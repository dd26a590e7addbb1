/** USB interface types in plain words, and the warnings about interfaces and serial numbers SLT should see before approving. */

import type { InterfaceType } from '../../devices/device';

/** Class names from usb.org's "Defined Class Codes", with the class/subclass/protocol triples that matter in schools first. */
const EXACT: Record<string, string> = {
  '03:01:01': 'keyboard',
  '03:01:02': 'mouse',
  '06:01:01': 'photo and file transfer (PTP/MTP)',
  '08:06:50': 'USB storage',
  'ff:ff:00': 'media transfer (MTP)',
  'ff:42:01': 'Android debugging (adb)',
  'e0:01:01': 'Bluetooth radio',
  'e0:01:03': 'network adapter (RNDIS)',
  '02:02:ff': 'network adapter (RNDIS)',
};

const BY_CLASS: Record<string, string> = {
  '01': 'audio',
  '02': 'communications (modem or network)',
  '03': 'input device (HID)',
  '05': 'physical feedback (HID)',
  '06': 'still camera (PTP)',
  '07': 'printer',
  '08': 'storage',
  '09': 'hub',
  '0a': 'communications data',
  '0b': 'smart card',
  '0d': 'content security',
  '0e': 'video',
  '0f': 'personal healthcare',
  '10': 'audio/video',
  '11': 'billboard',
  '12': 'USB-C bridge',
  dc: 'diagnostics',
  e0: 'wireless controller',
  ef: 'miscellaneous',
  fe: 'application-specific (firmware update, IrDA or test)',
  ff: 'vendor-specific',
};

/** Vendor-specific interfaces whose meaning is known for one vendor: Apple's, as Linux's usbmuxd and ipheth driver match them. */
const APPLE = '05ac';
const BY_VENDOR: Record<string, Record<string, string>> = {
  [APPLE]: { 'ff:fe:02': 'Apple sync and backup (usbmux)', 'ff:fd:01': 'Apple USB tethering' },
};

/** "USB storage" for `08:06:50`, "audio" for `01:01:00`, "unknown class" otherwise. */
export function interfaceWords(code: string, vendor = ''): string {
  return BY_VENDOR[vendor.toLowerCase()]?.[code] ?? EXACT[code] ?? BY_CLASS[code.slice(0, 2)] ?? 'unknown class';
}

/**
 * Whether an interface is a USB network adapter: CDC ECM (02:06), EEM (02:0c), NCM (02:0d),
 * MBIM (02:0e), RNDIS (02:02:ff and e0:01:03), the misc-class RNDIS (ef:04), and Apple's
 * own (ff:fd:01, Linux's ipheth). These are how a phone shares its mobile data ("USB tethering").
 */
function isNetwork(i: InterfaceType, vendor: string): boolean {
  if (vendor.toLowerCase() === APPLE && i.classCode === 0xff && i.subclass === 0xfd && i.protocol === 0x01) return true;
  if (i.classCode === 0x02) return [0x06, 0x0c, 0x0d, 0x0e].includes(i.subclass) || (i.subclass === 0x02 && i.protocol === 0xff);
  if (i.classCode === 0xe0) return i.subclass === 0x01 && i.protocol === 0x03;
  return i.classCode === 0xef && i.subclass === 0x04;
}

/** A device other than a network adapter that can also be one: it could take the PC off the school's filtered network. */
export function networkWarning(interfaces: readonly InterfaceType[], vendor: string, noun: string): string | undefined {
  if (noun === 'network adapter' || !interfaces.some((i) => isNetwork(i, vendor))) return undefined;
  return `this ${noun} can also act as a network adapter (USB tethering), which would connect the PC to a network that bypasses the school's web filtering`;
}

/**
 * A serial number cheap devices share: one character repeated ("000000000000"), a count up
 * from zero ("0123456789ABCDEF"), or a short run of zeros ending in 1. Approving by serial
 * then lets in every device that reports it.
 */
export function placeholderSerialWarning(serial: string): string | undefined {
  const s = serial.trim();
  if (s.length < 4) return s === '' ? undefined : `its serial number "${serial}" is too short to tell devices apart: approving it by serial may let in other devices`;
  const placeholder = /^(.)\1+$/.test(s) || /^0+1$/.test(s) || '0123456789ABCDEF'.startsWith(s.toUpperCase()) || '123456789'.startsWith(s);
  return placeholder ? `its serial number "${serial}" looks like a placeholder many devices share: approving it by serial may let in other devices` : undefined;
}
