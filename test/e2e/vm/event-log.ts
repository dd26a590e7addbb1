/** Events kept in arrival order, so a test can wait for one that arrives after a mark it took before acting. */

interface Waiter<T> {
  predicate: (event: T) => boolean;
  resolve: (event: T) => void;
}

export class EventLog<T> {
  private readonly events: T[] = [];
  private readonly waiters = new Set<Waiter<T>>();

  push(event: T): void {
    this.events.push(event);
    for (const waiter of [...this.waiters]) {
      if (waiter.predicate(event)) {
        this.waiters.delete(waiter);
        waiter.resolve(event);
      }
    }
  }

  /** The position of the next event: pass it to `waitFor` to ignore everything before now. */
  mark(): number {
    return this.events.length;
  }

  all(from = 0): readonly T[] {
    return this.events.slice(from);
  }

  /** The first event at or after `from` that matches, waiting up to `timeoutMs`; rejects with `what` when none comes. */
  waitFor(what: string, predicate: (event: T) => boolean, timeoutMs: number, from = 0): Promise<T> {
    const found = this.events.slice(from).find(predicate);
    if (found !== undefined) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
      }, timeoutMs);
      const waiter: Waiter<T> = {
        predicate,
        resolve: (event) => {
          clearTimeout(timer);
          resolve(event);
        },
      };
      this.waiters.add(waiter);
    });
  }
}
