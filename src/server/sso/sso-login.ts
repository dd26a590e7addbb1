/** Turns a checked ID token into a console session: the account must already exist (found by the email the provider vouches for) and be enabled; single sign-on never makes accounts or roles. */

import type { LoginThrottle } from '../auth/login-throttle';
import type { NewSession, SessionStore, SessionUser } from '../console-auth/session-store';
import type { UserStore } from '../users/user-store';
import type { IdTokenClaims } from './oidc-client';
import { ssoIdentity } from './sso-identity';
import type { SsoRefusal } from './sso-refusals';
import type { SsoProvider } from './sso-settings';

export type SsoLoginOutcome =
  | { ok: true; user: SessionUser; session: NewSession }
  | { ok: false; reason: Extract<SsoRefusal, 'no-verified-email' | 'domain-not-allowed' | 'no-account' | 'disabled'>; email: string | undefined; userId: string | undefined };

export interface SsoLoginDeps {
  users: UserStore;
  sessions: SessionStore;
  /** The password sign-in's throttle: a refused single sign-on counts against the address as a wrong password does (never against an account: no password was tried). */
  throttle: LoginThrottle;
}

export class SsoLogin {
  constructor(private readonly deps: SsoLoginDeps) {}

  /** Whether `address` may sign in at all just now (too many failures of either kind refuse it for the rest of the minute). */
  allowed(address: string): boolean {
    return this.deps.throttle.checkAddress(address).allowed;
  }

  /**
   * A password lockout does not stop single sign-on: the lock is there against guessing, and the
   * provider has checked who this is. The lock and the failure count stay for the password.
   */
  async login(claims: IdTokenClaims, provider: SsoProvider, address: string): Promise<SsoLoginOutcome> {
    const identity = ssoIdentity(claims, provider);
    if (!identity.ok) return this.refuse(address, { reason: identity.reason, email: identity.email, userId: undefined });
    const user = await this.deps.users.findByEmail(identity.email);
    if (user === undefined) return this.refuse(address, { reason: 'no-account', email: identity.email, userId: undefined });
    if (user.disabledAt !== null) return this.refuse(address, { reason: 'disabled', email: identity.email, userId: user.id });
    const session = await this.deps.sessions.create(user.id);
    return { ok: true, user: { id: user.id, email: user.email, name: user.name, role: user.role }, session };
  }

  /** Counts a failure for a refusal that happened before any account was looked at (an expired or tampered callback). */
  failed(address: string): void {
    this.deps.throttle.addressFailed(address);
  }

  private refuse(address: string, refusal: Omit<Extract<SsoLoginOutcome, { ok: false }>, 'ok'>): SsoLoginOutcome {
    this.failed(address);
    return { ok: false, ...refusal };
  }
}
