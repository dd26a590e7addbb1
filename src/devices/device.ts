/** The Device value: one attached device as every part of Portcullis sees it. */

/** A USB interface's class, subclass and protocol (`cc:ss:pp`). */
export interface InterfaceType {
  classCode: number;
  subclass: number;
  protocol: number;
}

/** `08:06:50`: class, subclass and protocol in two hex digits each. */
export function interfaceTypeText(type: InterfaceType): string {
  return [type.classCode, type.subclass, type.protocol].map((n) => n.toString(16).padStart(2, '0')).join(':');
}

/** Each interface type once, as text, in the order the device lists them. */
export function distinctInterfaceTypes(interfaces: readonly InterfaceType[]): string[] {
  return [...new Set(interfaces.map(interfaceTypeText))];
}

/** Human categories, for people; decisions never depend on them. */
export type DeviceKind =
  | 'hub'
  | 'storage'
  | 'keyboard'
  | 'mouse'
  | 'input'
  | 'phone-or-camera'
  | 'audio'
  | 'video'
  | 'printer'
  | 'network'
  | 'wireless'
  | 'smart-card'
  | 'serial'
  | 'security-key'
  | 'composite'
  | 'other';

export interface Device {
  /** Vendor and product id as sysfs gives them: four lower-case hex digits from the kernel, kept as written otherwise, as USBGuard does. */
  id: { vendor: string; product: string };
  serial: string;
  name: string;
  manufacturer: string;
  /** USBGuard-compatible hash of this device's identity and descriptors (base64). */
  hash: string;
  /** The hash of the parent device (a root hub's is the hash of its controller's sysfs path). */
  parentHash: string;
  /** The device's sysfs name, which names the port it is plugged into: `1-2.3`, or `usb1` for a root hub. */
  viaPort: string;
  /** Every interface of every configuration, alternate settings included, as USBGuard's `with-interface` lists them. */
  interfaces: InterfaceType[];
  /** `hotplug`, `hardwired`, `not used`, `unknown` or '' as USBGuard reports it. */
  connectType: string;
  kind: DeviceKind;
  /** Plain-English warnings about suspicious combinations ("storage that also claims to be a keyboard"). */
  warnings: string[];
  /** Whether the kernel currently lets drivers bind (sysfs `authorized`). */
  authorized: boolean;
  /**
   * The device's canonical sysfs path relative to the sysfs root, e.g.
   * `devices/pci0000:00/0000:00:14.0/usb1/1-2` (`bus/usb/devices/<viaPort>` links to it).
   */
  sysfsPath: string;
}
