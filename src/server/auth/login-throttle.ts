/** Login rate limiting and lockout, per account and per source address, as a pure class with an injected clock. */

export interface LoginThrottlePolicy {
  /** Wrong passwords in a row that lock an account. */
  accountFailuresBeforeLock: number;
  /** The first lock's length; each further lock doubles it. */
  accountLockMs: number;
  accountMaxLockMs: number;
  /** An account with no failure and no lock for this long is forgotten, lock level and all. */
  accountForgetAfterMs: number;
  /** Failed attempts from one address allowed within `addressWindowMs`. */
  addressFailuresPerWindow: number;
  addressWindowMs: number;
  /** Above this many tracked keys of a kind, the least recently failed are dropped. */
  maxTrackedKeys: number;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

export const DEFAULT_LOGIN_THROTTLE_POLICY: Readonly<LoginThrottlePolicy> = {
  accountFailuresBeforeLock: 5,
  accountLockMs: 15 * MINUTE,
  accountMaxLockMs: 24 * HOUR,
  accountForgetAfterMs: 24 * HOUR,
  addressFailuresPerWindow: 20,
  addressWindowMs: MINUTE,
  maxTrackedKeys: 50_000,
};

/** Who is trying: the account name as typed (compared trimmed and lower-cased) and the source address. */
export interface LoginKey {
  account: string;
  address: string;
}

export type ThrottleVerdict =
  | { allowed: true }
  | { allowed: false; reason: 'account-locked' | 'address-rate-limited'; retryAfterMs: number; message: string };

interface AccountState {
  failures: number;
  /** Locks so far; the next lasts accountLockMs × 2^locks. */
  locks: number;
  lockedUntil: number;
  lastFailureAt: number;
}

/**
 * Call `check` before verifying a password and refuse the login when it is not allowed; then
 * `failed` or `succeeded`. Addresses count failures only, since a whole school can share one
 * address behind NAT and good logins must never lock it out. A success clears the account's
 * record but not the address's. Memory is bounded: stale entries are swept as time passes and
 * the oldest are dropped past `maxTrackedKeys`.
 */
export class LoginThrottle {
  private readonly accounts = new Map<string, AccountState>();
  private readonly addresses = new Map<string, number[]>();
  private lastSweepAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly now: () => number,
    private readonly policy: Readonly<LoginThrottlePolicy> = DEFAULT_LOGIN_THROTTLE_POLICY,
  ) {}

  check(key: LoginKey): ThrottleVerdict {
    const now = this.now();
    this.sweep(now);
    const account = this.liveAccount(accountId(key), now);
    if (account !== undefined && account.lockedUntil > now) {
      const retryAfterMs = account.lockedUntil - now;
      return { allowed: false, reason: 'account-locked', retryAfterMs, message: `This account is locked after too many wrong passwords. Try again in ${describeWait(retryAfterMs)}, or ask another SLT member to unlock it.` };
    }
    return this.checkAddress(key.address);
  }

  /** The address's half of `check`, alone: for single sign-on, where the provider checks the password. */
  checkAddress(address: string): ThrottleVerdict {
    const now = this.now();
    this.sweep(now);
    const recent = this.recentAddressFailures(address, now);
    if (recent.length >= this.policy.addressFailuresPerWindow) {
      const retryAfterMs = (recent[0] ?? now) + this.policy.addressWindowMs - now;
      return { allowed: false, reason: 'address-rate-limited', retryAfterMs, message: `Too many failed logins from this computer. Try again in ${describeWait(retryAfterMs)}.` };
    }
    return { allowed: true };
  }

  failed(key: LoginKey): void {
    this.addressFailed(key.address);
    const now = this.now();
    const id = accountId(key);
    const account = this.liveAccount(id, now) ?? { failures: 0, locks: 0, lockedUntil: 0, lastFailureAt: now };
    if (account.lockedUntil > now) return; // refused by check; a stray call must not extend the lock
    account.failures += 1;
    account.lastFailureAt = now;
    if (account.failures >= this.policy.accountFailuresBeforeLock) {
      account.lockedUntil = now + Math.min(this.policy.accountLockMs * 2 ** account.locks, this.policy.accountMaxLockMs);
      account.locks += 1;
      account.failures = 0;
    }
    touch(this.accounts, id, account);
    this.enforceCap();
  }

  /** Counts a failure against the address alone (a refused single sign-on: no password was guessed). */
  addressFailed(address: string): void {
    const now = this.now();
    this.sweep(now);
    const recent = this.recentAddressFailures(address, now);
    recent.push(now);
    // Only the newest `addressFailuresPerWindow` matter, so one address's record stays small.
    if (recent.length > this.policy.addressFailuresPerWindow) recent.splice(0, recent.length - this.policy.addressFailuresPerWindow);
    touch(this.addresses, address, recent);
    this.enforceCap();
  }

  succeeded(key: LoginKey): void {
    this.accounts.delete(accountId(key));
  }

  /** Lifts an account's lock and forgets its history (an SLT member unlocking a colleague). */
  unlock(account: string): void {
    this.accounts.delete(accountId({ account, address: '' }));
  }

  /** How many accounts and addresses are tracked, for tests and metrics. */
  size(): { accounts: number; addresses: number } {
    return { accounts: this.accounts.size, addresses: this.addresses.size };
  }

  private isStale(account: AccountState, now: number): boolean {
    return Math.max(account.lockedUntil, account.lastFailureAt) <= now - this.policy.accountForgetAfterMs;
  }

  private liveAccount(id: string, now: number): AccountState | undefined {
    const account = this.accounts.get(id);
    if (account === undefined || !this.isStale(account, now)) return account;
    this.accounts.delete(id);
    return undefined;
  }

  private recentAddressFailures(address: string, now: number): number[] {
    const failures = this.addresses.get(address) ?? [];
    const cutoff = now - this.policy.addressWindowMs;
    const firstRecent = failures.findIndex((at) => at > cutoff);
    return firstRecent === -1 ? [] : failures.slice(firstRecent);
  }

  /** At most once a window: drops addresses with no recent failure, and accounts with no failure or lock in `accountForgetAfterMs`. */
  private sweep(now: number): void {
    if (now - this.lastSweepAt < this.policy.addressWindowMs) return;
    this.lastSweepAt = now;
    for (const [address, failures] of this.addresses) {
      const last = failures[failures.length - 1];
      if (last === undefined || last <= now - this.policy.addressWindowMs) this.addresses.delete(address);
    }
    for (const [id, account] of this.accounts) {
      if (this.isStale(account, now)) this.accounts.delete(id);
    }
  }

  /** Maps keep insertion order and `touch` re-inserts, so the first keys are the least recently failed. */
  private enforceCap(): void {
    for (const map of [this.accounts, this.addresses] as Map<string, unknown>[]) {
      for (const key of map.keys()) {
        if (map.size <= this.policy.maxTrackedKeys) break;
        map.delete(key);
      }
    }
  }
}

function accountId(key: LoginKey): string {
  return key.account.trim().toLowerCase();
}

function touch<V>(map: Map<string, V>, key: string, value: V): void {
  map.delete(key);
  map.set(key, value);
}

/** "15 minutes", "2 hours", "1 minute": rounded up, for staff-facing messages. */
export function describeWait(ms: number): string {
  const minutes = Math.max(1, Math.ceil(ms / MINUTE));
  if (minutes < 120) return `${minutes} minute${minutes === 1 ? '' : 's'}`;
  const hours = Math.ceil(minutes / 60);
  return `${hours} hours`;
}
