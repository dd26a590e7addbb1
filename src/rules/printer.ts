/** The USBGuard rule printer: a Rule as usbguard-rule-parser prints it after `OUTPUT: `. */
import { assertNever } from '../util/assert-never';
import { quoteRuleString } from './escape';
import type { Condition, ConditionKind, DeviceIdPattern, InterfacePattern, Rule, SetOperator } from './rule';

/**
 * Attribute::toRuleString: one bare value under the default operator, otherwise braces, with
 * the operator keyword unless it is `equals`. Empty attributes are left out.
 */
function attribute<T>(name: string, operator: SetOperator | undefined, values: readonly T[], format: (value: T) => string): string {
  if (values.length === 0) return '';
  const keyword = operator === undefined || operator === 'equals' ? '' : `${operator} `;
  const first = values[0];
  if (keyword === '' && values.length === 1 && first !== undefined) return ` ${name} ${format(first)}`;
  return ` ${name} ${keyword}{ ${values.map(format).join(' ')} }`;
}

function deviceId(id: DeviceIdPattern): string {
  return `${id.vendor}:${id.product}`;
}

function interfaceType(pattern: InterfacePattern): string {
  return `${pattern.classCode}:${pattern.subclass}:${pattern.protocol}`;
}

/** USBGuard 1.1's rule-evaluated condition names itself rule-applied when printed. */
function printedIdentifier(kind: ConditionKind): string {
  switch (kind) {
    case 'rule-evaluated':
      return 'rule-applied';
    case 'true':
    case 'false':
    case 'localtime':
    case 'rule-applied':
    case 'random':
    case 'allowed-matches':
      return kind;
    default:
      return assertNever(kind);
  }
}

/** RuleConditionBase::toString: `[!]identifier[(parameter)]`, the parameter verbatim; true and false have none. */
function condition(c: Condition): string {
  const hasParameter = c.parameter !== undefined && c.parameter !== '' && c.kind !== 'true' && c.kind !== 'false';
  return `${c.negated ? '!' : ''}${printedIdentifier(c.kind)}${hasParameter ? `(${c.parameter})` : ''}`;
}

/** The canonical text of `rule`, byte for byte what usbguard-rule-parser prints (attributes in USBGuard's order). */
export function printRule(rule: Rule): string {
  const { id, serial, name, hash, parentHash, viaPort, withInterface, conditions, withConnectType, label } = rule;
  const strings = (key: string, attr: Rule['name']) => attribute(key, attr?.operator, attr?.values ?? [], quoteRuleString);
  return [
    rule.target,
    attribute('id', id?.operator, id?.values ?? [], deviceId),
    strings('serial', serial),
    strings('name', name),
    strings('hash', hash),
    strings('parent-hash', parentHash),
    strings('via-port', viaPort),
    attribute('with-interface', withInterface?.operator, withInterface?.values ?? [], interfaceType),
    attribute('if', conditions?.operator, conditions?.conditions ?? [], condition),
    strings('with-connect-type', withConnectType),
    strings('label', label),
  ].join('');
}
