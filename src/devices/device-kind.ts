/** A device's human kind (storage, keyboard, phone, ...) and plain-English warnings, from its interface classes and name. */
import { assertNever } from '../util/assert-never';
import type { DeviceKind, InterfaceType } from './device';

/** What one interface says the device is; `undefined` for interfaces that say nothing on their own. */
type InterfaceCategory = Exclude<DeviceKind, 'composite' | 'other'> | undefined;

/** Vendors whose vendor-specific interfaces are USB-to-serial bridges (FTDI, Silicon Labs, QinHeng, Prolific). */
const SERIAL_BRIDGE_VENDORS = new Set(['0403', '10c4', '1a86', '067b']);

/** FIDO keys show only a generic HID interface (03:00:00); their names give them away. */
const SECURITY_KEY_NAME = /security key|fido|u2f|yubikey|solokey|nitrokey|titan|onlykey|passkey/i;

/** Kinds whose own interfaces explain a keyboard or mouse; anything else that has one is suspicious. */
/** Kinds whose keyboard or mouse interfaces are what they are for. */
export const INPUT_KINDS: ReadonlySet<DeviceKind> = new Set(['keyboard', 'mouse', 'input', 'security-key']);

/** Interface kinds that identify a device on their own, in the order a single kind is chosen. */
const MAJOR_KINDS = ['storage', 'network', 'wireless', 'printer', 'smart-card', 'video', 'audio', 'serial'] as const;

function cdcCategory(i: InterfaceType): InterfaceCategory {
  // 02:02:ff is Microsoft RNDIS dressed as a modem; other ACM and telephone interfaces are serial ports.
  if (i.subclass === 0x02) return i.protocol === 0xff ? 'network' : 'serial';
  if (i.subclass === 0x03) return 'serial';
  return 'network';
}

function interfaceCategory(i: InterfaceType, vendor: string): InterfaceCategory {
  switch (i.classCode) {
    case 0x01:
      return 'audio';
    case 0x02:
      return cdcCategory(i);
    case 0x03:
      if (i.subclass === 0x01 && i.protocol === 0x01) return 'keyboard';
      if (i.subclass === 0x01 && i.protocol === 0x02) return 'mouse';
      return 'input';
    case 0x06:
      return 'phone-or-camera';
    case 0x07:
      return 'printer';
    case 0x08:
      return 'storage';
    case 0x09:
      return 'hub';
    case 0x0b:
      return 'smart-card';
    case 0x0e:
    case 0x10:
      return 'video';
    case 0xe0:
      // e0:01:03 is RNDIS; Bluetooth (e0:01:01), UWB and wire adapters are radios.
      return i.subclass === 0x01 && i.protocol === 0x03 ? 'network' : 'wireless';
    case 0xef:
      return i.subclass === 0x04 ? 'network' : undefined;
    case 0xff:
      // ff:ff:00 is how phones present MTP, ff:42:01 is Android's adb.
      if ((i.subclass === 0xff && i.protocol === 0x00) || (i.subclass === 0x42 && i.protocol === 0x01)) return 'phone-or-camera';
      return SERIAL_BRIDGE_VENDORS.has(vendor.toLowerCase()) ? 'serial' : undefined;
    default:
      return undefined;
  }
}

/** The noun a person would use for a device of this kind. */
export function kindNoun(kind: DeviceKind): string {
  switch (kind) {
    case 'hub':
      return 'USB hub';
    case 'storage':
      return 'USB storage device';
    case 'keyboard':
      return 'keyboard';
    case 'mouse':
      return 'mouse';
    case 'input':
      return 'input device';
    case 'phone-or-camera':
      return 'phone or camera';
    case 'audio':
      return 'audio device';
    case 'video':
      return 'video device';
    case 'printer':
      return 'printer';
    case 'network':
      return 'network adapter';
    case 'wireless':
      return 'wireless adapter';
    case 'smart-card':
      return 'smart card reader';
    case 'serial':
      return 'serial adapter';
    case 'security-key':
      return 'security key';
    case 'composite':
      return 'composite device';
    case 'other':
      return 'device';
    default:
      return assertNever(kind);
  }
}

function chooseKind(categories: ReadonlySet<InterfaceCategory>, name: string): DeviceKind {
  if (categories.has('hub')) return 'hub';
  const onlyKeyLike = [...categories].every((c) => c === 'keyboard' || c === 'input' || c === 'smart-card');
  if (categories.size > 0 && onlyKeyLike && SECURITY_KEY_NAME.test(name)) return 'security-key';
  if (categories.has('phone-or-camera')) return 'phone-or-camera';
  const majors = MAJOR_KINDS.filter((kind) => categories.has(kind))
    // A webcam's microphone and a mobile modem's AT port do not make them composite devices.
    .filter((kind) => !(kind === 'audio' && categories.has('video')) && !(kind === 'serial' && categories.has('network')));
  const [first, ...others] = majors;
  if (first) return others.length === 0 ? first : 'composite';
  if (categories.has('keyboard')) return categories.has('mouse') ? 'input' : 'keyboard';
  if (categories.has('mouse')) return 'mouse';
  return categories.has('input') ? 'input' : 'other';
}

export interface DeviceClassification {
  kind: DeviceKind;
  warnings: string[];
}

/** Classifies a device for people; decisions never depend on the result. */
export function classifyDevice(device: { interfaces: readonly InterfaceType[]; name: string; vendor: string }): DeviceClassification {
  const categories = new Set(device.interfaces.map((i) => interfaceCategory(i, device.vendor)));
  categories.delete(undefined);
  const kind = chooseKind(categories, device.name);
  const warnings: string[] = [];
  if (!INPUT_KINDS.has(kind)) {
    const noun = kindNoun(kind);
    if (categories.has('keyboard')) warnings.push(`this ${noun} also presents itself as a keyboard`);
    if (categories.has('mouse')) warnings.push(`this ${noun} also presents itself as a mouse`);
  }
  return { kind, warnings };
}
