/** Rule conditions (`if ...`): evaluated with an injected clock, random source and device view. */
import type { Condition, ConditionSet } from './rule';
import type { MatchableDevice } from './device-match';
import { assertNever } from '../util/assert-never';
import { stodValue } from './c-number';
import { elapsedSeconds, localtimeRange } from './condition-parameters';

/** What conditions may look at; everything time- or chance-dependent comes from here. */
export interface ConditionEnvironment {
  now(): Date;
  /** Uniform in [0, 1). */
  random(): number;
  /** IANA zone for `localtime` (the machine's zone when absent). */
  timeZone?: string;
  /** Devices the policy currently allows, for `allowed-matches(...)`. */
  allowedDevices(): Iterable<MatchableDevice>;
}

/** When the rule was last applied (it decided a device) and last evaluated (its conditions were checked). */
export interface RuleHistory {
  lastAppliedMs?: number;
  lastEvaluatedMs?: number;
}

export type ConditionCheck = (env: ConditionEnvironment, history: RuleHistory) => boolean;

/** Compiles an `allowed-matches` query (a rule without target) into a device predicate. */
export type QueryCompiler = (query: string) => (device: MatchableDevice) => boolean;

const dayFormatters = new Map<string, Intl.DateTimeFormat>();

function secondsOfDay(now: Date, timeZone: string | undefined): number {
  if (timeZone === undefined) return now.getHours() * 3600 + now.getMinutes() * 60 + now.getSeconds();
  let format = dayFormatters.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-GB', { timeZone, hourCycle: 'h23', hour: '2-digit', minute: '2-digit', second: '2-digit' });
    dayFormatters.set(timeZone, format);
  }
  const [h, m, s] = format.format(now).split(':').map(Number);
  return (h ?? 0) * 3600 + (m ?? 0) * 60 + (s ?? 0);
}

/** The parameter's value, or an error for text the parser would have refused (a hand-built rule). */
function required<T>(value: T | undefined, what: string, text: string): T {
  if (value === undefined) throw new Error(`invalid ${what} '${text}'`);
  return value;
}

function localtimeCheck(range: string): ConditionCheck {
  const { begin, end } = required(localtimeRange(range), 'time range', range);
  return (env) => {
    const t = secondsOfDay(env.now(), env.timeZone);
    return t >= begin && t <= end;
  };
}

function sinceCheck(parameter: string | undefined, last: (h: RuleHistory) => number | undefined): ConditionCheck {
  const windowMs = required(elapsedSeconds(parameter ?? ''), 'duration', parameter ?? '') * 1000;
  return (env, history) => {
    const at = last(history);
    if (at === undefined) return false;
    return windowMs === 0 || env.now().getTime() - at <= windowMs;
  };
}

/** random(p): true with probability p (0.5 when not given), p read as C's std::stod reads it. */
function randomCheck(parameter: string | undefined): ConditionCheck {
  const pTrue = parameter === undefined ? 0.5 : stodValue(parameter);
  return (env) => env.random() < pTrue;
}

function compileOne(condition: Condition, compileQuery: QueryCompiler): ConditionCheck {
  const kind = condition.kind;
  switch (kind) {
    case 'true':
      return () => true;
    case 'false':
      return () => false;
    case 'localtime':
      return localtimeCheck(condition.parameter ?? '');
    case 'rule-applied':
      return sinceCheck(condition.parameter, (h) => h.lastAppliedMs);
    case 'rule-evaluated':
      return sinceCheck(condition.parameter, (h) => h.lastEvaluatedMs);
    case 'random':
      return randomCheck(condition.parameter);
    case 'allowed-matches': {
      const matches = compileQuery(condition.parameter ?? '');
      return (env) => {
        for (const device of env.allowedDevices()) if (matches(device)) return true;
        return false;
      };
    }
    default:
      return assertNever(kind);
  }
}

/**
 * Compiles a rule's condition set. As in USBGuard: no conditions means met; `one-of` needs one
 * true, `none-of` none, and `all-of`, `equals` and `equals-ordered` all of them.
 */
export function compileConditions(set: ConditionSet | undefined, compileQuery: QueryCompiler): ConditionCheck | undefined {
  if (!set || set.conditions.length === 0) return undefined;
  const checks = set.conditions.map((c) => {
    const check = compileOne(c, compileQuery);
    return c.negated ? (env: ConditionEnvironment, h: RuleHistory) => !check(env, h) : check;
  });
  const op = set.operator ?? 'equals';
  switch (op) {
    case 'one-of':
      return (env, h) => checks.map((c) => c(env, h)).some(Boolean);
    case 'none-of':
      return (env, h) => !checks.map((c) => c(env, h)).some(Boolean);
    case 'all-of':
    case 'equals':
    case 'equals-ordered':
    case 'match-all':
      return (env, h) => checks.map((c) => c(env, h)).every(Boolean);
    default:
      return assertNever(op);
  }
}
