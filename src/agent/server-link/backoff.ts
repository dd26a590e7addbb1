/** Reconnection delays: doubling from a first delay up to a cap, with jitter so that a school's PCs do not all come back at once. */

export interface BackoffOptions {
  /** The first delay (default 1 s). */
  initialMs?: number;
  /** No delay is longer than this (default 60 s). */
  maxMs?: number;
  /** A number in [0, 1): Math.random, or a fixed one in tests. */
  random?: () => number;
}

export const DEFAULT_INITIAL_BACKOFF_MS = 1_000;
export const MAX_BACKOFF_MS = 60_000;

/**
 * Each `next()` is twice the one before (up to `maxMs`), less up to half of it at random;
 * `reset()` after a connection that worked starts again from `initialMs`.
 */
export class Backoff {
  private attempt = 0;
  private readonly initialMs: number;
  private readonly maxMs: number;
  private readonly random: () => number;

  constructor(options: BackoffOptions = {}) {
    this.initialMs = options.initialMs ?? DEFAULT_INITIAL_BACKOFF_MS;
    this.maxMs = options.maxMs ?? MAX_BACKOFF_MS;
    this.random = options.random ?? Math.random;
    if (!(this.initialMs > 0) || !(this.maxMs >= this.initialMs)) throw new RangeError(`backoff: need 0 < initialMs <= maxMs, not ${this.initialMs} and ${this.maxMs}`);
  }

  /** The delay before the next attempt, in milliseconds. */
  next(): number {
    const ceiling = Math.min(this.maxMs, this.initialMs * 2 ** Math.min(this.attempt, 30));
    this.attempt += 1;
    return Math.round(ceiling - (ceiling / 2) * Math.min(Math.max(this.random(), 0), 1));
  }

  reset(): void {
    this.attempt = 0;
  }
}
