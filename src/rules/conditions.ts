/** Rule conditions (`if ...`): evaluated with an injected clock, random source and device view. */
import type { Condition, ConditionSet } from './rule';
import type { MatchableDevice } from './device-match';
import { assertNever } from '../util/assert-never';

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

/** `HH:MM[:SS]` to seconds since midnight. */
export function parseDaytime(text: string): number {
  const match = /^(\d{1,2}):(\d{1,2})(?::(\d{1,2}))?$/.exec(text.trim());
  if (!match) throw new Error(`invalid time '${text}': expected HH:MM or HH:MM:SS`);
  const [hours, minutes, seconds] = [Number(match[1]), Number(match[2]), Number(match[3] ?? 0)];
  if (hours > 23 || minutes > 59 || seconds > 60) throw new Error(`invalid time '${text}'`);
  return hours * 3600 + minutes * 60 + seconds;
}

/** `HH:MM:SS`, `HH:MM` or plain seconds, as USBGuard's rule-applied/rule-evaluated accept. */
export function parsePastDuration(text: string): number {
  if (text.includes(':')) return parseDaytime(text);
  const digits = /^\d+/.exec(text.trim());
  if (!digits) throw new Error(`invalid duration '${text}': expected HH:MM:SS, HH:MM or seconds`);
  return Number(digits[0]);
}

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

function localtimeCheck(range: string): ConditionCheck {
  const [beginText, endText] = range.split('-', 2);
  const begin = parseDaytime(beginText ?? '');
  const end = endText === undefined ? begin : parseDaytime(endText);
  if (begin > end) throw new Error(`invalid time range '${range}': begin is after end`);
  return (env) => {
    const t = secondsOfDay(env.now(), env.timeZone);
    return t >= begin && t <= end;
  };
}

function sinceCheck(parameter: string | undefined, last: (h: RuleHistory) => number | undefined): ConditionCheck {
  const windowMs = parameter === undefined || parameter === '' ? 0 : parsePastDuration(parameter) * 1000;
  return (env, history) => {
    const at = last(history);
    if (at === undefined) return false;
    return windowMs === 0 || env.now().getTime() - at <= windowMs;
  };
}

function randomCheck(parameter: string | undefined): ConditionCheck {
  const pTrue = parameter === undefined || parameter === '' ? 0.5 : Number(parameter);
  if (!Number.isFinite(pTrue)) throw new Error(`invalid probability '${parameter}'`);
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
