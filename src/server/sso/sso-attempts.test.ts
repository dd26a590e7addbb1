import { testClock } from '../../../test/support/console-server';
import { SsoAttempts } from './sso-attempts';

const attempt = (providerId: string) => ({ providerId, checks: { state: `state-${providerId}`, nonce: 'n', codeVerifier: 'v', redirectUri: 'https://console.example/sso/x/callback' } });

describe('SsoAttempts', () => {
  it('gives each attempt a random id, and each id once', () => {
    const attempts = new SsoAttempts({ clock: testClock() });
    const first = attempts.begin(attempt('google'));
    const second = attempts.begin(attempt('entra'));
    expect(first).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(second).not.toBe(first);
    expect(attempts.take(second)).toEqual(attempt('entra'));
    expect(attempts.take(second)).toBeUndefined();
    expect(attempts.take(first)).toEqual(attempt('google'));
    expect(attempts.take(undefined)).toBeUndefined();
    expect(attempts.take('../../etc/passwd')).toBeUndefined();
  });

  it('forgets an attempt 10 minutes after it began', () => {
    const clock = testClock();
    const attempts = new SsoAttempts({ clock });
    const quick = attempts.begin(attempt('a'));
    clock.advance(10 * 60_000 - 1);
    expect(attempts.take(quick)).toEqual(attempt('a'));
    const slow = attempts.begin(attempt('b'));
    clock.advance(10 * 60_000);
    expect(attempts.take(slow)).toBeUndefined();
  });

  it('drops the oldest attempts beyond the cap', () => {
    const attempts = new SsoAttempts({ clock: testClock(), maxPending: 2 });
    const [x, y, z] = [attempts.begin(attempt('x')), attempts.begin(attempt('y')), attempts.begin(attempt('z'))];
    expect([attempts.take(x), attempts.take(y), attempts.take(z)].map((found) => found?.providerId)).toEqual([undefined, 'y', 'z']);
  });
});
