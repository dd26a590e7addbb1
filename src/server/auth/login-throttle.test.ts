import fc from 'fast-check';
import { DEFAULT_LOGIN_THROTTLE_POLICY, describeWait, LoginThrottle, type LoginKey } from './login-throttle';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

function setup(policy = DEFAULT_LOGIN_THROTTLE_POLICY) {
  const clock = { now: 1_000_000 };
  const throttle = new LoginThrottle(() => clock.now, policy);
  return { clock, throttle };
}

const jane: LoginKey = { account: 'jane@harlow.sch.uk', address: '10.0.0.5' };

function failTimes(throttle: LoginThrottle, key: LoginKey, times: number): void {
  for (let i = 0; i < times; i += 1) throttle.failed(key);
}

describe('LoginThrottle: accounts', () => {
  it('locks an account for 15 minutes after 5 wrong passwords in a row', () => {
    const { clock, throttle } = setup();
    failTimes(throttle, jane, 4);
    expect(throttle.check(jane)).toEqual({ allowed: true });
    throttle.failed(jane);
    const verdict = throttle.check(jane);
    expect(verdict).toMatchObject({ allowed: false, reason: 'account-locked', retryAfterMs: 15 * MINUTE });
    expect(verdict.allowed === false && verdict.message).toBe('This account is locked after too many wrong passwords. Try again in 15 minutes, or ask another SLT member to unlock it.');
    clock.now += 15 * MINUTE - 1;
    expect(throttle.check(jane).allowed).toBe(false);
    clock.now += 1;
    expect(throttle.check(jane)).toEqual({ allowed: true });
  });

  it('locks for the account from any address, and whatever case the name is typed in', () => {
    const { throttle } = setup();
    failTimes(throttle, jane, 5);
    expect(throttle.check({ account: '  JANE@harlow.sch.uk', address: '10.0.0.9' })).toMatchObject({ allowed: false, reason: 'account-locked' });
    expect(throttle.check({ account: 'sam@harlow.sch.uk', address: '10.0.0.5' })).toEqual({ allowed: true });
  });

  it('doubles each further lock, up to 24 hours', () => {
    const { clock, throttle } = setup();
    const locks: number[] = [];
    for (let i = 0; i < 10; i += 1) {
      failTimes(throttle, jane, 5);
      const verdict = throttle.check(jane);
      if (verdict.allowed) throw new Error('expected a lock');
      locks.push(verdict.retryAfterMs / MINUTE);
      clock.now += verdict.retryAfterMs;
    }
    expect(locks).toEqual([15, 30, 60, 120, 240, 480, 960, 1440, 1440, 1440]);
  });

  it('a good login clears the failures and the lock level', () => {
    const { clock, throttle } = setup();
    failTimes(throttle, jane, 5);
    clock.now += 15 * MINUTE;
    failTimes(throttle, jane, 4);
    throttle.succeeded(jane);
    failTimes(throttle, jane, 4);
    expect(throttle.check(jane)).toEqual({ allowed: true });
    throttle.failed(jane);
    expect(throttle.check(jane)).toMatchObject({ retryAfterMs: 15 * MINUTE });
  });

  it('a failure reported while locked does not extend the lock', () => {
    const { clock, throttle } = setup();
    failTimes(throttle, jane, 5);
    clock.now += 10 * MINUTE;
    failTimes(throttle, jane, 7);
    expect(throttle.check(jane)).toMatchObject({ retryAfterMs: 5 * MINUTE });
  });

  it('forgets the lock level 24 hours after the last lock ends', () => {
    const { clock, throttle } = setup();
    failTimes(throttle, jane, 5);
    clock.now += 15 * MINUTE + 24 * HOUR - 1;
    failTimes(throttle, jane, 5);
    expect(throttle.check(jane)).toMatchObject({ retryAfterMs: 30 * MINUTE });
    clock.now += 30 * MINUTE + 24 * HOUR;
    failTimes(throttle, jane, 5);
    expect(throttle.check(jane)).toMatchObject({ retryAfterMs: 15 * MINUTE });
  });

  it('forgets old failures after 24 hours without one', () => {
    const { clock, throttle } = setup();
    failTimes(throttle, jane, 4);
    clock.now += 24 * HOUR + 1;
    throttle.failed(jane);
    expect(throttle.check(jane)).toEqual({ allowed: true });
  });

  it('unlock lifts a lock', () => {
    const { throttle } = setup();
    failTimes(throttle, jane, 5);
    throttle.unlock('Jane@Harlow.sch.uk');
    expect(throttle.check(jane)).toEqual({ allowed: true });
  });
});

