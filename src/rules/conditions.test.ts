import { compileConditions, type ConditionEnvironment, type RuleHistory } from './conditions';
import type { Condition, ConditionSet } from './rule';

const at = (iso: string, random = 0.5): ConditionEnvironment => ({
  now: () => new Date(iso),
  random: () => random,
  timeZone: 'Europe/London',
  allowedDevices: () => [],
});

const one = (condition: Condition, operator?: ConditionSet['operator']) =>
  compileConditions({ operator, conditions: [condition] }, () => () => false) as NonNullable<ReturnType<typeof compileConditions>>;

describe('conditions', () => {
  it('has no check when a rule has no conditions', () => {
    expect(compileConditions(undefined, () => () => false)).toBeUndefined();
  });

  it('localtime uses the school clock, British Summer Time included', () => {
    const lessons = one({ kind: 'localtime', negated: false, parameter: '08:30-15:30' });
    expect(lessons(at('2026-11-28T08:30:00Z'), {})).toBe(true); // GMT
    expect(lessons(at('2026-11-28T15:30:01Z'), {})).toBe(false);
    expect(lessons(at('2026-06-15T07:45:00Z'), {})).toBe(true); // 08:45 BST
    expect(lessons(at('2026-06-15T14:45:00Z'), {})).toBe(false); // 15:45 BST
  });

  it('localtime with one time holds for that second only', () => {
    const noon = one({ kind: 'localtime', negated: false, parameter: '12:00' });
    expect(noon(at('2026-11-28T12:00:00Z'), {})).toBe(true);
    expect(noon(at('2026-11-28T12:00:01Z'), {})).toBe(false);
  });

  it('refuses a time USBGuard would refuse', () => {
    expect(() => one({ kind: 'localtime', negated: false, parameter: '25:00' })).toThrow(/invalid time range/);
  });

  it('rule-applied and rule-evaluated look at the rule history, optionally within a window', () => {
    const now = Date.parse('2026-11-28T10:00:00Z');
    const recent: RuleHistory = { lastAppliedMs: now - 30_000, lastEvaluatedMs: now - 90_000 };
    expect(one({ kind: 'rule-applied', negated: false })(at('2026-11-28T10:00:00Z'), {})).toBe(false);
    expect(one({ kind: 'rule-applied', negated: false })(at('2026-11-28T10:00:00Z'), recent)).toBe(true);
    expect(one({ kind: 'rule-applied', negated: false, parameter: '00:01' })(at('2026-11-28T10:00:00Z'), recent)).toBe(true);
    expect(one({ kind: 'rule-evaluated', negated: false, parameter: '60' })(at('2026-11-28T10:00:00Z'), recent)).toBe(false);
  });

  it('random compares the injected random source with the probability (0.5 by default)', () => {
    expect(one({ kind: 'random', negated: false })(at('2026-11-28T10:00:00Z', 0.49), {})).toBe(true);
    expect(one({ kind: 'random', negated: false })(at('2026-11-28T10:00:00Z', 0.5), {})).toBe(false);
    expect(one({ kind: 'random', negated: false, parameter: '0.9' })(at('2026-11-28T10:00:00Z', 0.8), {})).toBe(true);
  });

  it('combines a set with its operator and honours negation', () => {
    const conditions: Condition[] = [
      { kind: 'true', negated: false },
      { kind: 'false', negated: false },
    ];
    const check = (operator: ConditionSet['operator']) => compileConditions({ operator, conditions }, () => () => false)?.(at('2026-11-28T10:00:00Z'), {});
    expect(check(undefined)).toBe(false);
    expect(check('all-of')).toBe(false);
    expect(check('one-of')).toBe(true);
    expect(check('none-of')).toBe(false);
    expect(one({ kind: 'false', negated: true })(at('2026-11-28T10:00:00Z'), {})).toBe(true);
  });

  it('reads parameters as USBGuard does: seconds durations, and a probability with trailing text', () => {
    const now = Date.parse('2026-11-28T10:00:00Z');
    expect(one({ kind: 'rule-applied', negated: false, parameter: '90' })(at('2026-11-28T10:00:00Z'), { lastAppliedMs: now - 89_000 })).toBe(true);
    expect(one({ kind: 'rule-applied', negated: false, parameter: '90' })(at('2026-11-28T10:00:00Z'), { lastAppliedMs: now - 91_000 })).toBe(false);
    expect(one({ kind: 'random', negated: false, parameter: '0.5abc' })(at('2026-11-28T10:00:00Z', 0.4), {})).toBe(true);
    expect(one({ kind: 'random', negated: false, parameter: '0.5abc' })(at('2026-11-28T10:00:00Z', 0.6), {})).toBe(false);
  });
});
