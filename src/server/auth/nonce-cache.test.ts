import { NonceCache } from './nonce-cache';

function setup(maxEntries = 1000) {
  const clock = { now: 0 };
  return { clock, cache: new NonceCache(() => clock.now, { ttlMs: 600_000, maxEntries }) };
}

describe('NonceCache', () => {
  it('reports a nonce as seen the second time, per scope', () => {
    const { cache } = setup();
    expect(cache.seen('n1', 'agt_a')).toBe(false);
    expect(cache.seen('n1', 'agt_a')).toBe(true);
    expect(cache.seen('n1', 'agt_b')).toBe(false);
    expect(cache.seen('n2', 'agt_a')).toBe(false);
  });

  it('forgets nonces after the ttl, and frees their memory', () => {
    const { clock, cache } = setup();
    for (let i = 0; i < 100; i += 1) cache.seen(`n${i}`);
    clock.now = 599_999;
    expect(cache.seen('n0')).toBe(true);
    clock.now = 600_000;
    expect(cache.seen('n1')).toBe(false);
    expect(cache.size()).toBe(1);
  });

  it('fails closed when full: new nonces count as seen until old ones expire', () => {
    const { clock, cache } = setup(3);
    expect([cache.seen('a'), cache.seen('b'), cache.seen('c')]).toEqual([false, false, false]);
    expect(cache.seen('d')).toBe(true);
    clock.now = 600_000;
    expect(cache.seen('d')).toBe(false);
  });
});
