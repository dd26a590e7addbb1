import { DEFAULT_IDLE_POLICY, parseIdlePolicy, resolveIdleSettings, type IdlePolicy } from './idle-policy';
import type { MachineContext } from '../policy/rule-scope';

function parsed(value: unknown): IdlePolicy {
  const result = parseIdlePolicy(value, 'idle.json');
  if (!result.ok) throw new Error(result.error);
  return result.value;
}

function errorFor(value: unknown): string {
  const result = parseIdlePolicy(value, 'idle.json');
  if (result.ok) throw new Error('expected the idle policy to be refused');
  return result.error;
}

const here: MachineContext = { machine: 'ICT-SUITE-04', user: 'alice', groups: ['STAFF'] };

describe('idlePolicySchema', () => {
  it('fills the school defaults: lock after 5m, log off 30m after the lock, warn for 60s, present for up to 60m', () => {
    expect(parsed({})).toEqual({ lockAfter: 300_000, logoffAfter: 1_800_000, warnFor: 60_000, presentingLimit: 3_600_000, exemptUsers: [], exemptGroups: [], overrides: [] });
    expect(DEFAULT_IDLE_POLICY).toEqual(parsed({}));
  });

  it('reads every field', () => {
    const policy = parsed({
      lockAfter: '10m',
      logoffAfter: 'never',
      warnFor: '0s',
      presentingLimit: '0s',
      exemptUsers: ['head'],
      exemptGroups: ['SLT'],
      overrides: [{ scope: { machines: ['HALL-*'] }, lockAfter: '1h', presentingLimit: '2h' }],
    });
    expect(policy).toEqual({
      lockAfter: 600_000,
      logoffAfter: 'never',
      warnFor: 0,
      presentingLimit: 0,
      exemptUsers: ['head'],
      exemptGroups: ['SLT'],
      overrides: [{ scope: { machines: ['HALL-*'] }, lockAfter: 3_600_000, presentingLimit: 7_200_000 }],
    });
  });

  it.each([
    [{ lockAfter: '5 minutes' }, 'idle.json: lockAfter: expected a duration such as "5m" or "90s"'],
    [{ lockAfter: 300 }, 'idle.json: lockAfter: expected a duration such as "5m" or "90s"'],
    [{ lockAfter: '0s' }, 'idle.json: lockAfter: expected at least 1s'],
    [{ lockAfter: '25h' }, 'idle.json: lockAfter: expected at most 24h'],
    [{ logoffAfter: 'later' }, 'idle.json: logoffAfter: expected a duration such as "30m" or "8h", or "never"'],
    [{ logoffAfter: '169h' }, 'idle.json: logoffAfter: expected at most 168h'],
    [{ logoffAfter: '0s' }, 'idle.json: logoffAfter: expected at least 1s'],
    [{ warnFor: '2h' }, 'idle.json: warnFor: expected at most 1h'],
    [{ presentingLimit: '13h' }, 'idle.json: presentingLimit: expected at most 12h'],
    [{ exemptUsers: 'head' }, 'idle.json: exemptUsers: expected an array, got a string'],
    [{ exemptGroups: [''] }, 'idle.json: exemptGroups[0]: expected a group name, not an empty string'],
    [{ lockafter: '5m' }, 'idle.json: unknown field "lockafter"'],
    [{ overrides: [{ lockAfter: '1m' }] }, 'idle.json: overrides[0].scope: required, but missing'],
    [{ overrides: [{ scope: {}, lockAfter: '2m' }] }, 'idle.json: overrides[0].scope: expected at least one of machines, groups and users'],
    [{ overrides: [{ scope: { rooms: ['HALL'] }, lockAfter: '2m' }] }, 'idle.json: overrides[0].scope: unknown field "rooms"\nidle.json: overrides[0].scope: expected at least one of machines, groups and users'],
    [{ overrides: [{ scope: { users: [] }, lockAfter: '2m' }] }, 'idle.json: overrides[0].scope.users: expected at least one user name (leave the list out to mean any)'],
    [{ overrides: [{ scope: { users: ['bob'] } }] }, 'idle.json: overrides[0]: expected at least one of lockAfter, logoffAfter, warnFor and presentingLimit'],
    [{ overrides: [{ scope: { users: ['bob'] }, lockAfter: '2m', exemptUsers: ['bob'] }] }, 'idle.json: overrides[0]: unknown field "exemptUsers"'],
    [{ overrides: [{ scope: { users: ['bob'] }, lockAfter: '1x' }] }, 'idle.json: overrides[0].lockAfter: expected a duration such as "5m" or "90s"'],
  ])('refuses %j naming the field', (value, message) => {
    expect(errorFor(value)).toBe(message);
  });

  it('refuses a value that is not an object', () => {
    expect(errorFor('5m')).toBe('idle.json: expected an object, got a string');
  });

  describe('the warning fits before each action', () => {
    it.each([
      [{ lockAfter: '1m', warnFor: '2m' }, 'idle.json: warnFor: warnFor (2m) must be shorter than lockAfter (1m)'],
      [{ lockAfter: '1m' }, 'idle.json: warnFor: warnFor (1m) must be shorter than lockAfter (1m)'],
      [{ logoffAfter: '30s' }, 'idle.json: warnFor: warnFor (1m) must be shorter than logoffAfter (30s)'],
      [{ lockAfter: '10m', warnFor: '5m', logoffAfter: '5m' }, 'idle.json: warnFor: warnFor (5m) must be shorter than logoffAfter (5m)'],
    ])('in the policy: %j', (value, message) => {
      expect(errorFor(value)).toBe(message);
    });

    it('accepts a warning of 0s, and any warning when there is never a logoff', () => {
      expect(parsed({ lockAfter: '1s', warnFor: '0s', logoffAfter: '1s' }).warnFor).toBe(0);
      expect(parsed({ lockAfter: '2h', warnFor: '1h', logoffAfter: 'never' }).warnFor).toBe(3_600_000);
    });

    it.each([
      [{ overrides: [{ scope: { users: ['a'] }, lockAfter: '1m' }] }, 'idle.json: overrides[0].warnFor: warnFor (1m, from the policy) must be shorter than lockAfter (1m)'],
      [
        { overrides: [{ scope: { users: ['a'] }, lockAfter: '2m' }, { scope: { users: ['b'] }, warnFor: '10m' }] },
        'idle.json: overrides[1].warnFor: warnFor (10m) must be shorter than lockAfter (5m, from the policy)',
      ],
      [
        { lockAfter: '1h', overrides: [{ scope: { groups: ['G'] }, warnFor: '40m' }] },
        'idle.json: overrides[0].warnFor: warnFor (40m) must be shorter than logoffAfter (30m, from the policy)',
      ],
      [{ overrides: [{ scope: { groups: ['G'] }, logoffAfter: '45s' }] }, 'idle.json: overrides[0].warnFor: warnFor (1m, from the policy) must be shorter than logoffAfter (45s)'],
    ])('in each override merged with the policy: %j', (value, message) => {
      expect(errorFor(value)).toBe(message);
    });

    it('reports the policy and each override, one line each', () => {
      const error = errorFor({ lockAfter: '30s', overrides: [{ scope: { users: ['a'] }, lockAfter: '20s' }, { scope: { users: ['b'] }, presentingLimit: '0s' }] });
      expect(error.split('\n')).toEqual([
        'idle.json: warnFor: warnFor (1m) must be shorter than lockAfter (30s)',
        'idle.json: overrides[0].warnFor: warnFor (1m, from the policy) must be shorter than lockAfter (20s)',
      ]);
    });

    it('accepts an override that fixes what it changes', () => {
      expect(parsed({ overrides: [{ scope: { users: ['a'] }, lockAfter: '30s', warnFor: '10s' }] }).overrides).toHaveLength(1);
    });
  });
});

