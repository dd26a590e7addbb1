import fc from 'fast-check';
import { RuleSet, type RuleEntry } from './rule-set';
import type { ConditionEnvironment } from './conditions';
import type { MatchableDevice } from './device-match';
import type { Rule, RuleAttribute, SetOperator } from './rule';

const env = (overrides: Partial<ConditionEnvironment> = {}): ConditionEnvironment => ({
  now: () => new Date('2026-11-28T10:00:00Z'),
  random: () => 0.25,
  timeZone: 'Europe/London',
  allowedDevices: () => [],
  ...overrides,
});

const stick: MatchableDevice = {
  id: { vendor: '0781', product: '5581' },
  serial: 'AA01',
  name: 'Ultra',
  hash: 'H1',
  parentHash: 'P1',
  viaPort: '1-2',
  interfaces: [{ classCode: 8, subclass: 6, protocol: 0x50 }],
  connectType: 'hotplug',
};

const entries = (rules: Rule[]): RuleEntry<number>[] => rules.map((rule, i) => ({ rule, text: `rule ${i}`, meta: i }));

describe('RuleSet', () => {
  it('falls back to the implicit target when no rule applies', () => {
    const set = new RuleSet(entries([{ target: 'allow', id: { operator: undefined, values: [{ vendor: '046d', product: '*' }] } }]), 'block', () => () => false);
    expect(set.decide(stick, env())).toEqual({ target: 'block' });
  });

  it('lets the first applicable rule win', () => {
    const set = new RuleSet(
      entries([
        { target: 'block', withInterface: { operator: 'one-of', values: [{ classCode: '03', subclass: '*', protocol: '*' }] } },
        { target: 'allow', serial: { operator: undefined, values: ['AA01'] } },
        { target: 'reject' },
      ]),
      'block',
      () => () => false,
    );
    expect(set.decide(stick, env())).toMatchObject({ target: 'allow', position: 1, entry: { meta: 1 } });
  });

  it('skips match rules: they never decide a device', () => {
    const set = new RuleSet(entries([{ target: 'match' }, { target: 'reject' }]), 'allow', () => () => false);
    expect(set.decide(stick, env())).toMatchObject({ target: 'reject', position: 1 });
  });

  it('moves on when a rule matches but its conditions do not hold', () => {
    const set = new RuleSet(
      entries([
        { target: 'allow', conditions: { operator: undefined, conditions: [{ kind: 'localtime', negated: false, parameter: '08:00-09:00' }] } },
        { target: 'block', conditions: { operator: undefined, conditions: [{ kind: 'random', negated: true, parameter: '0.1' }] } },
      ]),
      'allow',
      () => () => false,
    );
    // 10:00 UTC is 10:00 in London in November: outside 08:00-09:00; random 0.25 < 0.1 is false, negated true.
    expect(set.decide(stick, env())).toMatchObject({ target: 'block', position: 1 });
  });

  it('counts rule-applied only once the rule has decided a device', () => {
    const set = new RuleSet(
      entries([
        { target: 'block', serial: { operator: undefined, values: ['AA01'] }, conditions: { operator: undefined, conditions: [{ kind: 'rule-applied', negated: true }] } },
      ]),
      'allow',
      () => () => false,
    );
    expect(set.decide(stick, env()).target).toBe('block');
    expect(set.decide(stick, env()).target).toBe('allow');
  });

  it('evaluates allowed-matches against the allowed devices', () => {
    const keyboardPresent = { ...stick, id: { vendor: '046d', product: 'c31c' } };
    const set = new RuleSet(
      entries([{ target: 'allow', conditions: { operator: undefined, conditions: [{ kind: 'allowed-matches', negated: false, parameter: 'id 046d:c31c' }] } }]),
      'block',
      (query) => (device) => query === 'id 046d:c31c' && device.id.product === 'c31c',
    );
    expect(set.decide(stick, env()).target).toBe('block');
    expect(set.decide(stick, env({ allowedDevices: () => [keyboardPresent] })).target).toBe('allow');
  });
});

// Index versus scan: the index may only skip rules that cannot apply.
const vendors = ['0781', '046d', '*'];
const products = ['5581', 'c31c', '*'];
const serials = ['AA01', 'BB02', ''];
const operators: (SetOperator | undefined)[] = [undefined, 'equals', 'equals-ordered', 'one-of', 'all-of', 'none-of', 'match-all'];

function attribute<T>(value: fc.Arbitrary<T>): fc.Arbitrary<RuleAttribute<T> | undefined> {
  return fc.option(fc.record({ operator: fc.constantFrom(...operators), values: fc.array(value, { maxLength: 3 }) }), { nil: undefined });
}

const ruleArb: fc.Arbitrary<Rule> = fc.record({
  target: fc.constantFrom('allow' as const, 'block' as const, 'reject' as const, 'match' as const),
  id: attribute(fc.record({ vendor: fc.constantFrom(...vendors), product: fc.constantFrom(...products) })),
  serial: attribute(fc.constantFrom(...serials)),
  withInterface: attribute(fc.record({ classCode: fc.constantFrom('08', '03'), subclass: fc.constantFrom('*', '01', '06'), protocol: fc.constantFrom('*', '01', '50') })),
});

const deviceArb: fc.Arbitrary<MatchableDevice> = fc.record({
  id: fc.record({ vendor: fc.constantFrom('0781', '046d'), product: fc.constantFrom('5581', 'c31c') }),
  serial: fc.constantFrom(...serials),
  name: fc.constant('x'),
  hash: fc.constant('h'),
  parentHash: fc.constant('p'),
  viaPort: fc.constant('1-1'),
  interfaces: fc.array(fc.record({ classCode: fc.constantFrom(8, 3), subclass: fc.constantFrom(1, 6), protocol: fc.constantFrom(1, 0x50) }), { maxLength: 3 }),
  connectType: fc.constant('hotplug'),
});

describe('RuleIndex', () => {
  it('decides exactly as an in-order scan of every rule', () => {
    fc.assert(
      fc.property(fc.array(ruleArb, { maxLength: 25 }), fc.array(deviceArb, { minLength: 1, maxLength: 5 }), (rules, devices) => {
        const indexed = new RuleSet(entries(rules), 'block', () => () => false);
        const scanned = new RuleSet(entries(rules), 'block', () => () => false);
        for (const device of devices) expect(indexed.decide(device, env())).toEqual(scanned.decideByScan(device, env()));
      }),
      { numRuns: 2000 },
    );
  });
});
