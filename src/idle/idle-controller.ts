/** The pure idle state machine behind "lock or log off when you leave a terminal unattended": timed inputs in, actions and events out; no timers, no I/O. */

import { assertNever } from '../util/assert-never';
import type { IdleSettings } from './idle-policy';
import { advance, dismiss, emit, logoffDeadline, newMemory, nextDeadlineOf, noteState, snapshotOf, stateOf, type IdleMemory } from './idle-deadlines';
import type { IdleActionType, IdleInput, IdleSnapshot, IdleState, IdleStep } from './idle-types';

export type { IdleAction, IdleActionType, IdleEvent, IdleInput, IdleSnapshot, IdleState, IdleStep } from './idle-types';

/*
 * Rules (times are the inputs' `at`, epoch ms; the controller never reads a clock):
 *
 * - Idle start = sample.at - sample.idleMs; the latest sample wins, but never earlier than the
 *   last sign of presence the OS counter may not show (still-here, unlock, resume). Lock
 *   deadline = idle start + lockAfterMs; the lock warning starts warnForMs before it, so the
 *   lock happens at its configured time. `nextDeadline()` is the exact next instant due.
 * - No action without its warning first, warnForMs ahead: a warning that starts late (a late
 *   tick, a sample revealing a long idle, presenting ending) moves the action to
 *   warning + warnForMs. Every state change emits a 'state' event.
 * - active → lock-warning → (deadline) action 'lock', event 'locking', state locked; the
 *   controller does not wait for confirmation. 'action-failed' for that lock → lock-warning,
 *   retried RETRY_AFTER_MS later (after a sleep: active, idle counted from the resume). Input (a sample whose idle start is more than
 *   SAMPLE_JITTER_MS later than known) or 'still-here' during a lock warning dismisses it.
 *   A 'locked' input (a manual lock) moves to locked without a 'locking' event.
 * - locked / logoff-warning: samples, input and 'still-here' change nothing; only 'unlocked'
 *   (or switching back to this session) returns to active, idle counted from then. The
 *   logoff clock runs from the lock (ours, manual, or another session taking the screen):
 *   warning at lockedAt + logoffAfterMs - warnForMs, then action 'logoff', event
 *   'logging-off', state logged-off, which is final except for 'action-failed' for the
 *   logoff (→ logoff-warning, retried RETRY_AFTER_MS later) and an unlock, which shows the
 *   logoff did not happen (→ active: never a retried logoff without a fresh warning for a
 *   user who is back at the keyboard).
 * - suspend → asleep, nothing due, samples ignored. Resume: the time asleep is not idle time;
 *   an unlocked session is active with idle counted from the resume; a locked one stays
 *   locked, its logoff pushed later by the time asleep and to no sooner than
 *   resume + 2 × warnForMs (a moment to see the screen, then a full warning).
 * - Presenting: refused when presentingLimitMs is 0, when locked or asleep; asking again while
 *   presenting cannot extend past first start + limit. While presenting there is no lock
 *   warning and no lock; the logoff clock of a locked session still runs. It ends at its
 *   limit ('limit') or on 'presenting-off' ('user'); then, if idle past the threshold, a full
 *   warning comes before the lock. Asleep, it is not in force; past its limit on resume, it
 *   ends then. A logoff ends it silently. Apps that keep the display on are not input: there
 *   is no input for them, on purpose.
 * - Exempt: the first handle() emits 'exempt'; no warnings, locks or logoffs, ever. Manual
 *   locks, sleep and presenting are still tracked.
 * - Inputs whose `at` is earlier than one already seen are taken as happening at that time.
 */

/** How long after a failed lock or logoff the controller tries again. */
export const RETRY_AFTER_MS = 10_000;

/**
 * A sample whose idle start is at most this much later than the known one is measurement
 * noise, not input: the OS idle counter ticks in 10–16 ms steps and the driver stamps `at`
 * a little after reading it. Without this, noise would dismiss a lock warning and restart it.
 * Outside a warning the latest sample simply wins.
 */
export const SAMPLE_JITTER_MS = 250;

/** Inputs that say something about presence: applied before overdue deadlines, so a late tick cannot lock someone the input shows was there. */
const APPLIED_FIRST: ReadonlySet<IdleInput['type']> = new Set(['idle-sample', 'still-here', 'locked', 'unlocked', 'session-switch']);

export class IdleController {
  private readonly memory: IdleMemory;
  private announced = false;

  constructor(settings: IdleSettings, startAt: number) {
    this.memory = newMemory(settings, startAt);
  }

  get state(): IdleState {
    return stateOf(this.memory);
  }

  handle(input: IdleInput): IdleStep {
    if (!Number.isFinite(input.at)) throw new RangeError(`idle input "${input.type}": expected a finite time, got ${input.at}`);
    const memory = this.memory;
    memory.now = Math.max(memory.now, input.at);
    memory.step = { actions: [], events: [] };
    if (!this.announced) {
      this.announced = true;
      const reason = memory.settings.exemptBecause;
      if (reason !== undefined) emit(memory, { type: 'exempt', at: memory.now, reason });
    }
    if (!APPLIED_FIRST.has(input.type)) advance(memory);
    this.apply(input);
    noteState(memory);
    advance(memory);
    return memory.step;
  }

  /** The next instant the controller must be told the time (a 'tick'), or undefined when nothing is due. */
  nextDeadline(): number | undefined {
    return nextDeadlineOf(this.memory);
  }

  /** For status displays: state, the pending warning's action and deadline, presenting until. */
  snapshot(): IdleSnapshot {
    return snapshotOf(this.memory);
  }

