/** An ordered rule list with USBGuard's semantics: the first applicable rule wins, else the implicit target. */
import type { Rule } from './rule';
import { compileDeviceMatch, type MatchableDevice } from './device-match';
import { compileConditions, type ConditionCheck, type ConditionEnvironment, type QueryCompiler, type RuleHistory } from './conditions';
import { RuleIndex } from './rule-index';

/** Targets that decide; `match` and `device` rules never decide a device. */
export type DecidingTarget = 'allow' | 'block' | 'reject';

export interface RuleEntry<M> {
  rule: Rule;
  /** The rule as its author wrote it (or canonical text). */
  text: string;
  /** Where it came from and why it exists (approver, reason, expiry...). */
  meta: M;
}

export interface Verdict<M> {
  target: DecidingTarget;
  /** The deciding rule and its position, or undefined when the implicit target decided. */
  entry?: RuleEntry<M>;
  position?: number;
}

interface CompiledRule<M> {
  entry: RuleEntry<M>;
  deciding: boolean;
  matches: (device: MatchableDevice) => boolean;
  conditions: ConditionCheck | undefined;
  history: RuleHistory;
}

export function isDecidingTarget(target: Rule['target']): target is DecidingTarget {
  return target === 'allow' || target === 'block' || target === 'reject';
}

export class RuleSet<M> {
  private readonly compiled: CompiledRule<M>[];
  private readonly index: RuleIndex;

  constructor(
    entries: readonly RuleEntry<M>[],
    readonly implicitTarget: DecidingTarget,
    compileQuery: QueryCompiler,
  ) {
    this.compiled = entries.map((entry) => ({
      entry,
      deciding: isDecidingTarget(entry.rule.target),
      matches: compileDeviceMatch(entry.rule),
      conditions: compileConditions(entry.rule.conditions, compileQuery),
      history: {},
    }));
    this.index = new RuleIndex(entries.map((e) => e.rule));
  }

  get size(): number {
    return this.compiled.length;
  }

  get entries(): readonly RuleEntry<M>[] {
    return this.compiled.map((c) => c.entry);
  }

  /** The decision for `device`, looking only at the rules the index says could apply. */
  decide(device: MatchableDevice, env: ConditionEnvironment): Verdict<M> {
    return this.firstApplicable(this.index.candidates(device), device, env);
  }

  /** The same decision by trying every rule in order: the reference the index is tested against. */
  decideByScan(device: MatchableDevice, env: ConditionEnvironment): Verdict<M> {
    return this.firstApplicable(this.compiled.keys(), device, env);
  }

  private firstApplicable(positions: Iterable<number>, device: MatchableDevice, env: ConditionEnvironment): Verdict<M> {
    for (const position of positions) {
      const rule = this.compiled[position] as CompiledRule<M>;
      if (!rule.matches(device) || !this.conditionsMet(rule, env)) continue;
      if (!rule.deciding) continue;
      rule.history.lastAppliedMs = env.now().getTime();
      return { target: rule.entry.rule.target as DecidingTarget, entry: rule.entry, position };
    }
    return { target: this.implicitTarget };
  }

  /** Checks the rule's conditions against its history, then records that it was evaluated. */
  private conditionsMet(rule: CompiledRule<M>, env: ConditionEnvironment): boolean {
    if (!rule.conditions) return true;
    const met = rule.conditions(env, rule.history);
    rule.history.lastEvaluatedMs = env.now().getTime();
    return met;
  }
}
