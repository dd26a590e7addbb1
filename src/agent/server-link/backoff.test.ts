import { Backoff, MAX_BACKOFF_MS } from './backoff';

describe('Backoff', () => {
  it('doubles from 1 s and never waits more than 60 s', () => {
    const backoff = new Backoff({ random: () => 0 });
    const delays = Array.from({ length: 10 }, () => backoff.next());
    expect(delays).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 32_000, 60_000, 60_000, 60_000, 60_000]);
    expect(MAX_BACKOFF_MS).toBe(60_000);
  });

  it('takes up to half of each delay off at random, so PCs do not all come back at once', () => {
    const low = new Backoff({ random: () => 0.999999 });
    expect([low.next(), low.next(), low.next()]).toEqual([500, 1_000, 2_000]);
    const many = new Backoff({ random: Math.random });
    for (let i = 0; i < 50; i += 1) {
      const delay = many.next();
      expect(delay).toBeGreaterThanOrEqual(Math.min(60_000, 1_000 * 2 ** i) / 2);
      expect(delay).toBeLessThanOrEqual(60_000);
    }
  });

  it('starts again from the first delay after a reset', () => {
    const backoff = new Backoff({ random: () => 0, initialMs: 200, maxMs: 1_000 });
    expect([backoff.next(), backoff.next(), backoff.next(), backoff.next()]).toEqual([200, 400, 800, 1_000]);
    backoff.reset();
    expect(backoff.next()).toBe(200);
  });

  it('refuses limits that make no sense', () => {
    expect(() => new Backoff({ initialMs: 0 })).toThrow(RangeError);
    expect(() => new Backoff({ initialMs: 5_000, maxMs: 1_000 })).toThrow(/initialMs <= maxMs/);
  });
});
