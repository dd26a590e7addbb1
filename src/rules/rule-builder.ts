/** The parser's actions: what USBGuard does to its Rule as each piece of a rule line matches. */
import type { Condition, ConditionSet, DeviceIdPattern, InterfacePattern, Rule, RuleAttribute, RuleTarget, SetOperator } from './rule';
import { ParseFailure } from './scanner';

export type StringSlot = 'serial' | 'name' | 'hash' | 'parentHash' | 'viaPort' | 'withConnectType' | 'label';
type AttributeSlot = StringSlot | 'id' | 'withInterface';
/** Where an attribute keyword's values go: a Rule attribute, or the condition set of `if`. */
export type Slot = AttributeSlot | 'conditions';

type Attributes = Required<Pick<Rule, AttributeSlot>>;

const ATTRIBUTE_SLOTS: readonly AttributeSlot[] = ['id', 'serial', 'name', 'hash', 'parentHash', 'viaPort', 'withInterface', 'withConnectType', 'label'];

function empty<T>(): RuleAttribute<T> {
  return { operator: undefined, values: [] };
}

/** Collects one line's rule. Like USBGuard's, it is one object for the whole line, so `allowblock` is a block rule. */
export class RuleBuilder {
  private target: RuleTarget | undefined;
  private readonly conditions: ConditionSet = { operator: undefined, conditions: [] };
  private readonly attributes: Attributes = {
    id: empty(),
    serial: empty(),
    name: empty(),
    hash: empty(),
    parentHash: empty(),
    viaPort: empty(),
    withInterface: empty(),
    withConnectType: empty(),
    label: empty(),
  };

  setTarget(target: RuleTarget): void {
    this.target = target;
  }

  /**
   * An attribute keyword matched at `at`. A second one is refused, except `label`: USBGuard's
   * check for label is wired to the wrong keyword, so repeated labels merge into one set.
   */
  beginAttribute(slot: Slot, keyword: string, at: number): void {
    if (slot === 'conditions') {
      if (this.conditions.conditions.length > 0) throw new ParseFailure(at, "conditions already defined: a rule has one 'if'");
    } else if (slot !== 'label' && this.attributes[slot].values.length > 0) {
      throw new ParseFailure(at, `${keyword} attribute already defined`);
    }
  }

  setOperator(slot: Slot, operator: SetOperator): void {
    if (slot === 'conditions') this.conditions.operator = operator;
    else this.attributes[slot].operator = operator;
  }

  appendString(slot: StringSlot, value: string): void {
    this.attributes[slot].values.push(value);
  }

  appendDeviceId(value: DeviceIdPattern): void {
    this.attributes.id.values.push(value);
  }

  appendInterface(value: InterfacePattern): void {
    this.attributes.withInterface.values.push(value);
  }

  appendCondition(value: Condition): void {
    this.conditions.conditions.push(value);
  }

  /** A bare device id right after the target: USBGuard's Attribute::set, which replaces a single value. */
  setDeviceId(value: DeviceIdPattern, at: number): void {
    const { values } = this.attributes.id;
    if (values.length > 1) throw new ParseFailure(at, 'id attribute already defined as a set');
    values.splice(0, 1, value);
  }

  /** The rule, or null for a line with no target (empty, or only a comment). */
  build(): Rule | null {
    if (this.target === undefined) return null;
    const rule: Rule = { target: this.target, ...this.attributes };
    for (const slot of ATTRIBUTE_SLOTS) if (rule[slot]?.values.length === 0) delete rule[slot];
    if (this.conditions.conditions.length > 0) rule.conditions = this.conditions;
    return rule;
  }
}
