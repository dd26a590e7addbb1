/** What the device watchers share: typed listener lists, timers that all stop at once, and a record of the work still running so that `stop()` can wait for it. */
import type { Logger } from '../util/logger';
import type { Cancel, Scheduler } from './scheduler';

/** One kind of event and its listeners. A listener that throws is logged; the others still hear the event. */
export class Listeners<T> {
  private readonly listeners = new Set<(value: T) => void>();

  constructor(
    private readonly event: string,
    private readonly logger: Logger,
  ) {}

  /** Adds a listener; the function returned removes it. */
  add(listener: (value: T) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(value: T): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(value);
      } catch (error) {
        this.logger.error(`a listener for "${this.event}" failed`, { error: String(error) });
      }
    }
  }
}

/** Work in progress (scans, reads). `idle()` resolves once none is left, including work started meanwhile. */
export class InFlight {
  private readonly running = new Set<Promise<void>>();

  /** `failed` hears of any work that throws, so that no failure goes unhandled. */
  constructor(private readonly failed: (error: Error) => void) {}

  /** Runs `work` now and tracks it until it settles. */
  track(work: () => Promise<void>): void {
    const promise: Promise<void> = work()
      .catch((error: unknown) => this.failed(error instanceof Error ? error : new Error(String(error))))
      .finally(() => this.running.delete(promise));
    this.running.add(promise);
  }

  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }
}

/** Repeating tasks and sleeps on a Scheduler, all ended by one `stopAll()`: a sleeper woken that way returns early. */
export class Timers {
  private readonly cancels = new Set<Cancel>();
  private readonly sleepers = new Set<() => void>();

  constructor(private readonly scheduler: Scheduler) {}

  every(ms: number, task: () => void): void {
    this.cancels.add(this.scheduler.every(ms, task));
  }

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      let cancel: Cancel = () => undefined;
      const wake = (): void => {
        this.sleepers.delete(wake);
        cancel();
        resolve();
      };
      this.sleepers.add(wake);
      cancel = this.scheduler.after(ms, wake);
    });
  }

  stopAll(): void {
    for (const cancel of this.cancels) cancel();
    this.cancels.clear();
    for (const wake of [...this.sleepers]) wake();
  }
}
