/** Describes a Device as a rule, the way `usbguard generate-policy` and `usbguard list-devices` describe devices. */
import type { InterfacePattern, Rule, RuleAttribute, RuleTarget } from '../rules/rule';
import type { Device, InterfaceType } from './device';

/** Which attributes a device rule carries. */
export type DeviceRuleForm =
  /** id, serial, name, hash, parent-hash, with-interface, with-connect-type (and via-port if asked). */
  | 'full'
  /** The same without hash and parent-hash (`generate-policy --no-hashes`). */
  | 'no-hashes'
  /** Only hash and parent-hash (and via-port if asked) (`generate-policy --hash-only`). */
  | 'hash-only';

export interface DeviceRuleOptions {
  target: RuleTarget;
  form: DeviceRuleForm;
  /** Whether to pin the rule to the device's port with `via-port`. */
  viaPort: boolean;
}

/** An attribute with one value and no set operator: `serial "X"`. */
export function single<T>(value: T): RuleAttribute<T> {
  return { operator: undefined, values: [value] };
}

function hex2(n: number): string {
  return n.toString(16).padStart(2, '0');
}

/** An interface type as a `with-interface` pattern: `08:06:50`. */
export function interfacePattern(i: InterfaceType): InterfacePattern {
  return { classCode: hex2(i.classCode), subclass: hex2(i.subclass), protocol: hex2(i.protocol) };
}

/** USBGuard writes one interface bare and several in braces (both `equals`), and leaves the attribute out when there are none. */
function interfaceAttribute(interfaces: readonly InterfaceType[]): RuleAttribute<InterfacePattern> | undefined {
  return interfaces.length === 0 ? undefined : { operator: undefined, values: interfaces.map(interfacePattern) };
}

/** The rule that describes exactly this device. */
export function deviceRule(device: Device, options: DeviceRuleOptions): Rule {
  const rule: Rule = { target: options.target };
  const describe = options.form !== 'hash-only';
  if (describe) {
    rule.id = single({ vendor: device.id.vendor, product: device.id.product });
    rule.serial = single(device.serial);
    rule.name = single(device.name);
  }
  if (options.form !== 'no-hashes') {
    rule.hash = single(device.hash);
    rule.parentHash = single(device.parentHash);
  }
  if (options.viaPort) rule.viaPort = single(device.viaPort);
  if (describe) {
    const withInterface = interfaceAttribute(device.interfaces);
    if (withInterface) rule.withInterface = withInterface;
    rule.withConnectType = single(device.connectType);
  }
  return rule;
}

export interface GeneratePolicyOptions {
  form: DeviceRuleForm;
  /** Pin every rule to its port (`--with-ports`). */
  withPorts: boolean;
  /** Do not pin devices without a serial number to their port either (`--no-ports-sn`). */
  noPortsWithoutSerial: boolean;
  /** Append a rule with only this target, matching every other device (`--target`). */
  catchAll?: RuleTarget;
}

/**
 * `usbguard generate-policy`: an `allow` rule per present device, in enumeration order.
 * By default only devices without a serial number are pinned to their port, since the
 * serial number already tells such devices apart.
 */
export function generatePolicy(devices: readonly Device[], options: GeneratePolicyOptions): Rule[] {
  const rules = devices.map((device) =>
    deviceRule(device, {
      target: 'allow',
      form: options.form,
      viaPort: options.withPorts || (!options.noPortsWithoutSerial && device.serial === ''),
    }),
  );
  if (options.catchAll) rules.push({ target: options.catchAll });
  return rules;
}
