import fc from 'fast-check';
import { CROCKFORD_ALPHABET } from './crockford-base32';
import {
  createOfflineSecret, issueOfflineCode, MAX_OFFLINE_CODE_COUNTER, OFFLINE_CODE_EPOCH_MS, UsedOfflineCodes, verifyOfflineCode, type OfflineCodeBinding,
} from './offline-codes';

const HOUR = 60 * 60_000;
const NOW = Date.UTC(2026, 2, 2, 9, 20);
const BINDING: OfflineCodeBinding = { secret: Buffer.alloc(32, 9), deviceHash: 'Z8nXmA0lqS3Dq8TcGxYwHnYh4y7kTqFzP1xMv9e2Wb4=', machineName: 'IT-SUITE-07' };

function issue(over: Partial<Parameters<typeof issueOfflineCode>[0]> = {}) {
  return issueOfflineCode({ ...BINDING, expiresAt: NOW + 2 * HOUR, counter: 41, now: NOW, ...over });
}

function verify(code: string, over: Partial<Parameters<typeof verifyOfflineCode>[0]> = {}) {
  return verifyOfflineCode({ ...BINDING, code, now: NOW, used: new UsedOfflineCodes(), ...over });
}

describe('issueOfflineCode', () => {
  it('makes 16 base32 symbols in groups of 4, expiring on a whole hour', () => {
    const issued = issue();
    expect(issued.code).toMatch(/^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}$/);
    expect(issued.expiresAt).toBe(Date.UTC(2026, 2, 2, 12, 0));
    expect(issued.counter).toBe(41);
    expect(issue().code).toBe(issued.code);
  });

  it('refuses what it cannot encode or should not issue', () => {
    expect(() => issue({ counter: -1 })).toThrow('counter');
    expect(() => issue({ counter: MAX_OFFLINE_CODE_COUNTER + 1 })).toThrow('counter');
    expect(() => issue({ counter: 1.5 })).toThrow('counter');
    expect(() => issue({ expiresAt: NOW })).toThrow('must expire after it is issued');
    expect(() => issue({ expiresAt: NOW + 367 * 24 * HOUR })).toThrow('at most 366 days');
    expect(() => issue({ now: OFFLINE_CODE_EPOCH_MS - 10 * HOUR, expiresAt: OFFLINE_CODE_EPOCH_MS - 2 * HOUR })).toThrow('2025 to 2054');
    expect(() => issue({ secret: Buffer.alloc(8) })).toThrow('at least 16 bytes');
    expect(() => issue({ deviceHash: '' })).toThrow('device hash');
    expect(() => issue({ machineName: ' ' })).toThrow('machine name');
  });

  it('makes a 32-byte secret per agent', () => {
    expect(createOfflineSecret()).toHaveLength(32);
    expect(createOfflineSecret((size) => Buffer.alloc(size, 3))).toEqual(Buffer.alloc(32, 3));
  });
});

describe('verifyOfflineCode', () => {
  it('accepts a code once, on the PC and device it was issued for', () => {
    const { code, expiresAt } = issue();
    const used = new UsedOfflineCodes();
    expect(verify(code, { used })).toEqual({ ok: true, counter: 41, expiresAt });
    expect(verify(code, { used })).toMatchObject({ ok: false, reason: 'already-used' });
    expect(used.entries()).toEqual([[41, expiresAt]]);
  });

  it('forgives how the code is typed', () => {
    const { code } = issue({ counter: 0 });
    const sloppy = code.toLowerCase().replaceAll('-', ' ').replaceAll('0', 'o').replaceAll('1', 'l');
    expect(verify(sloppy).ok).toBe(true);
    expect(verify(code.replaceAll('-', '')).ok).toBe(true);
    expect(verify(` ${code} `).ok).toBe(true);
    expect(verify(code, { machineName: 'it-suite-07' }).ok).toBe(true);
  });

  it('refuses what is not a code', () => {
    const { code } = issue();
    for (const typed of ['', code.slice(0, -1), `${code}A`, code.replace(/.$/, 'U'), code.replace(/.$/, '*')]) {
      expect(verify(typed)).toMatchObject({ ok: false, reason: 'malformed' });
    }
  });

  it('refuses a code for another device, PC or agent secret', () => {
    const { code } = issue();
    expect(verify(code, { deviceHash: 'f<A^w5kG' })).toMatchObject({ ok: false, reason: 'wrong-code' });
    expect(verify(code, { machineName: 'IT-SUITE-08' })).toMatchObject({ ok: false, reason: 'wrong-code' });
    expect(verify(code, { secret: Buffer.alloc(32, 8) })).toMatchObject({ ok: false, reason: 'wrong-code' });
  });

  it('refuses a code from its expiry on', () => {
    const { code, expiresAt } = issue();
    expect(verify(code, { now: expiresAt - 1 }).ok).toBe(true);
    const late = verify(code, { now: expiresAt });
    expect(late).toMatchObject({ ok: false, reason: 'expired' });
    expect(late.ok === false && late.message).toBe('this code expired at 2026-03-02T12:00:00.000Z; ask SLT for a new one');
  });

  it('checks the secret it is given', () => {
    expect(() => verify('AAAA-AAAA-AAAA-AAAA', { secret: Buffer.alloc(4) })).toThrow('at least 16 bytes');
  });
});

