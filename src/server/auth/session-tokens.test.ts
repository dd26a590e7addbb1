import { createHash } from 'node:crypto';
import fc from 'fast-check';
import {
  clearedSessionCookie, createCsrfToken, createSessionToken, csrfTokenMatches, DEFAULT_ABSOLUTE_TIMEOUT_MS, DEFAULT_IDLE_TIMEOUT_MS,
  hashSessionToken, isSessionTokenFormat, sessionCookie, sessionExpiry, shouldRefreshLastSeen,
} from './session-tokens';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

describe('session tokens', () => {
  it('are 32 random bytes in base64url, stored only as their SHA-256', () => {
    const { token, tokenHash } = createSessionToken();
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(token, 'base64url')).toHaveLength(32);
    expect(tokenHash).toBe(createHash('sha256').update(token).digest('hex'));
    expect(tokenHash).not.toContain(token);
    expect(hashSessionToken(token)).toBe(tokenHash);
    expect(createSessionToken().token).not.toBe(token);
  });

  it('take their bytes from the random source given', () => {
    const { token } = createSessionToken((size) => Buffer.alloc(size, 0xab));
    expect(token).toBe(Buffer.alloc(32, 0xab).toString('base64url'));
  });

  it('can be told from junk without a database look-up', () => {
    expect(isSessionTokenFormat(createSessionToken().token)).toBe(true);
    expect(isSessionTokenFormat('')).toBe(false);
    expect(isSessionTokenFormat('a'.repeat(42))).toBe(false);
    expect(isSessionTokenFormat(`${'a'.repeat(42)}=`)).toBe(false);
    expect(isSessionTokenFormat(`${'a'.repeat(42)}/`)).toBe(false);
  });
});

describe('CSRF tokens', () => {
  it('match only the session’s own token', () => {
    const expected = createCsrfToken();
    expect(expected).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(csrfTokenMatches(expected, expected)).toBe(true);
    expect(csrfTokenMatches(expected, createCsrfToken())).toBe(false);
    expect(csrfTokenMatches(expected, expected.slice(0, -1))).toBe(false);
    expect(csrfTokenMatches(expected, `${expected}x`)).toBe(false);
    expect(csrfTokenMatches(expected, undefined)).toBe(false);
    expect(csrfTokenMatches(expected, '')).toBe(false);
    expect(csrfTokenMatches('', '')).toBe(false);
  });

  it('property: any other string is refused', () => {
    const expected = createCsrfToken();
    fc.assert(fc.property(fc.string({ maxLength: 80 }), (presented) => {
      fc.pre(presented !== expected);
      expect(csrfTokenMatches(expected, presented)).toBe(false);
    }));
  });
});

describe('sessionCookie', () => {
  const token = 'abc_DEF-123';

  it('is HttpOnly, Secure, SameSite=Strict, Path=/ with the __Host- name', () => {
    expect(sessionCookie(token)).toBe('__Host-portcullis-session=abc_DEF-123; Path=/; HttpOnly; Secure; SameSite=Strict');
  });

  it('drops Secure and the __Host- prefix only when asked for local HTTP', () => {
    expect(sessionCookie(token, { localHttp: true })).toBe('portcullis-session=abc_DEF-123; Path=/; HttpOnly; SameSite=Strict');
    expect(sessionCookie(token, { localHttp: false })).toContain('; Secure;');
  });

  it('adds Max-Age when given, and clears with Max-Age=0', () => {
    expect(sessionCookie(token, { maxAgeSeconds: 3600 })).toBe('__Host-portcullis-session=abc_DEF-123; Path=/; HttpOnly; Secure; SameSite=Strict; Max-Age=3600');
    expect(clearedSessionCookie()).toBe('__Host-portcullis-session=; Path=/; HttpOnly; Secure; SameSite=Strict; Max-Age=0');
    expect(clearedSessionCookie({ localHttp: true })).toBe('portcullis-session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0');
  });

  it('refuses values that could inject attributes, and bad ages', () => {
    expect(() => sessionCookie('a; Domain=evil.example')).toThrow('base64url');
    expect(() => sessionCookie('a\r\nSet-Cookie: x=1')).toThrow('base64url');
    expect(() => sessionCookie(token, { maxAgeSeconds: -1 })).toThrow('maxAgeSeconds');
    expect(() => sessionCookie(token, { maxAgeSeconds: 1.5 })).toThrow('maxAgeSeconds');
  });
});

describe('sessionExpiry', () => {
  const timeouts = { idleTimeoutMs: 30 * MINUTE, absoluteTimeoutMs: 12 * HOUR };

  it('defaults to 30 minutes idle and 12 hours in all', () => {
    expect(DEFAULT_IDLE_TIMEOUT_MS).toBe(30 * MINUTE);
    expect(DEFAULT_ABSOLUTE_TIMEOUT_MS).toBe(12 * HOUR);
    expect(sessionExpiry({ createdAt: 0, lastSeenAt: 0 }, 29 * MINUTE)).toEqual({ expired: false, expiresAt: 30 * MINUTE });
  });

  it('ends a session left idle', () => {
    expect(sessionExpiry({ createdAt: 0, lastSeenAt: HOUR }, HOUR + 30 * MINUTE - 1, timeouts)).toEqual({ expired: false, expiresAt: HOUR + 30 * MINUTE });
    expect(sessionExpiry({ createdAt: 0, lastSeenAt: HOUR }, HOUR + 30 * MINUTE, timeouts)).toEqual({ expired: true, reason: 'idle', expiredAt: HOUR + 30 * MINUTE });
  });

  it('ends a busy session at the absolute limit', () => {
    expect(sessionExpiry({ createdAt: 0, lastSeenAt: 12 * HOUR - MINUTE }, 12 * HOUR - 1, timeouts)).toEqual({ expired: false, expiresAt: 12 * HOUR });
    expect(sessionExpiry({ createdAt: 0, lastSeenAt: 12 * HOUR - MINUTE }, 12 * HOUR, timeouts)).toEqual({ expired: true, reason: 'absolute', expiredAt: 12 * HOUR });
  });

  it('property: expired exactly when now reaches the earlier of the two limits', () => {
    fc.assert(fc.property(fc.nat(1e9), fc.nat(1e8), fc.nat(2e8), (createdAt, seenAfter, nowAfter) => {
      const session = { createdAt, lastSeenAt: createdAt + seenAfter };
      const now = createdAt + nowAfter;
      const end = Math.min(createdAt + timeouts.absoluteTimeoutMs, session.lastSeenAt + timeouts.idleTimeoutMs);
      const result = sessionExpiry(session, now, timeouts);
      expect(result.expired).toBe(now >= end);
      if (!result.expired) expect(result.expiresAt).toBe(end);
    }));
  });
});

describe('shouldRefreshLastSeen', () => {
  it('writes at most once a minute by default', () => {
    expect(shouldRefreshLastSeen(0, 59_999)).toBe(false);
    expect(shouldRefreshLastSeen(0, 60_000)).toBe(true);
    expect(shouldRefreshLastSeen(0, 5_000, 5_000)).toBe(true);
  });
});
