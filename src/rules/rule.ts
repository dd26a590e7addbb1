/** The USBGuard rule language as data: targets, attributes, set operators and conditions. */

export type RuleTarget = 'allow' | 'block' | 'reject' | 'match' | 'device';

export type SetOperator = 'all-of' | 'one-of' | 'none-of' | 'equals' | 'equals-ordered' | 'match-all';

/** A `VVVV:PPPP` pattern as written (hex case kept); either half may be `*`, and a `*` vendor forces a `*` product. */
export interface DeviceIdPattern {
  vendor: string;
  product: string;
}

/** A `cc:ss:pp` interface pattern in lowercase hex; `ss:pp` may be `*:*` and `pp` may be `*`. */
export interface InterfacePattern {
  classCode: string;
  subclass: string;
  protocol: string;
}

/**
 * One attribute's values. `operator` is the set operator keyword the rule wrote, or undefined
 * when it wrote none (a bare value, or braces without a keyword), which means `equals`, USBGuard's
 * default. USBGuard prints `equals` and no keyword alike: a bare value when there is one value,
 * braces otherwise.
 */
export interface RuleAttribute<T> {
  operator: SetOperator | undefined;
  values: T[];
}

export type ConditionKind =
  | 'true'
  | 'false'
  | 'localtime'
  | 'rule-applied'
  | 'rule-evaluated'
  | 'random'
  | 'allowed-matches';

/**
 * One condition. `parameter` is the text between the parentheses exactly as written (USBGuard
 * keeps it verbatim, escapes included); it is absent when there were no parentheses, and
 * always absent for `true` and `false`, whose parameter USBGuard discards.
 */
export interface Condition {
  kind: ConditionKind;
  negated: boolean;
  parameter?: string;
}

export interface ConditionSet {
  operator: SetOperator | undefined;
  conditions: Condition[];
}

/**
 * A parsed rule. String values are stored unescaped, as text: bytes that form valid UTF-8 become
 * their characters, and any other byte b (from `\xHH` or a raw byte) becomes the lone surrogate
 * U+DC00+b, so every byte string round-trips through the printer.
 */
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
