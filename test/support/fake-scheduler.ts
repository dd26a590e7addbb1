/** A Scheduler whose time moves only when a test says so. */
import type { Cancel, Scheduler } from '../../src/devices/scheduler';

interface Timer {
  at: number;
  period?: number;
  task: () => void;
}

export class FakeScheduler implements Scheduler {
  now = 0;
  private readonly timers = new Set<Timer>();
  private waiting: Array<() => void> = [];

  after(ms: number, task: () => void): Cancel {
    return this.add({ at: this.now + ms, task });
  }

  every(ms: number, task: () => void): Cancel {
    return this.add({ at: this.now + ms, period: ms, task });
  }

  /** Timers not yet run or cancelled, as their periods (`undefined` for one-shot timers). */
  pending(): Array<number | undefined> {
    return [...this.timers].map((timer) => timer.period);
  }

  /** Resolves when the next timer is set. */
  nextTimer(): Promise<void> {
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  /** Moves time on by `ms`, running each timer that falls due, in time order. */
  advance(ms: number): void {
    const end = this.now + ms;
    for (;;) {
      const due = [...this.timers].filter((timer) => timer.at <= end).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      this.now = due.at;
      if (due.period === undefined) this.timers.delete(due);
      else due.at += due.period;
      due.task();
    }
    this.now = end;
  }

  private add(timer: Timer): Cancel {
    this.timers.add(timer);
    const waiting = this.waiting;
    this.waiting = [];
    for (const resolve of waiting) resolve();
    return () => this.timers.delete(timer);
  }
}
