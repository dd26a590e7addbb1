/** Checks a console login: throttled per account and per address, the same answer and the same work for an unknown email as for a wrong password, and lockouts kept in the database. */

import { describeWait, type LoginThrottle } from '../auth/login-throttle';
import { CURRENT_SCRYPT_PARAMS, hashPassword, needsRehash, verifyPassword, verifyPasswordForUnknownAccount, type ScryptParams } from '../auth/password-hash';
import type { UserRecord, UserStore } from '../users/user-store';
import type { NewSession, SessionStore, SessionUser } from './session-store';

export const WRONG_LOGIN = 'The email or password is wrong.';

/** Word for word what LoginThrottle says of an account it locked: an unknown email must read the same as a real one. */
export function accountLockedMessage(retryAfterMs: number): string {
  return `This account is locked after too many wrong passwords. Try again in ${describeWait(retryAfterMs)}, or ask another SLT member to unlock it.`;
}

export type LoginOutcome =
  | { ok: true; user: SessionUser; session: NewSession }
  | { ok: false; status: 401; error: string; userId: string | undefined }
  | { ok: false; status: 429; error: string; retryAfterMs: number; userId: string | undefined };

export interface ConsoleLoginDeps {
  users: UserStore;
  sessions: SessionStore;
  throttle: LoginThrottle;
  clock: () => number;
  /** Tests pass cheap parameters; production always uses CURRENT_SCRYPT_PARAMS. */
  scryptParams?: Readonly<ScryptParams>;
}

function usable(user: UserRecord | undefined): user is UserRecord & { passwordHash: string } {
  return user !== undefined && user.disabledAt === null && user.passwordHash !== null;
}

export class ConsoleLogin {
  private readonly scryptParams: Readonly<ScryptParams>;

  constructor(private readonly deps: ConsoleLoginDeps) {
    this.scryptParams = deps.scryptParams ?? CURRENT_SCRYPT_PARAMS;
  }

  /**
   * The throttle (in memory) refuses addresses with too many recent failures and emails that do
   * not exist once they have failed too often; for a real account the database's `locked_until`
   * decides, so a lock survives a restart and `portcullis server user unlock` lifts it at once.
   */
  async login(email: string, password: string, address: string): Promise<LoginOutcome> {
    const { users, throttle, clock } = this.deps;
    const key = { account: email, address };
    const user = await users.findByEmail(email);
    const now = clock();
    let verdict = throttle.check(key);
    if (!verdict.allowed && verdict.reason === 'account-locked' && user !== undefined) {
      throttle.unlock(email);
      verdict = throttle.check(key);
    }
    if (!verdict.allowed) return { ok: false, status: 429, error: verdict.message, retryAfterMs: verdict.retryAfterMs, userId: user?.id };
    if (user?.lockedUntil !== undefined && user.lockedUntil > now) {
      const retryAfterMs = user.lockedUntil - now;
      return { ok: false, status: 429, error: accountLockedMessage(retryAfterMs), retryAfterMs, userId: user.id };
    }
    const good = usable(user) ? await verifyPassword(password, user.passwordHash) : await verifyPasswordForUnknownAccount(password, this.scryptParams);
    if (!good || !usable(user)) {
      throttle.failed(key);
      if (user !== undefined) await users.recordFailedLogin(user.id);
      return { ok: false, status: 401, error: WRONG_LOGIN, userId: user?.id };
    }
    throttle.succeeded(key);
    await users.recordSuccessfulLogin(user.id);
    if (needsRehash(user.passwordHash, this.scryptParams)) await users.setPasswordHash(user.id, await hashPassword(password, this.scryptParams));
    const session = await this.deps.sessions.create(user.id);
    return { ok: true, user: { id: user.id, email: user.email, name: user.name, role: user.role }, session };
  }
}