describe('UsedOfflineCodes', () => {
  it('can be saved, restored and pruned', () => {
    const used = new UsedOfflineCodes([[1, 100], [2, 200]]);
    expect(used.has(1)).toBe(true);
    used.prune(100);
    expect(used.entries()).toEqual([[2, 200]]);
    expect(new UsedOfflineCodes(used.entries()).has(2)).toBe(true);
  });
});

describe('offline code properties', () => {
  const machine = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._-]{0,30}$/);
  const deviceHash = fc.string({ minLength: 1, maxLength: 60 });
  const secret = fc.uint8Array({ minLength: 32, maxLength: 32 });
  const counter = fc.integer({ min: 0, max: MAX_OFFLINE_CODE_COUNTER });
  const validFor = fc.integer({ min: 1, max: 30 * 24 * HOUR });
  const issuedAt = fc.integer({ min: Date.UTC(2025, 0, 1), max: Date.UTC(2050, 0, 1) });

  it('round trip: a code is accepted from issue until its expiry, and not after', () => {
    fc.assert(fc.property(secret, deviceHash, machine, counter, issuedAt, validFor, fc.double({ min: 0, max: 1, noNaN: true }), (key, hash, name, n, now, ttl, at) => {
      const binding = { secret: key, deviceHash: hash, machineName: name };
      const issued = issueOfflineCode({ ...binding, counter: n, now, expiresAt: now + ttl });
      expect(issued.expiresAt).toBeGreaterThanOrEqual(now + ttl);
      expect(issued.expiresAt - (now + ttl)).toBeLessThan(HOUR);
      const when = Math.min(issued.expiresAt - 1, now + Math.floor(at * (issued.expiresAt - now)));
      expect(verifyOfflineCode({ ...binding, code: issued.code, now: when, used: new UsedOfflineCodes() })).toEqual({ ok: true, counter: n, expiresAt: issued.expiresAt });
      expect(verifyOfflineCode({ ...binding, code: issued.code, now: issued.expiresAt, used: new UsedOfflineCodes() })).toMatchObject({ ok: false, reason: 'expired' });
    }));
  });

  it('any single-character change is refused', () => {
    const symbolAt = fc.integer({ min: 0, max: 15 });
    fc.assert(fc.property(secret, deviceHash, machine, counter, symbolAt, fc.integer({ min: 1, max: 31 }), (key, hash, name, n, position, shift) => {
      const binding = { secret: key, deviceHash: hash, machineName: name };
      const { code } = issueOfflineCode({ ...binding, counter: n, now: NOW, expiresAt: NOW + 24 * HOUR });
      const symbols = code.replaceAll('-', '').split('');
      const value = CROCKFORD_ALPHABET.indexOf(symbols[position] ?? '');
      symbols[position] = CROCKFORD_ALPHABET[(value + shift) % 32] ?? '';
      const result = verifyOfflineCode({ ...binding, code: symbols.join(''), now: NOW, used: new UsedOfflineCodes() });
      expect(result).toMatchObject({ ok: false, reason: 'wrong-code' });
    }), { numRuns: 500 });
  });

  it('a code for another device or another PC is refused', () => {
    fc.assert(fc.property(secret, deviceHash, deviceHash, machine, machine, counter, (key, hash, otherHash, name, otherName, n) => {
      fc.pre(hash !== otherHash && name.toLowerCase() !== otherName.toLowerCase());
      const { code } = issueOfflineCode({ secret: key, deviceHash: hash, machineName: name, counter: n, now: NOW, expiresAt: NOW + HOUR });
      const check = (deviceHashHere: string, machineHere: string) => verifyOfflineCode({ secret: key, deviceHash: deviceHashHere, machineName: machineHere, code, now: NOW, used: new UsedOfflineCodes() });
      expect(check(otherHash, name)).toMatchObject({ ok: false, reason: 'wrong-code' });
      expect(check(hash, otherName)).toMatchObject({ ok: false, reason: 'wrong-code' });
      expect(check(otherHash, otherName)).toMatchObject({ ok: false, reason: 'wrong-code' });
    }));
  });
});