describe('resolveIdleSettings', () => {
  it('gives the defaults when there is no idle policy', () => {
    expect(resolveIdleSettings(undefined, here)).toEqual({
      lockAfterMs: 300_000,
      logoffAfterMs: 1_800_000,
      warnForMs: 60_000,
      presentingLimitMs: 3_600_000,
      exemptBecause: undefined,
      source: 'defaults',
    });
  });

  it("gives the policy's own values when no override applies, and never as undefined", () => {
    const settings = resolveIdleSettings(parsed({ lockAfter: '10m', logoffAfter: 'never', overrides: [{ scope: { machines: ['HALL-*'] }, lockAfter: '1h' }] }), here);
    expect(settings).toMatchObject({ lockAfterMs: 600_000, logoffAfterMs: undefined, source: 'policy' });
  });

  it('takes the first override whose scope matches, over the policy', () => {
    const policy = parsed({
      lockAfter: '10m',
      overrides: [
        { scope: { machines: ['HALL-*'] }, lockAfter: '1h' },
        { scope: { machines: ['ict-suite-*'], users: ['alice'] }, lockAfter: '2m', logoffAfter: 'never' },
        { scope: { groups: ['STAFF'] }, lockAfter: '3m', presentingLimit: '0s' },
      ],
    });
    expect(resolveIdleSettings(policy, here)).toEqual({
      lockAfterMs: 120_000,
      logoffAfterMs: undefined,
      warnForMs: 60_000,
      presentingLimitMs: 3_600_000,
      exemptBecause: undefined,
      source: 'overrides[1]',
    });
    expect(resolveIdleSettings(policy, { ...here, user: 'bob' })).toMatchObject({ lockAfterMs: 180_000, presentingLimitMs: 0, source: 'overrides[2]' });
    expect(resolveIdleSettings(policy, { machine: 'HALL-1', groups: [] })).toMatchObject({ lockAfterMs: 3_600_000, source: 'overrides[0]' });
  });

  it('says why a user is exempt: by name first, then by group of the user or the machine', () => {
    const policy = parsed({ exemptUsers: ['alice'], exemptGroups: ['SLT', 'KIOSKS'] });
    expect(resolveIdleSettings(policy, here).exemptBecause).toBe('user alice is in exemptUsers');
    expect(resolveIdleSettings(policy, { machine: 'M', user: 'bob', groups: ['STAFF', 'SLT'] }).exemptBecause).toBe('group SLT is in exemptGroups');
    expect(resolveIdleSettings(policy, { machine: 'M', groups: ['KIOSKS'] }).exemptBecause).toBe('group KIOSKS is in exemptGroups');
    expect(resolveIdleSettings(policy, { machine: 'M', user: 'Alice', groups: ['slt'] }).exemptBecause).toBeUndefined();
  });
});