describe('LoginThrottle: addresses', () => {
  const from = (address: string, n: number): LoginKey => ({ account: `user${n}@x.uk`, address });

  it('refuses an address after 20 failures within a minute, across accounts, until the window moves on', () => {
    const { clock, throttle } = setup();
    for (let i = 0; i < 20; i += 1) {
      expect(throttle.check(from('203.0.113.9', i)).allowed).toBe(true);
      throttle.failed(from('203.0.113.9', i));
      clock.now += 1000;
    }
    const verdict = throttle.check(from('203.0.113.9', 99));
    expect(verdict).toMatchObject({ allowed: false, reason: 'address-rate-limited', retryAfterMs: 40_000 });
    expect(verdict.allowed === false && verdict.message).toBe('Too many failed logins from this computer. Try again in 1 minute.');
    expect(throttle.check(from('203.0.113.10', 99))).toEqual({ allowed: true });
    clock.now += 40_000;
    expect(throttle.check(from('203.0.113.9', 99))).toEqual({ allowed: true });
  });

  it('does not count good logins, so a school behind one address is never locked out by them', () => {
    const { throttle } = setup();
    for (let i = 0; i < 100; i += 1) throttle.succeeded(from('198.51.100.1', i));
    expect(throttle.check(from('198.51.100.1', 0))).toEqual({ allowed: true });
  });

  it("a good login does not clear the address's failures", () => {
    const { throttle } = setup();
    for (let i = 0; i < 20; i += 1) throttle.failed(from('203.0.113.9', i));
    throttle.succeeded(from('203.0.113.9', 0));
    expect(throttle.check(from('203.0.113.9', 0))).toMatchObject({ reason: 'address-rate-limited' });
  });
});

describe('LoginThrottle: memory', () => {
  it('forgets stale entries as time passes', () => {
    const { clock, throttle } = setup();
    for (let i = 0; i < 1000; i += 1) throttle.failed({ account: `a${i}`, address: `10.1.${i >> 8}.${i & 255}` });
    expect(throttle.size()).toEqual({ accounts: 1000, addresses: 1000 });
    clock.now += 2 * MINUTE;
    throttle.check(jane);
    expect(throttle.size().addresses).toBe(0);
    clock.now += 24 * HOUR;
    throttle.check(jane);
    expect(throttle.size()).toEqual({ accounts: 0, addresses: 0 });
  });

  it('keeps a locked account until 24 hours after its lock ends', () => {
    const { clock, throttle } = setup();
    for (let lock = 0; lock < 8; lock += 1) {
      failTimes(throttle, jane, 5);
      const verdict = throttle.check(jane);
      clock.now += verdict.allowed ? 0 : verdict.retryAfterMs;
    }
    failTimes(throttle, jane, 5);
    clock.now += 24 * HOUR + 1;
    throttle.check(jane);
    expect(throttle.size().accounts).toBe(1);
    clock.now += 24 * HOUR;
    throttle.check(jane);
    expect(throttle.size().accounts).toBe(0);
  });

  it('property: never tracks more than maxTrackedKeys of each kind', () => {
    const policy = { ...DEFAULT_LOGIN_THROTTLE_POLICY, maxTrackedKeys: 16 };
    const op = fc.record({ account: fc.integer({ min: 0, max: 60 }), address: fc.integer({ min: 0, max: 60 }), advance: fc.integer({ min: 0, max: 5 * MINUTE }), good: fc.boolean() });
    fc.assert(fc.property(fc.array(op, { maxLength: 300 }), (ops) => {
      const { clock, throttle } = setup(policy);
      for (const { account, address, advance, good } of ops) {
        clock.now += advance;
        const key = { account: `u${account}`, address: `a${address}` };
        if (throttle.check(key).allowed) {
          if (good) throttle.succeeded(key);
          else throttle.failed(key);
        }
        const size = throttle.size();
        expect(size.accounts).toBeLessThanOrEqual(16);
        expect(size.addresses).toBeLessThanOrEqual(16);
      }
    }));
  });

  it('property: a caller that obeys check gets at most 5 wrong guesses before each lock', () => {
    fc.assert(fc.property(fc.array(fc.integer({ min: 0, max: 20 * MINUTE }), { minLength: 1, maxLength: 200 }), (gaps) => {
      const { clock, throttle } = setup();
      let sinceLock = 0;
      for (const gap of gaps) {
        clock.now += gap;
        const key = { account: 'target', address: `10.0.${gaps.length}.${clock.now % 250}` };
        if (!throttle.check(key).allowed) continue;
        throttle.failed(key);
        sinceLock += 1;
        if (sinceLock === 5) {
          expect(throttle.check(key)).toMatchObject({ allowed: false, reason: 'account-locked' });
          sinceLock = 0;
        }
      }
    }));
  });
});

describe('describeWait', () => {
  it('rounds up to minutes, then hours', () => {
    expect(describeWait(1)).toBe('1 minute');
    expect(describeWait(61_000)).toBe('2 minutes');
    expect(describeWait(119 * MINUTE)).toBe('119 minutes');
    expect(describeWait(24 * HOUR)).toBe('24 hours');
  });
});
