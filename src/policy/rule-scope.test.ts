import type { PolicyRuleEntry } from './policy-document';
import { describeExpiry, expiryInstant, machineNameMatches, ruleInForce, type MachineContext } from './rule-scope';

const here: MachineContext = { machine: 'ict-suite-07', user: 'jsmith', groups: ['staff', 'science'] };
const before = new Date('2026-06-01T12:00:00Z');

function entry(extra: Partial<PolicyRuleEntry> = {}): PolicyRuleEntry {
  return { id: 'r1', rule: 'allow id 0781:5567', ...extra };
}

describe('machineNameMatches', () => {
  it.each([
    ['ICT-SUITE-*', 'ict-suite-07', true],
    ['ICT-SUITE-*', 'ICT-SUITE-', true],
    ['ICT-SUITE-*', 'LIBRARY-01', false],
    ['ICT-SUITE-*', 'X-ICT-SUITE-01', false],
    ['*-07', 'ICT-SUITE-07', true],
    ['ICT-*-07', 'ict-suite-07', true],
    ['*', 'anything', true],
    ['LIBRARY-01', 'library-01', true],
    ['LIBRARY-01', 'LIBRARY-011', false],
    ['LIB.ARY', 'LIBXARY', false],
    ['ROOM(1)', 'room(1)', true],
  ])('%s against %s: %s', (pattern, machine, matches) => {
    expect(machineNameMatches(pattern, machine)).toBe(matches);
  });
});

describe('expiry', () => {
  it('a plain date runs to the end of that day, UTC', () => {
    expect(expiryInstant('2026-07-22').toISOString()).toBe('2026-07-23T00:00:00.000Z');
    expect(ruleInForce(entry({ expires: '2026-07-22' }), here, new Date('2026-07-22T23:59:59.999Z'))).toEqual({ inForce: true });
    expect(ruleInForce(entry({ expires: '2026-07-22' }), here, new Date('2026-07-23T00:00:00Z'))).toEqual({ inForce: false, why: 'expired on 2026-07-22' });
  });

  it('a date-time expires at that very instant, offsets honoured', () => {
    const expires = '2026-07-22T16:00:00+01:00';
    expect(ruleInForce(entry({ expires }), here, new Date('2026-07-22T14:59:59.999Z'))).toEqual({ inForce: true });
    expect(ruleInForce(entry({ expires }), here, new Date('2026-07-22T15:00:00Z'))).toEqual({ inForce: false, why: 'expired on 2026-07-22 at 16:00 (UTC+01:00)' });
  });

  it('describes expiry as written', () => {
    expect(describeExpiry('2026-07-22')).toBe('2026-07-22');
    expect(describeExpiry('2026-07-22T15:30:00Z')).toBe('2026-07-22 at 15:30 (UTC)');
    expect(describeExpiry('2026-12-18T12:00:00.000-05:00')).toBe('2026-12-18 at 12:00 (UTC-05:00)');
  });

  it('a rule with no expiry never expires', () => {
    expect(ruleInForce(entry(), here, new Date('2099-01-01T00:00:00Z'))).toEqual({ inForce: true });
  });
});

describe('scope', () => {
  it('no scope means every machine and user, even with nobody logged on', () => {
    expect(ruleInForce(entry(), { machine: 'X', groups: [] }, before)).toEqual({ inForce: true });
  });

  it('machines: case-insensitive, with wildcards', () => {
    expect(ruleInForce(entry({ scope: { machines: ['LIBRARY-01', 'ICT-SUITE-*'] } }), here, before)).toEqual({ inForce: true });
    expect(ruleInForce(entry({ scope: { machines: ['LIBRARY-*', 'STAFF-01'] } }), here, before)).toEqual({
      inForce: false,
      why: 'only for machines LIBRARY-*, STAFF-01, not ict-suite-07',
    });
  });

  it('users: the current user must be listed; with no user known the rule is not in force', () => {
    expect(ruleInForce(entry({ scope: { users: ['jsmith', 'akhan'] } }), here, before)).toEqual({ inForce: true });
    expect(ruleInForce(entry({ scope: { users: ['akhan'] } }), here, before)).toEqual({ inForce: false, why: 'only for users akhan, not jsmith' });
    expect(ruleInForce(entry({ scope: { users: ['jsmith'] } }), { machine: 'ict-suite-07', groups: [] }, before)).toEqual({
      inForce: false,
      why: 'only for users jsmith, and no user is logged on',
    });
  });

  it('groups: in force when the lists share a group', () => {
    expect(ruleInForce(entry({ scope: { groups: ['exams', 'science'] } }), here, before)).toEqual({ inForce: true });
    expect(ruleInForce(entry({ scope: { groups: ['exams'] } }), here, before)).toEqual({
      inForce: false,
      why: 'only for groups exams, and neither this machine nor its user is in any of them',
    });
  });

  it('every list present must take this context in', () => {
    const scoped = entry({ scope: { machines: ['ICT-SUITE-*'], users: ['jsmith'], groups: ['staff'] } });
    expect(ruleInForce(scoped, here, before)).toEqual({ inForce: true });
    expect(ruleInForce(scoped, { ...here, groups: ['students'] }, before).inForce).toBe(false);
    expect(ruleInForce(scoped, { ...here, machine: 'LIBRARY-01' }, before).inForce).toBe(false);
  });

  it('expiry is reported before scope', () => {
    const both = entry({ expires: '2026-01-01', scope: { machines: ['ELSEWHERE'] } });
    expect(ruleInForce(both, here, before)).toEqual({ inForce: false, why: 'expired on 2026-01-01' });
  });
});
