/** Whether a rule's device attributes apply to a device (conditions are evaluated elsewhere). */
import type { DeviceIdPattern, InterfacePattern, Rule, RuleAttribute } from './rule';
import type { InterfaceType } from '../devices/device';
import { setApplies, type Covers } from './set-operators';

/** What a rule can see of a device: the attributes of USBGuard's device rule. */
export interface MatchableDevice {
  id: { vendor: string; product: string };
  serial: string;
  name: string;
  hash: string;
  parentHash: string;
  viaPort: string;
  interfaces: readonly InterfaceType[];
  connectType: string;
}

/** Ids compare as text, as in USBGuard (`ABCD` does not match a device's `abcd`); `*` matches any. */
export const idCovers: Covers<DeviceIdPattern, MatchableDevice['id']> = (pattern, id) =>
  pattern.vendor === '*' || (pattern.vendor === id.vendor && (pattern.product === '*' || pattern.product === id.product));

function hexOrWildcard(text: string): number | undefined {
  return text === '*' ? undefined : Number.parseInt(text, 16);
}

/** Interface patterns are pre-parsed once per rule; `undefined` is a wildcard. */
interface CompiledInterfacePattern {
  classCode: number | undefined;
  subclass: number | undefined;
  protocol: number | undefined;
}

export function compileInterfacePattern(pattern: InterfacePattern): CompiledInterfacePattern {
  return { classCode: hexOrWildcard(pattern.classCode), subclass: hexOrWildcard(pattern.subclass), protocol: hexOrWildcard(pattern.protocol) };
}

const interfaceCovers: Covers<CompiledInterfacePattern, InterfaceType> = (p, i) =>
  (p.classCode === undefined || p.classCode === i.classCode) &&
  (p.subclass === undefined || p.subclass === i.subclass) &&
  (p.protocol === undefined || p.protocol === i.protocol);

const textEquals: Covers<string, string> = (a, b) => a === b;

type DevicePredicate = (device: MatchableDevice) => boolean;

function textAttribute(attribute: RuleAttribute<string> | undefined, read: (d: MatchableDevice) => string): DevicePredicate | undefined {
  if (!attribute || attribute.values.length === 0) return undefined;
  const { operator, values } = attribute;
  return (device) => setApplies(operator, values, [read(device)], textEquals);
}

/**
 * Compiles a rule's device attributes into one predicate. `label` never takes part, and a
 * rule without attributes applies to every device, as in USBGuard.
 */
export function compileDeviceMatch(rule: Rule): DevicePredicate {
  const parts: DevicePredicate[] = [];
  const add = (p: DevicePredicate | undefined): void => {
    if (p) parts.push(p);
  };
  if (rule.id && rule.id.values.length > 0) {
    const { operator, values } = rule.id;
    add((device) => setApplies(operator, values, [device.id], idCovers));
  }
  add(textAttribute(rule.serial, (d) => d.serial));
  add(textAttribute(rule.withConnectType, (d) => d.connectType));
  add(textAttribute(rule.name, (d) => d.name));
  add(textAttribute(rule.hash, (d) => d.hash));
  add(textAttribute(rule.parentHash, (d) => d.parentHash));
  add(textAttribute(rule.viaPort, (d) => d.viaPort));
  if (rule.withInterface && rule.withInterface.values.length > 0) {
    const operator = rule.withInterface.operator;
    const patterns = rule.withInterface.values.map(compileInterfacePattern);
    add((device) => setApplies(operator, patterns, device.interfaces, interfaceCovers));
  }
  return (device) => parts.every((p) => p(device));
}
