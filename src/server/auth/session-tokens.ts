/** Console sessions: random session ids kept only as SHA-256 hashes, per-session CSRF tokens, the cookie's attributes, and expiry. */

import { createHash, timingSafeEqual } from 'node:crypto';
import { secureRandomBytes, type RandomBytes } from './random-bytes';

const TOKEN_BYTES = 32;
/** 32 bytes in unpadded base64url. */
const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

/** The cookie name over HTTPS: `__Host-` makes browsers insist on Secure, Path=/ and no Domain. */
export const SESSION_COOKIE_NAME = '__Host-portcullis-session';
/** Browsers refuse a `__Host-` cookie without Secure, so plain local HTTP uses a plain name. */
export const LOCAL_HTTP_SESSION_COOKIE_NAME = 'portcullis-session';

export const DEFAULT_IDLE_TIMEOUT_MS = 30 * 60_000;
export const DEFAULT_ABSOLUTE_TIMEOUT_MS = 12 * 60 * 60_000;

export interface NewSessionToken {
  /** Goes to the browser in the cookie, and nowhere else. */
  token: string;
  /** What the database keeps: a leaked table gives no usable cookie. */
  tokenHash: string;
}

export function createSessionToken(random: RandomBytes = secureRandomBytes): NewSessionToken {
  const token = random(TOKEN_BYTES).toString('base64url');
  return { token, tokenHash: hashSessionToken(token) };
}

/** True for the shape `createSessionToken` makes; anything else can be refused without a database look-up. */
export function isSessionTokenFormat(token: string): boolean {
  return TOKEN_PATTERN.test(token);
}

/** SHA-256 (hex) of a presented token, to look the session up by. */
export function hashSessionToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** A per-session CSRF token, stored with the session and echoed by the page in a header or form field. */
export function createCsrfToken(random: RandomBytes = secureRandomBytes): string {
  return random(TOKEN_BYTES).toString('base64url');
}

/** Constant-time comparison of the session's CSRF token with the one presented; a missing or empty one never matches. */
export function csrfTokenMatches(expected: string, presented: string | undefined): boolean {
  if (presented === undefined || presented === '' || expected === '') return false;
  // Hashing first gives equal lengths, so the comparison's time says nothing about either token.
  const a = createHash('sha256').update(expected, 'utf8').digest();
  const b = createHash('sha256').update(presented, 'utf8').digest();
  return timingSafeEqual(a, b);
}

export interface SessionCookieOptions {
  /** Only for a console served over plain HTTP on the machine itself: drops Secure and the `__Host-` name. */
  localHttp?: boolean;
  /** Omitted: a browser-session cookie (the server's own expiry still applies). */
  maxAgeSeconds?: number;
}

const COOKIE_VALUE = /^[A-Za-z0-9_-]*$/;

/** The `Set-Cookie` value for a session: HttpOnly; Secure unless local HTTP; SameSite=Strict; Path=/. */
export function sessionCookie(token: string, options: SessionCookieOptions = {}): string {
  if (!COOKIE_VALUE.test(token)) throw new Error('a session cookie value must be base64url (letters, digits, - and _)');
  const name = options.localHttp === true ? LOCAL_HTTP_SESSION_COOKIE_NAME : SESSION_COOKIE_NAME;
  const parts = [`${name}=${token}`, 'Path=/', 'HttpOnly'];
  if (options.localHttp !== true) parts.push('Secure');
  parts.push('SameSite=Strict');
  if (options.maxAgeSeconds !== undefined) {
    if (!Number.isInteger(options.maxAgeSeconds) || options.maxAgeSeconds < 0) throw new Error(`maxAgeSeconds must be a whole number of seconds, 0 or more, not ${options.maxAgeSeconds}`);
    parts.push(`Max-Age=${options.maxAgeSeconds}`);
  }
  return parts.join('; ');
}

/** The `Set-Cookie` value that removes the session cookie (at logout). */
export function clearedSessionCookie(options: Pick<SessionCookieOptions, 'localHttp'> = {}): string {
  return sessionCookie('', { ...options, maxAgeSeconds: 0 });
}

export interface SessionTimes {
  createdAt: number;
  lastSeenAt: number;
}

export interface SessionTimeouts {
  idleTimeoutMs: number;
  absoluteTimeoutMs: number;
}

export type SessionExpiry = { expired: false; expiresAt: number } | { expired: true; reason: 'idle' | 'absolute'; expiredAt: number };

/**
 * Whether a session is still good at `now`: it ends after `idleTimeoutMs` without a request, or
 * `absoluteTimeoutMs` after login, whichever comes first. `expiresAt` is when it will end if no
 * request comes before then.
 */
export function sessionExpiry(session: SessionTimes, now: number, timeouts: SessionTimeouts = { idleTimeoutMs: DEFAULT_IDLE_TIMEOUT_MS, absoluteTimeoutMs: DEFAULT_ABSOLUTE_TIMEOUT_MS }): SessionExpiry {
  const absoluteEnd = session.createdAt + timeouts.absoluteTimeoutMs;
  const idleEnd = session.lastSeenAt + timeouts.idleTimeoutMs;
  if (now >= absoluteEnd) return { expired: true, reason: 'absolute', expiredAt: absoluteEnd };
  if (now >= idleEnd) return { expired: true, reason: 'idle', expiredAt: idleEnd };
  return { expired: false, expiresAt: Math.min(absoluteEnd, idleEnd) };
}

/**
 * Whether to write a new `lastSeenAt`: at most once per `everyMs`, so each request does not
 * cost a database write. The idle timeout is then up to `everyMs` shorter than configured.
 */
export function shouldRefreshLastSeen(lastSeenAt: number, now: number, everyMs = 60_000): boolean {
  return now - lastSeenAt >= everyMs;
}
