/** Turns the policy's `allow` rules into the allowlist that Windows's install policy can express: vendor:product, optionally with serial. */
import type { Rule, RuleAttribute } from '../rules/rule';
import type { InstallAllowlist } from './win32-install-restrictions';

export interface AllowlistCompilation {
  allowlist: InstallAllowlist;
  /** One sentence per allow rule that install policy could not express, or expresses more widely than written. */
  notes: string[];
}

/** Device attributes that install policy cannot check; a rule with them is widened to its id (and serial). */
const UNCHECKED = [
  ['name', 'name'],
  ['hash', 'hash'],
  ['parentHash', 'parent-hash'],
  ['viaPort', 'via-port'],
  ['withInterface', 'with-interface'],
  ['withConnectType', 'with-connect-type'],
] as const;

/** The values a device's single attribute value must be one of, or undefined when the attribute cannot be read that way. */
function alternatives<T>(attribute: RuleAttribute<T>): T[] | undefined {
  if (attribute.operator === 'one-of') return attribute.values;
  if ((attribute.operator === undefined || attribute.operator === 'equals') && attribute.values.length === 1) return attribute.values;
  return undefined;
}

/**
 * Compiles `allow` rules (in policy order; the caller passes the rules that apply to this machine
 * now). Rules with conditions, wildcard ids or no id cannot be expressed and are left out: the
 * devices they allow are refused installation when their setup class is refused, and the agent's
 * run-time decision still applies to everything else.
 */
export function installAllowlistFromRules(entries: readonly { rule: Rule; text: string }[]): AllowlistCompilation {
  const allowlist: InstallAllowlist = { models: [], devices: [] };
  const notes: string[] = [];
  for (const { rule, text } of entries) {
    if (rule.target !== 'allow') continue;
    const ids = rule.id ? alternatives(rule.id) : undefined;
    if (!ids) {
      notes.push(`not in the install policy, which needs one or more exact ids: ${text}`);
      continue;
    }
    if (ids.some((id) => !/^[0-9a-f]{4}$/i.test(id.vendor) || !/^[0-9a-f]{4}$/i.test(id.product))) {
      notes.push(`not in the install policy, which cannot express wildcard ids: ${text}`);
      continue;
    }
    if (rule.conditions && rule.conditions.conditions.length > 0) {
      notes.push(`not in the install policy, which cannot check conditions: ${text}`);
      continue;
    }
    const serials = rule.serial ? alternatives(rule.serial) : undefined;
    if (rule.serial && !serials) {
      notes.push(`not in the install policy, which needs exact serial numbers: ${text}`);
      continue;
    }
    const unchecked = UNCHECKED.filter(([slot]) => rule[slot] !== undefined).map(([, keyword]) => keyword);
    if (unchecked.length > 0) notes.push(`in the install policy by id${serials ? ' and serial' : ''} only, without ${unchecked.join(', ')}: ${text}`);
    for (const { vendor, product } of ids) {
      if (serials) allowlist.devices.push(...serials.map((serial) => ({ vendor, product, serial })));
      else allowlist.models.push({ vendor, product });
    }
  }
  return { allowlist, notes };
}
