/** Console accounts in the database: created with a checked password, found by email whatever its case, disabled, and their failed logins and lockouts kept across restarts. */

import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { fieldPath, plainIssueMessages } from '../../policy/zod-issues';
import type { Result } from '../../policy/policy-document';
import { checkPassword } from '../auth/password-rules';
import { CURRENT_SCRYPT_PARAMS, hashPassword, type ScryptParams } from '../auth/password-hash';
import { DEFAULT_LOGIN_THROTTLE_POLICY, type LoginThrottlePolicy } from '../auth/login-throttle';
import type { Database, SqlRunner } from '../db/database';
import { violatedConstraint } from '../db/database-errors';
import { roleSchema, type Role } from './roles';

export interface User {
  id: string;
  /** Stored lower-cased. */
  email: string;
  name: string;
  role: Role;
  createdAt: string;
  disabledAt: string | null;
}

/** A user with what login needs: never leaves the server. */
export interface UserRecord extends User {
  passwordHash: string | null;
  failedLogins: number;
  /** Epoch ms; undefined when not locked (or never was). */
  lockedUntil: number | undefined;
}

export type LockoutPolicy = Pick<LoginThrottlePolicy, 'accountFailuresBeforeLock' | 'accountLockMs' | 'accountMaxLockMs'>;

export interface UserStoreDeps {
  db: Database;
  clock: () => number;
  /** Tests pass cheap parameters; production always uses CURRENT_SCRYPT_PARAMS. */
  scryptParams?: Readonly<ScryptParams>;
  /** The same numbers as the server's LoginThrottle, so a restart changes nothing a user sees. */
  lockout?: LockoutPolicy;
  newId?: () => string;
}

export const newUserSchema = z.strictObject({
  email: z.string().trim().toLowerCase().max(254).pipe(z.email({ error: 'expected an email address such as head@school.example' })),
  role: roleSchema,
  name: z.string().trim().min(1).max(100).optional(),
  password: z.string(),
});
/** As typed by a person: every field is checked by `create`. */
export interface NewUser {
  email: string;
  role: string;
  name?: string;
  password: string;
}

interface UserRow {
  id: string;
  email: string;
  display_name: string;
  role: Role;
  created_at: string;
  disabled_at: string | null;
  password_hash: string | null;
  failed_logins: number;
  locked_until: string | null;
}

const COLUMNS = 'id, email, display_name, role, created_at, disabled_at, password_hash, failed_logins, locked_until';

function recordOf(row: UserRow): UserRecord {
  return {
    id: row.id,
    email: row.email,
    name: row.display_name,
    role: row.role,
    createdAt: row.created_at,
    disabledAt: row.disabled_at,
    passwordHash: row.password_hash,
    failedLogins: Number(row.failed_logins),
    lockedUntil: row.locked_until === null ? undefined : Date.parse(row.locked_until),
  };
}

/** The public part of a user: what the console may show. */
export function publicUser(record: UserRecord): User {
  const { id, email, name, role, createdAt, disabledAt } = record;
  return { id, email, name, role, createdAt, disabledAt };
}

function duplicate(email: string): Result<User> {
  return { ok: false, error: `email: a user with the email ${email} already exists` };
}

export class UserStore {
  private readonly db: Database;
  private readonly clock: () => number;
  private readonly scryptParams: Readonly<ScryptParams>;
  private readonly lockout: LockoutPolicy;
  private readonly newId: () => string;

  constructor(deps: UserStoreDeps) {
    this.db = deps.db;
    this.clock = deps.clock;
    this.scryptParams = deps.scryptParams ?? CURRENT_SCRYPT_PARAMS;
    this.lockout = deps.lockout ?? DEFAULT_LOGIN_THROTTLE_POLICY;
    this.newId = deps.newId ?? randomUUID;
  }

