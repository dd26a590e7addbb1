/** Console sessions in the database: only the SHA-256 of each session id is kept, with the session's CSRF token and when it ends (idle or absolute, whichever is sooner). */

import type { Database } from '../db/database';
import type { RandomBytes } from '../auth/random-bytes';
import {
  createCsrfToken,
  createSessionToken,
  DEFAULT_ABSOLUTE_TIMEOUT_MS,
  DEFAULT_IDLE_TIMEOUT_MS,
  hashSessionToken,
  isSessionTokenFormat,
  sessionExpiry,
  shouldRefreshLastSeen,
  type SessionTimeouts,
} from '../auth/session-tokens';
import type { Role } from '../users/roles';

export interface SessionUser {
  id: string;
  email: string;
  name: string;
  role: Role;
}

export interface ConsoleSession {
  user: SessionUser;
  csrfToken: string;
  /** The session's key in the database (never the token itself). */
  tokenHash: string;
  /** Epoch ms: when it ends unless another request comes first. */
  expiresAt: number;
}

export type SessionLookup = { found: true; session: ConsoleSession } | { found: false; reason: 'no-cookie' | 'unknown' | 'expired' };

export interface NewSession {
  /** For the cookie only. */
  token: string;
  csrfToken: string;
  expiresAt: number;
}

export interface SessionStoreDeps {
  db: Database;
  clock: () => number;
  timeouts?: SessionTimeouts;
  random?: RandomBytes;
}

interface SessionRow {
  user_id: string;
  created_at: string;
  expires_at: string;
  csrf_token: string;
  email: string;
  display_name: string;
  role: Role;
  disabled_at: string | null;
}

const iso = (ms: number): string => new Date(ms).toISOString();

/**
 * The table has no last-seen column: `expires_at` is moved on (at most once a minute) to the
 * sooner of last request + idle timeout and login + absolute timeout, so the last request's time
 * is `expires_at` − idle timeout whenever the absolute limit is not the nearer one.
 */
export class SessionStore {
  private readonly timeouts: SessionTimeouts;

  constructor(private readonly deps: SessionStoreDeps) {
    this.timeouts = deps.timeouts ?? { idleTimeoutMs: DEFAULT_IDLE_TIMEOUT_MS, absoluteTimeoutMs: DEFAULT_ABSOLUTE_TIMEOUT_MS };
  }

  /** Starts a session for `userId`, removing sessions that have ended (anyone's) as it goes. */
  async create(userId: string): Promise<NewSession> {
    const now = this.deps.clock();
    const { token, tokenHash } = createSessionToken(this.deps.random);
    const csrfToken = createCsrfToken(this.deps.random);
    const expiresAt = now + Math.min(this.timeouts.idleTimeoutMs, this.timeouts.absoluteTimeoutMs);
    await this.deps.db.transaction(async (tx) => {
      await tx.run('DELETE FROM sessions WHERE expires_at <= ?', [iso(now)]);
      await tx.run('INSERT INTO sessions (id_hash, user_id, created_at, expires_at, csrf_token) VALUES (?, ?, ?, ?, ?)', [tokenHash, userId, iso(now), iso(expiresAt), csrfToken]);
    });
    return { token, csrfToken, expiresAt };
  }

  /** The live session a cookie's token names, its idle expiry moved on; an ended one is deleted. A disabled user's sessions are never found. */
  async find(token: string | undefined): Promise<SessionLookup> {
    if (token === undefined || token === '') return { found: false, reason: 'no-cookie' };
    if (!isSessionTokenFormat(token)) return { found: false, reason: 'unknown' };
    const tokenHash = hashSessionToken(token);
    const row = await this.deps.db.get<SessionRow>(
      `SELECT s.user_id, s.created_at, s.expires_at, s.csrf_token, u.email, u.display_name, u.role, u.disabled_at
         FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id_hash = ?`,
      [tokenHash],
    );
    if (row === undefined || row.disabled_at !== null) return { found: false, reason: 'unknown' };
    const now = this.deps.clock();
    const createdAt = Date.parse(row.created_at);
    const storedExpiry = Date.parse(row.expires_at);
    const lastSeenAt = storedExpiry - this.timeouts.idleTimeoutMs;
    const expiry = sessionExpiry({ createdAt, lastSeenAt }, now, this.timeouts);
    if (expiry.expired) {
      await this.deps.db.run('DELETE FROM sessions WHERE id_hash = ?', [tokenHash]);
      return { found: false, reason: 'expired' };
    }
    let expiresAt = storedExpiry;
    const moved = Math.min(now + this.timeouts.idleTimeoutMs, createdAt + this.timeouts.absoluteTimeoutMs);
    if (shouldRefreshLastSeen(lastSeenAt, now) && moved > storedExpiry) {
      expiresAt = moved;
      await this.deps.db.run('UPDATE sessions SET expires_at = ? WHERE id_hash = ?', [iso(expiresAt), tokenHash]);
    }
    const user: SessionUser = { id: row.user_id, email: row.email, name: row.display_name, role: row.role };
    return { found: true, session: { user, csrfToken: row.csrf_token, tokenHash, expiresAt } };
  }

  /** Ends one session (logout). */
  async delete(tokenHash: string): Promise<void> {
    await this.deps.db.run('DELETE FROM sessions WHERE id_hash = ?', [tokenHash]);
  }
}
