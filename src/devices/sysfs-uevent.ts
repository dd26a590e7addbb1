/** Reads a sysfs `uevent` file's KEY=value lines the way USBGuard does, so the same devices count as USB devices. */

/** One `KEY=value` record: an upper-case key of letters and digits, and a non-empty value. */
const RECORD = /^([A-Z][A-Z0-9]*)=([^\0\n]+)/;

/**
 * Parses `KEY=value` records separated by a newline or NUL, stopping at the first record
 * that does not fit USBGuard's grammar (a key with `_` or a lower-case letter, an empty
 * value, an empty line). The kernel's own uevent keys all fit (`MAJOR`, `DEVTYPE`,
 * `BUSNUM`, ...); udev properties such as `ID_BUS` do not, so whatever follows them is
 * not seen, as USBGuard does not see it.
 */
export function parseUevent(text: string): Map<string, string> {
  const attributes = new Map<string, string>();
  let rest = text;
  for (;;) {
    const match = RECORD.exec(rest);
    if (!match) break;
    attributes.set(match[1] ?? '', match[2] ?? '');
    rest = rest.slice(match[0].length);
    if (rest[0] !== '\n' && rest[0] !== '\0') break;
    rest = rest.slice(1);
  }
  return attributes;
}

/** Whether a uevent describes a USB device (not an interface, port or anything else). */
export function isUsbDeviceUevent(attributes: ReadonlyMap<string, string>): boolean {
  return attributes.get('DEVTYPE') === 'usb_device';
}
