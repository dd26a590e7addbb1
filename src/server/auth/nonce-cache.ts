/** Remembers request nonces for a fixed time, to refuse replays; an injected clock and a hard bound on memory. */

export interface NonceCacheOptions {
  /** How long a nonce is remembered; for agent requests, twice the allowed clock skew. */
  ttlMs: number;
  /** When this many nonces are live, new ones are refused (treated as seen) rather than old ones forgotten. */
  maxEntries: number;
}

/**
 * `seen(nonce, scope)` answers whether the nonce was already used in that scope (an agent id)
 * within the last `ttlMs`, and records it if not. Entries expire in the order they were added,
 * so expiry is a walk from the front of one map. At capacity it fails closed: a replay must never
 * pass because memory ran short.
 */
export class NonceCache {
  private readonly expiries = new Map<string, number>();

  constructor(
    private readonly now: () => number,
    private readonly options: Readonly<NonceCacheOptions>,
  ) {}

  seen(nonce: string, scope = ''): boolean {
    const now = this.now();
    this.expire(now);
    const key = `${scope}\n${nonce}`;
    const expiresAt = this.expiries.get(key);
    if (expiresAt !== undefined && expiresAt > now) return true;
    if (this.expiries.size >= this.options.maxEntries) return true;
    this.expiries.set(key, now + this.options.ttlMs);
    return false;
  }

  size(): number {
    return this.expiries.size;
  }

  private expire(now: number): void {
    for (const [key, expiresAt] of this.expiries) {
      if (expiresAt > now) break;
      this.expiries.delete(key);
    }
  }
}
