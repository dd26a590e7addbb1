/** The Device value: one attached device as every part of Portcullis sees it. */

/** A USB interface's class, subclass and protocol (`cc:ss:pp`). */
export interface InterfaceType {
  classCode: number;
  subclass: number;
  protocol: number;
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
  /** `vvvv:pppp`, lower-case hex. */
  id: { vendor: string; product: string };
  serial: string;
  name: string;
  manufacturer: string;
  /** USBGuard-compatible hash of this device's identity and descriptors (base64). */
  hash: string;
  /** The hash of the parent device (the root hub's is computed from the controller). */
  parentHash: string;
  /** The sysfs name of the port, such as `1-2.3` or `usb1`. */
  viaPort: string;
  interfaces: InterfaceType[];
  /** `hotplug`, `hardwired`, `not used`, `unknown` or '' as USBGuard reports it. */
  connectType: string;
  kind: DeviceKind;
  /** Plain-English warnings about suspicious combinations ("storage that also claims to be a keyboard"). */
  warnings: string[];
  /** Whether the kernel currently lets drivers bind (sysfs `authorized`). */
  authorized: boolean;
  /** The device's sysfs path relative to the sysfs root, e.g. `bus/usb/devices/1-2`. */
  sysfsPath: string;
}
