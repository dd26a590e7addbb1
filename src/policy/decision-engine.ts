/**
 * Decides about devices: a rule set built from a plain USBGuard rules file or from a signed
 * policy document, and a reason a person can read for every decision.
 */
import type { Device } from '../devices/device';
import { parseRule, parseRulesFile, RuleSyntaxError } from '../rules/parser';
import { printRule } from '../rules/printer';
import type { Rule } from '../rules/rule';
import { compileDeviceMatch, type MatchableDevice } from '../rules/device-match';
import type { ConditionEnvironment, QueryCompiler } from '../rules/conditions';
import { RuleSet, type DecidingTarget, type RuleEntry } from '../rules/rule-set';
import type { PolicyDocument } from './policy-document';
import { ruleInForce, describeExpiry, type MachineContext } from './rule-scope';
import { describeDevice } from './describe-device';

/** Where a rule came from and who stands behind it. */
export interface RuleOrigin {
  /** `rules.conf:12` or `policy v12, rule r-0042`. */
  where: string;
  approvedBy?: string;
  reason?: string;
  expires?: string;
  labels: string[];
}

export interface Decision {
  target: DecidingTarget;
  /** True when no rule applied and the policy's implicit target decided. */
  implicit: boolean;
  /** The deciding rule in canonical form. */
  rule?: string;
  origin?: RuleOrigin;
  /** One sentence for people: "blocked: no rule allows a mass-storage device from SanDisk". */
  reason: string;
}

/** A rule that is not in force here and now (expired, or scoped elsewhere), kept to explain decisions. */
interface DormantRule {
  origin: RuleOrigin;
  target: DecidingTarget;
  why: string;
  matches: (device: MatchableDevice) => boolean;
}

const VERB: Record<DecidingTarget, string> = { allow: 'allowed', block: 'blocked', reject: 'rejected' };

/** `allowed-matches(QUERY)`: the query is a rule without a target (USBGuard prefixes `allow`). */
export const compileAllowedMatchesQuery: QueryCompiler = (query) => compileDeviceMatch(parseRule(`allow ${query}`));

function describeOrigin(origin: RuleOrigin): string {
  const details = [
    origin.approvedBy && `approved by ${origin.approvedBy}`,
    origin.reason && `"${origin.reason}"`,
    origin.expires && `until ${describeExpiry(origin.expires)}`,
    origin.labels.length > 0 && `label ${origin.labels.map((l) => `"${l}"`).join(', ')}`,
  ].filter(Boolean);
  return details.length > 0 ? `${origin.where} (${details.join(', ')})` : origin.where;
}

export class DecisionEngine {
  constructor(
    private readonly rules: RuleSet<RuleOrigin>,
    private readonly dormant: readonly DormantRule[] = [],
  ) {}

  get implicitTarget(): DecidingTarget {
    return this.rules.implicitTarget;
  }

  /** Rules in force. */
  get ruleCount(): number {
    return this.rules.size;
  }

  /** The rules in force, in order (Windows compiles its install policy from them). */
  entries(): readonly RuleEntry<RuleOrigin>[] {
    return this.rules.entries;
  }

  decide(device: Device, env: ConditionEnvironment): Decision {
    const verdict = this.rules.decide(device, env);
    const verb = VERB[verdict.target];
    if (verdict.entry) {
      return {
        target: verdict.target,
        implicit: false,
        rule: verdict.entry.text,
        origin: verdict.entry.meta,
        reason: `${verb} by ${describeOrigin(verdict.entry.meta)}`,
      };
    }
    const base = verdict.target === 'allow' ? `${verb}: no rule blocks ${describeDevice(device)}, and this policy allows by default` : `${verb}: no rule allows ${describeDevice(device)}`;
    const lapsed = this.dormant.find((rule) => rule.target === 'allow' && rule.matches(device));
    const reason = lapsed ? `${base}; ${describeOrigin(lapsed.origin)} would allow it but is not in force: ${lapsed.why}` : base;
    return { target: verdict.target, implicit: true, reason };
  }
}

function labelsOf(rule: Rule): string[] {
  return rule.label?.values ?? [];
}

/**
 * A plain USBGuard rules file, as USBGuard reads it: every rule in force, implicit target
 * `block`. A file with any syntax error is refused whole (the errors name line and column).
 */
export function engineFromRulesFile(text: string, file: string): { engine: DecisionEngine } | { errors: RuleSyntaxError[] } {
  const parsed = parseRulesFile(text, file);
  if (parsed.errors.length > 0) return { errors: parsed.errors };
  const entries = parsed.rules.map(({ rule, line }) => ({ rule, text: printRule(rule), meta: { where: `${file}:${line}`, labels: labelsOf(rule) } }));
  return { engine: new DecisionEngine(new RuleSet(entries, 'block', compileAllowedMatchesQuery)) };
}

/** A verified policy document for this machine and user at `now`: rules out of scope or expired are not applied. */
export function engineFromPolicy(document: PolicyDocument, context: MachineContext, now: Date): DecisionEngine {
  const active: RuleEntry<RuleOrigin>[] = [];
  const dormant: DormantRule[] = [];
  for (const entry of document.rules) {
    const rule = parseRule(entry.rule);
    const origin: RuleOrigin = {
      where: `policy v${document.version}, rule ${entry.id}`,
      approvedBy: entry.approvedBy,
      reason: entry.reason,
      expires: entry.expires,
      labels: labelsOf(rule),
    };
    const status = ruleInForce(entry, context, now);
    if (status.inForce) active.push({ rule, text: printRule(rule), meta: origin });
    else dormant.push({ origin, target: rule.target as DecidingTarget, why: status.why, matches: compileDeviceMatch(rule) });
  }
  return new DecisionEngine(new RuleSet(active, document.implicitTarget, compileAllowedMatchesQuery), dormant);
}
