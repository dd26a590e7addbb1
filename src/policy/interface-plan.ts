/** From a decision to an enforcement plan: which interfaces of an allowed device lose their driver, and the start-up rule that keeps keyboards working. */
import type { Device, InterfaceType } from '../devices/device';
import { INPUT_KINDS } from '../devices/device-kind';
import type { EnforcementPlan } from '../enforce/enforcer';
import { compileDeviceMatch } from '../rules/device-match';
import { parseRule } from '../rules/parser';
import type { Rule } from '../rules/rule';
import type { DecidingTarget } from '../rules/rule-set';

/** USB interface class 03: every HID interface (keyboard, mouse, or anything whose report descriptor says it types). */
const HID_CLASS = 0x03;

/** What a plan needs of a decision: its target and, when a rule decided, that rule (parsed, or in canonical text). */
export interface PlannedDecision {
  target: DecidingTarget;
  rule?: Rule | string;
}

function parsed(rule: Rule | string | undefined): Rule | undefined {
  if (typeof rule !== 'string') return rule;
  try {
    return parseRule(rule);
  } catch {
    // Canonical text always parses; if it did not, no interface counts as approved (fail closed).
    return undefined;
  }
}

/**
 * Whether the deciding rule's `with-interface` names this interface, so an admin knowingly
 * approved it. `none-of` lists what the device must not have, so it approves nothing.
 */
function ruleNames(rule: Rule | undefined, type: InterfaceType): boolean {
  const attribute = rule?.withInterface;
  if (!attribute || attribute.operator === 'none-of' || attribute.values.length === 0) return false;
  const namesIt = compileDeviceMatch({ target: 'allow', withInterface: { operator: 'one-of', values: attribute.values } });
  return namesIt({ id: { vendor: '', product: '' }, serial: '', name: '', hash: '', parentHash: '', viaPort: '', connectType: '', interfaces: [type] });
}

/** Whether two interface types are the same `cc:ss:pp`. */
export function sameInterfaceType(a: InterfaceType, b: InterfaceType): boolean {
  return a.classCode === b.classCode && a.subclass === b.subclass && a.protocol === b.protocol;
}

/**
 * The plan for a decided device. An allowed device that is not an input device keeps every
 * interface except its HID ones: not only boot keyboards (03:01:01) and mice (03:01:02) but
 * every class-03 interface, because Linux's HID driver binds to all of them and a 03:00:00
 * interface whose report descriptor describes a keyboard types just as well (most
 * keystroke-injection gadgets present exactly that). A HID interface stays only when the
 * deciding rule's `with-interface` names it: an admin who approved a composite device
 * knowingly (an approval generated from the device lists all its interfaces).
 */
export function planEnforcement(device: Device, decision: PlannedDecision): EnforcementPlan {
  if (decision.target !== 'allow' || INPUT_KINDS.has(device.kind)) return { target: decision.target, blockedInterfaces: [] };
  const rule = parsed(decision.rule);
  const blockedInterfaces: InterfaceType[] = [];
  for (const type of device.interfaces) {
    if (type.classCode !== HID_CLASS || ruleNames(rule, type)) continue;
    if (!blockedInterfaces.some((t) => sameInterfaceType(t, type))) blockedInterfaces.push({ ...type });
  }
  return { target: decision.target, blockedInterfaces };
}

/** Hubs, and keyboards and mice that are nothing else: what a person needs to use the PC at all. */
function neededToUseThePc(device: Device): boolean {
  if (device.kind === 'hub') return true;
  const inputOnly = device.kind === 'keyboard' || device.kind === 'mouse' || device.kind === 'input';
  return inputOnly && device.interfaces.length > 0 && device.interfaces.every((i) => i.classCode === HID_CLASS);
}

export interface LockoutSafeTarget {
  target: DecidingTarget;
  /** Set when the start-up rule overrode the policy: why, for the audit log. */
  kept?: string;
}

/**
 * The start-up safety rule. When the agent starts, hubs and pure keyboards and mice that are
 * present and already working (authorised) stay allowed even if the policy would block or
 * reject them, so a new or stricter policy never locks the person at the PC out of it. Other
 * devices present at start (storage, phones...) get the policy, and so does a keyboard that
 * is waiting unauthorised: it arrived while the agent was not running, and the kernel held it
 * back (fail-closed), so it was never in use.
 */
export function lockoutSafeTarget(device: Device, decision: { target: DecidingTarget }, options: { atStart: boolean }): LockoutSafeTarget {
  if (!options.atStart || decision.target === 'allow' || !device.authorized || !neededToUseThePc(device)) return { target: decision.target };
  const verb = decision.target === 'block' ? 'block' : 'reject';
  return { target: 'allow', kept: `kept: present at start, so nobody is locked out (the policy would ${verb} this ${device.kind === 'hub' ? 'hub' : 'input device'})` };
}

/** `lockoutSafeTarget` applied to a whole decision: the same decision with its target replaced when the start-up rule keeps the device. */
export function lockoutSafeDecision<D extends { target: DecidingTarget }>(device: Device, decision: D, options: { atStart: boolean }): { decision: D; keptAtStart?: string } {
  const safe = lockoutSafeTarget(device, decision, options);
  return safe.kept === undefined ? { decision } : { decision: { ...decision, target: safe.target }, keptAtStart: safe.kept };
}
