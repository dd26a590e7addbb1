/** The USBGuard rule language as data: targets, attributes, set operators and conditions. */

export type RuleTarget = 'allow' | 'block' | 'reject' | 'match' | 'device';

export type SetOperator = 'all-of' | 'one-of' | 'none-of' | 'equals' | 'equals-ordered' | 'match-all';

/** A `VVVV:PPPP` pattern as written; either half may be `*`. */
export interface DeviceIdPattern {
  vendor: string;
  product: string;
}

/** A `cc:ss:pp` interface pattern as written; subclass and protocol may be `*`. */
export interface InterfacePattern {
  classCode: string;
  subclass: string;
  protocol: string;
}

/**
 * One attribute's values. `operator` is undefined when the rule wrote a single bare
 * value (`id 1234:5678`) and set when it wrote a set (`{ ... }`, with or without a keyword;
 * a set without a keyword is `equals`), so the printer can reproduce USBGuard's form.
 */
export interface RuleAttribute<T> {
  operator: SetOperator | undefined;
  values: T[];
  /** true when the source wrote braces without an operator keyword. */
  implicitOperator?: boolean;
}

export type ConditionKind =
  | 'true'
  | 'false'
  | 'localtime'
  | 'rule-applied'
  | 'rule-evaluated'
  | 'random'
  | 'allowed-matches';

/** One condition; `parameter` is the text inside the parentheses, if any. */
export interface Condition {
  kind: ConditionKind;
  negated: boolean;
  parameter?: string;
}

export interface ConditionSet {
  operator: SetOperator | undefined;
  conditions: Condition[];
  implicitOperator?: boolean;
}

/** A parsed rule. String values are stored unescaped. */
export interface Rule {
  target: RuleTarget;
  id?: RuleAttribute<DeviceIdPattern>;
  serial?: RuleAttribute<string>;
  name?: RuleAttribute<string>;
  hash?: RuleAttribute<string>;
  parentHash?: RuleAttribute<string>;
  viaPort?: RuleAttribute<string>;
  withInterface?: RuleAttribute<InterfacePattern>;
  withConnectType?: RuleAttribute<string>;
  label?: RuleAttribute<string>;
  conditions?: ConditionSet;
}