  private apply(input: IdleInput): void {
    const memory = this.memory;
    switch (input.type) {
      case 'idle-sample':
        return this.sample(input.at, input.idleMs);
      case 'tick':
        return;
      case 'still-here':
        if (memory.session === 'unlocked' && memory.asleepSince === undefined) this.present('still-here');
        return;
      case 'locked':
        return this.lock();
      case 'unlocked':
        return this.unlock();
      case 'session-switch':
        return input.active ? this.unlock() : this.lock();
      case 'suspend':
        return this.suspend();
      case 'resume':
        return this.resume();
      case 'presenting-on':
        return this.startPresenting(input.forMs);
      case 'presenting-off':
        if (memory.presenting === undefined) return;
        memory.presenting = undefined;
        return emit(memory, { type: 'presenting-ended', at: memory.now, reason: 'user' });
      case 'action-failed':
        return this.actionFailed(input.action, input.error);
      default:
        return assertNever(input);
    }
  }

  private sample(at: number, idleMs: number): void {
    const memory = this.memory;
    if (memory.session !== 'unlocked' || memory.asleepSince !== undefined || !Number.isFinite(idleMs)) return;
    const start = Math.max(memory.presentSince, Math.min(memory.now, at - Math.max(0, idleMs)));
    if (memory.warning === undefined) memory.idleStart = start;
    else if (start > memory.idleStart + SAMPLE_JITTER_MS) {
      dismiss(memory, 'input');
      memory.idleStart = start;
    }
  }

  /** The user is here now: idle counts from now, and a lock warning goes away. */
  private present(by: 'input' | 'still-here'): void {
    const memory = this.memory;
    memory.presentSince = memory.now;
    memory.idleStart = memory.now;
    dismiss(memory, by);
  }

  /** The session became locked, or another session took the screen: the logoff clock starts, unless it was locked already. */
  private lock(): void {
    const memory = this.memory;
    if (memory.session === 'logged-off') return;
    memory.pendingLock = undefined;
    if (memory.session === 'locked') return;
    memory.session = 'locked';
    memory.warning = undefined;
    memory.lockedAt = memory.now;
    memory.logoffAt = logoffDeadline(memory, memory.asleepSince ?? memory.now);
  }

  /** Back to active, idle counted from now; after a logoff, an unlock shows it did not happen (it failed, or the user cancelled it). */
  private unlock(): void {
    const memory = this.memory;
    if (memory.session !== 'unlocked') {
      dismiss(memory, 'input');
      memory.session = 'unlocked';
      memory.lockedAt = undefined;
      memory.logoffAt = undefined;
      memory.pendingLock = undefined;
    }
    if (memory.asleepSince === undefined) this.present('input');
  }

  private suspend(): void {
    const memory = this.memory;
    if (memory.session === 'logged-off' || memory.asleepSince !== undefined) return;
    memory.asleepSince = memory.now;
    memory.warning = undefined;
    if (memory.pendingLock !== undefined) memory.pendingLock.slept = true;
  }

  private resume(): void {
    const memory = this.memory;
    if (memory.asleepSince === undefined) return;
    const asleepFor = memory.now - memory.asleepSince;
    memory.asleepSince = undefined;
    if (memory.session === 'unlocked') return this.present('input');
    memory.presentSince = memory.now;
    if (memory.logoffAt !== undefined) memory.logoffAt = Math.max(memory.logoffAt + asleepFor, memory.now + 2 * memory.settings.warnForMs);
  }

  private startPresenting(forMs: number): void {
    const memory = this.memory;
    const refusal = this.presentingRefusal(forMs);
    if (refusal !== undefined) return emit(memory, { type: 'presenting-refused', at: memory.now, reason: refusal });
    const start = memory.presenting?.start ?? memory.now;
    const until = Math.min(memory.now + forMs, start + memory.settings.presentingLimitMs);
    dismiss(memory, 'input');
    memory.presenting = { start, until };
    emit(memory, { type: 'presenting-started', at: memory.now, until });
  }

  private presentingRefusal(forMs: number): string | undefined {
    const memory = this.memory;
    if (memory.settings.presentingLimitMs <= 0) return 'presenting mode is not allowed here (presentingLimit is 0s)';
    if (memory.session !== 'unlocked') return 'the session is locked';
    if (memory.asleepSince !== undefined) return 'the computer is asleep';
    if (!(forMs > 0)) return `expected a presenting time of more than 0 ms, got ${forMs}`;
    return undefined;
  }

  /**
   * Only a failure of the action still awaited counts; a stale report (already unlocked, or
   * the lock confirmed) is ignored. A lock that failed across a sleep is not retried at once:
   * the user is taken as present from the resume, and `retryAt` is the earliest the next lock
   * can come.
   */
  private actionFailed(action: IdleActionType, error: string): void {
    const memory = this.memory;
    let retryAt = memory.now + RETRY_AFTER_MS;
    if (action === 'lock') {
      const pending = memory.pendingLock;
      if (memory.session !== 'locked' || pending === undefined) return;
      memory.session = 'unlocked';
      memory.lockedAt = undefined;
      memory.logoffAt = undefined;
      memory.pendingLock = undefined;
      const { lockAfterMs, warnForMs } = memory.settings;
      if (memory.asleepSince !== undefined) retryAt = memory.now + lockAfterMs;
      else if (pending.slept) {
        memory.idleStart = memory.presentSince;
        retryAt = Math.max(memory.idleStart + lockAfterMs, memory.now + warnForMs);
      } else memory.warning = { action, deadline: retryAt };
    } else {
      if (memory.session !== 'logged-off') return;
      memory.session = 'locked';
      memory.warning = { action, deadline: retryAt };
    }
    emit(memory, { type: 'action-failed', at: memory.now, action, error, retryAt });
  }
}
