/** Timers for the device watchers, injected so that tests move time by hand instead of waiting. */

/** Stops a scheduled task; calling it again does nothing. */
export type Cancel = () => void;

export interface Scheduler {
  /** Runs `task` once, `ms` milliseconds from now. */
  after(ms: number, task: () => void): Cancel;
  /** Runs `task` every `ms` milliseconds until cancelled. */
  every(ms: number, task: () => void): Cancel;
}

/** Node's own timers. */
export const systemScheduler: Scheduler = {
  after(ms, task) {
    const timer = setTimeout(task, ms);
    return () => clearTimeout(timer);
  },
  every(ms, task) {
    const timer = setInterval(task, ms);
    return () => clearInterval(timer);
  },
};
