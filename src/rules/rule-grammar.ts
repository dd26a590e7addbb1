/** The USBGuard rule grammar's vocabulary: targets, set operators, attributes, value patterns and what to say when one is missing. */
import type { ConditionKind, DeviceIdPattern, InterfacePattern, RuleTarget, SetOperator } from './rule';
import type { StringSlot } from './rule-builder';
import { ParseFailure } from './scanner';

export const TARGETS: readonly RuleTarget[] = ['allow', 'block', 'reject', 'match', 'device'];
/** In the grammar's order: `equals-ordered` must be tried before `equals`. */
export const SET_OPERATORS: readonly SetOperator[] = ['all-of', 'one-of', 'none-of', 'equals-ordered', 'equals', 'match-all'];
export const CONDITION_KINDS: readonly ConditionKind[] = ['true', 'false', 'localtime', 'rule-applied', 'rule-evaluated', 'random', 'allowed-matches'];

export type AttributeSpec =
  | { keyword: string; kind: 'string'; slot: StringSlot }
  | { keyword: 'id'; kind: 'device-id'; slot: 'id' }
  | { keyword: 'with-interface'; kind: 'interface'; slot: 'withInterface' }
  | { keyword: 'if'; kind: 'condition'; slot: 'conditions' };

/** In the grammar's order. */
export const ATTRIBUTES: readonly AttributeSpec[] = [
  { keyword: 'id', kind: 'device-id', slot: 'id' },
  { keyword: 'name', kind: 'string', slot: 'name' },
  { keyword: 'hash', kind: 'string', slot: 'hash' },
  { keyword: 'parent-hash', kind: 'string', slot: 'parentHash' },
  { keyword: 'serial', kind: 'string', slot: 'serial' },
  { keyword: 'via-port', kind: 'string', slot: 'viaPort' },
  { keyword: 'with-interface', kind: 'interface', slot: 'withInterface' },
  { keyword: 'with-connect-type', kind: 'string', slot: 'withConnectType' },
  { keyword: 'if', kind: 'condition', slot: 'conditions' },
  { keyword: 'label', kind: 'string', slot: 'label' },
];

export const VALUE_LABELS: Record<AttributeSpec['kind'], string> = {
  'device-id': 'a device id such as 1234:5678, 1234:* or *:*',
  string: 'a string in double quotes such as "USB Flash Disk"',
  interface: 'an interface type such as 08:06:50, 03:01:* or 09:*:*',
  condition: 'a condition such as true, !rule-applied or localtime(08:00-16:00)',
};
export const TARGET_LABEL = 'a rule target (allow, block, reject, match, device)';
export const ATTRIBUTE_LABEL = "an attribute name (id, hash, parent-hash, name, serial, via-port, with-interface, with-connect-type, label) or 'if'";

export const DEVICE_ID = /([0-9a-fA-F]{4}|\*):([0-9a-fA-F]{4}|\*)/y;
export const LOOKS_LIKE_DEVICE_ID = /([0-9a-fA-F]{1,4}|\*):/y;
export const INTERFACE = /([0-9a-fA-F]{2}):([0-9a-fA-F]{2}|\*):([0-9a-fA-F]{2}|\*)/y;
export const CONDITION_IDENTIFIER = /[a-zA-Z-][a-zA-Z0-9-]*/y;
export const HEX_BYTE = /[0-9a-fA-F]{2}/y;
/** What may follow `\` in a condition parameter (the grammar's escapes; the parameter is kept raw). */
export const PARAMETER_ESCAPE = /x[0-9a-fA-F]{2}|\d{1,3}|[abfnrtv\\'\n)]/y;

/** USBDeviceID's check: a `*` vendor needs a `*` product. */
export function checkedDeviceId(found: string, at: number): DeviceIdPattern {
  const [vendor = '', product = ''] = found.split(':');
  if (vendor === '*' && product !== '*') throw new ParseFailure(at, "expected '*' as the product id after a '*' vendor id (such as *:*)");
  return { vendor, product };
}

/** USBInterfaceType's check: a `*` subclass needs a `*` protocol; USBGuard keeps the numbers, so case is lost. */
export function checkedInterface(found: string, at: number): InterfacePattern {
  const [classCode = '', subclass = '', protocol = ''] = found.toLowerCase().split(':');
  if (subclass === '*' && protocol !== '*') throw new ParseFailure(at, "expected '*' as the protocol after a '*' subclass (such as 03:*:*)");
  return { classCode, subclass, protocol };
}
