/** Sign-ins under way, between the redirect to the provider and its callback: kept in memory under a random id (the browser holds only the id, in an HttpOnly cookie), for 10 minutes, and usable once. */

import { secureRandomBytes, type RandomBytes } from '../auth/random-bytes';
import type { AuthorizationChecks } from './oidc-client';

export const SSO_ATTEMPT_TTL_MS = 10 * 60_000;
/** Beyond this many attempts under way, the oldest are dropped: a flood of /start requests cannot exhaust memory. */
const MAX_PENDING_ATTEMPTS = 10_000;

const ID_PATTERN = /^[A-Za-z0-9_-]{43}$/;

export interface SsoAttempt {
  providerId: string;
  checks: AuthorizationChecks;
}

interface Held extends SsoAttempt {
  expiresAt: number;
}

export interface SsoAttemptsDeps {
  clock: () => number;
  random?: RandomBytes;
  ttlMs?: number;
  maxPending?: number;
}

export class SsoAttempts {
  /** In insertion order, so the first entries are the oldest. */
  private readonly held = new Map<string, Held>();

  constructor(private readonly deps: SsoAttemptsDeps) {}

  /** Keeps `attempt` and returns its id (32 random bytes, base64url) for the browser's cookie. */
  begin(attempt: SsoAttempt): string {
    const now = this.deps.clock();
    this.sweep(now);
    const id = (this.deps.random ?? secureRandomBytes)(32).toString('base64url');
    this.held.set(id, { ...attempt, expiresAt: now + (this.deps.ttlMs ?? SSO_ATTEMPT_TTL_MS) });
    for (const oldest of this.held.keys()) {
      if (this.held.size <= (this.deps.maxPending ?? MAX_PENDING_ATTEMPTS)) break;
      this.held.delete(oldest);
    }
    return id;
  }

  /** The attempt `id` names, removed as it is read (a replayed callback finds nothing); undefined when unknown, ended or malformed. */
  take(id: string | undefined): SsoAttempt | undefined {
    if (id === undefined || !ID_PATTERN.test(id)) return undefined;
    const held = this.held.get(id);
    if (held === undefined) return undefined;
    this.held.delete(id);
    if (held.expiresAt <= this.deps.clock()) return undefined;
    return { providerId: held.providerId, checks: held.checks };
  }

  /** Every attempt lives as long, so the ended ones are the first in the map. */
  private sweep(now: number): void {
    for (const [id, held] of this.held) {
      if (held.expiresAt > now) return;
      this.held.delete(id);
    }
  }
}
