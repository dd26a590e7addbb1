/** Drives an IdleController in one session: reads the idle time, wakes at the controller's deadlines, carries out lock and logoff, and hands every event on. */
import type { Cancel, Scheduler } from '../devices/scheduler';
import type { Logger } from '../util/logger';
import { SerialQueue } from '../util/serial-queue';
import type { IdleController, IdleEvent, IdleInput } from './idle-controller';
import type { IdleSource } from './idle-source';
import type { SessionActions } from './session-actions';

export interface IdleRunnerOptions {
  controller: IdleController;
  source: IdleSource;
  actions: SessionActions;
  scheduler: Scheduler;
  /** Epoch milliseconds now. */
  clock: () => number;
  /** How often to read the idle time. Default 1000 ms: with a wake at every deadline as well, the lock lands within a second of its time. */
  sampleEveryMs?: number;
  /** A wake this much later than planned means the PC was asleep in between (suspend is seen even when nobody reports it). Default 10 s. */
  sleepGapMs?: number;
  onEvent: (event: IdleEvent) => void;
  /** Called once a logoff has been carried out. */
  onLoggedOff?: () => void;
  logger: Logger;
}

export class IdleRunner {
  private readonly queue: SerialQueue;
  private readonly sampleEveryMs: number;
  private readonly sleepGapMs: number;
  private wakeTimer: Cancel | undefined;
  private plannedWake: number | undefined;
  private running = false;
  /** Whether the source has said "locked" since our last lock or unlock: a "not locked" before that is the lock still taking effect. */
  private seenLockedHint = false;
  private sampleFailing = false;

  constructor(private readonly options: IdleRunnerOptions) {
    this.sampleEveryMs = options.sampleEveryMs ?? 1_000;
    this.sleepGapMs = options.sleepGapMs ?? 10_000;
    this.queue = new SerialQueue((error) => options.logger.error('an idle step failed', { error: String(error) }));
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.wake();
  }

  /** Stops waking; resolves once the step under way (a lock command, say) has finished. */
  async stop(): Promise<void> {
    this.running = false;
    this.wakeTimer?.();
    await this.queue.idle();
  }

  /** Resolves when no step (a reading, a lock command) is under way. */
  idle(): Promise<void> {
    return this.queue.idle();
  }

  /** An input from outside the idle source: "I'm still here", presenting on or off, suspend and resume, lock and unlock notices. */
  send(input: IdleInput): Promise<void> {
    return this.queue.run(() => this.apply(input));
  }

  private wake(): void {
    void this.queue.run(async () => {
      if (!this.running) return;
      const { clock } = this.options;
      const now = clock();
      if (this.plannedWake !== undefined && now - this.plannedWake > this.sleepGapMs) {
        // The timer fired far too late: the PC slept. The time asleep is not idle time.
        await this.apply({ type: 'suspend', at: this.plannedWake });
        await this.apply({ type: 'resume', at: now });
      }
      await this.sample();
      await this.watchLockState();
      await this.apply({ type: 'tick', at: clock() });
      this.schedule();
    });
  }

  private schedule(): void {
    if (!this.running) return;
    const now = this.options.clock();
    const deadline = this.options.controller.nextDeadline();
    const at = Math.min(now + this.sampleEveryMs, deadline ?? Infinity);
    this.plannedWake = at;
    this.wakeTimer = this.options.scheduler.after(Math.max(0, at - now), () => this.wake());
  }

  private async sample(): Promise<void> {
    const { source, clock, logger } = this.options;
    try {
      const idleMs = await source.idleMs();
      if (this.sampleFailing) logger.info('the idle time can be read again', { source: source.name });
      this.sampleFailing = false;
      await this.apply({ type: 'idle-sample', at: clock(), idleMs });
    } catch (error) {
      if (!this.sampleFailing) logger.error('the idle time cannot be read; the last reading stands until it can', { source: source.name, error: String(error) });
      this.sampleFailing = true;
    }
  }

  /** A lock or unlock that someone else did (Win+L, the lock screen's password) reaches the controller through the source's hint. */
  private async watchLockState(): Promise<void> {
    const { source, controller, clock } = this.options;
    if (!source.lockedHint) return;
    const hint = await source.lockedHint().catch(() => undefined);
    if (hint === undefined) return;
    const locked = controller.state === 'locked' || controller.state === 'logoff-warning';
    if (hint) this.seenLockedHint = true;
    if (hint && !locked && controller.state !== 'logged-off') await this.apply({ type: 'locked', at: clock() });
    if (!hint && locked && this.seenLockedHint) await this.apply({ type: 'unlocked', at: clock() });
  }

  private async apply(input: IdleInput): Promise<void> {
    const { controller, onEvent } = this.options;
    if (input.type === 'locked' || input.type === 'unlocked') this.seenLockedHint = input.type === 'locked';
    const step = controller.handle(input);
    for (const event of step.events) onEvent(event);
    for (const action of step.actions) {
      if (action.type === 'lock') await this.lock();
      else await this.logoff();
    }
  }

  private async lock(): Promise<void> {
    const { actions, clock } = this.options;
    this.seenLockedHint = false;
    try {
      const outcome = await actions.lock();
      // A locker that keeps running until the password is typed (xautolock style): its exit is the unlock.
      outcome.until?.then(() => void this.send({ type: 'unlocked', at: clock() }));
    } catch (error) {
      await this.apply({ type: 'action-failed', at: clock(), action: 'lock', error: error instanceof Error ? error.message : String(error) });
    }
  }

  private async logoff(): Promise<void> {
    const { actions, clock } = this.options;
    try {
      await actions.logoff();
      this.options.onLoggedOff?.();
    } catch (error) {
      await this.apply({ type: 'action-failed', at: clock(), action: 'logoff', error: error instanceof Error ? error.message : String(error) });
    }
  }
}