  /**
   * Adds an account. Refuses, naming the field: a malformed email, an unknown role (listing the
   * four), a password that breaks the school's rule (listing every problem), an email already used.
   */
  async create(input: NewUser): Promise<Result<User>> {
    const parsed = newUserSchema.safeParse(input, { error: plainIssueMessages });
    if (!parsed.success) return { ok: false, error: parsed.error.issues.map((issue) => `${fieldPath(issue.path) || 'user'}: ${issue.message}`).join('; ') };
    const { email, role, password } = parsed.data;
    const name = parsed.data.name ?? email.slice(0, email.indexOf('@'));
    const check = checkPassword(password, { email, name });
    if (!check.ok) return { ok: false, error: `password: refused:\n${check.problems.map((problem) => `  - ${problem}`).join('\n')}` };
    if ((await this.findByEmail(email)) !== undefined) return duplicate(email);
    const user: User = { id: this.newId(), email, name, role, createdAt: new Date(this.clock()).toISOString(), disabledAt: null };
    const passwordHash = await hashPassword(password, this.scryptParams);
    try {
      await this.db.run('INSERT INTO users (id, email, role, password_hash, display_name, created_at) VALUES (?, ?, ?, ?, ?, ?)', [
        user.id,
        user.email,
        user.role,
        passwordHash,
        user.name,
        user.createdAt,
      ]);
    } catch (error) {
      // Another process added the same email between the look-up and the insert.
      if (violatedConstraint(error) === 'unique') return duplicate(email);
      throw error;
    }
    return { ok: true, value: user };
  }

  async findByEmail(email: string): Promise<UserRecord | undefined> {
    const row = await this.db.get<UserRow>(`SELECT ${COLUMNS} FROM users WHERE lower(email) = lower(?)`, [email.trim().toLowerCase()]);
    return row === undefined ? undefined : recordOf(row);
  }

  async findById(id: string): Promise<UserRecord | undefined> {
    const row = await this.db.get<UserRow>(`SELECT ${COLUMNS} FROM users WHERE id = ?`, [id]);
    return row === undefined ? undefined : recordOf(row);
  }

  async list(): Promise<User[]> {
    const rows = await this.db.all<UserRow>(`SELECT ${COLUMNS} FROM users ORDER BY email`);
    return rows.map((row) => publicUser(recordOf(row)));
  }

  /** Stops an account signing in and ends its sessions; its history (approvals it made) stays. */
  async disable(email: string): Promise<Result<User>> {
    const now = new Date(this.clock()).toISOString();
    return this.update(email, async (tx, id) => {
      await tx.run('UPDATE users SET disabled_at = COALESCE(disabled_at, ?) WHERE id = ?', [now, id]);
      await tx.run('DELETE FROM sessions WHERE user_id = ?', [id]);
    });
  }

  /** Lifts a lockout and forgets the account's failed logins. */
  async unlock(email: string): Promise<Result<User>> {
    return this.update(email, async (tx, id) => void (await tx.run('UPDATE users SET failed_logins = 0, locked_until = NULL WHERE id = ?', [id])));
  }

  /**
   * Counts a wrong password. Every `accountFailuresBeforeLock`-th failure in a row locks the
   * account, first for `accountLockMs`, each later lock twice as long, up to `accountMaxLockMs`.
   * Returns when the account is locked until, if this failure locked it.
   */
  async recordFailedLogin(id: string): Promise<{ failedLogins: number; lockedUntil: number | undefined }> {
    const now = this.clock();
    return this.db.transaction(async (tx) => {
      const row = await tx.get<{ failed_logins: number }>('UPDATE users SET failed_logins = failed_logins + 1 WHERE id = ? RETURNING failed_logins', [id]);
      const failedLogins = Number(row?.failed_logins ?? 0);
      const { accountFailuresBeforeLock: every, accountLockMs, accountMaxLockMs } = this.lockout;
      if (failedLogins === 0 || failedLogins % every !== 0) return { failedLogins, lockedUntil: undefined };
      const lockedUntil = now + Math.min(accountLockMs * 2 ** (failedLogins / every - 1), accountMaxLockMs);
      await tx.run('UPDATE users SET locked_until = ? WHERE id = ?', [new Date(lockedUntil).toISOString(), id]);
      return { failedLogins, lockedUntil };
    });
  }

  async recordSuccessfulLogin(id: string): Promise<void> {
    await this.db.run('UPDATE users SET failed_logins = 0, locked_until = NULL WHERE id = ? AND (failed_logins <> 0 OR locked_until IS NOT NULL)', [id]);
  }

  async setPasswordHash(id: string, passwordHash: string): Promise<void> {
    await this.db.run('UPDATE users SET password_hash = ? WHERE id = ?', [passwordHash, id]);
  }

  private async update(email: string, change: (tx: SqlRunner, id: string) => Promise<void>): Promise<Result<User>> {
    const found = await this.findByEmail(email);
    if (found === undefined) return { ok: false, error: `email: no user has the email ${email.trim().toLowerCase()}` };
    await this.db.transaction((tx) => change(tx, found.id));
    const updated = await this.findById(found.id);
    return updated === undefined ? { ok: false, error: `email: the user ${found.email} was removed meanwhile` } : { ok: true, value: publicUser(updated) };
  }
}
