/** The idle controller's memory and what falls due over time: warnings, locks, logoffs and the presenting limit (see idle-controller.ts for the rules). */

import type { IdleSettings } from './idle-policy';
import type { IdleActionType, IdleEvent, IdleSnapshot, IdleState, IdleStep } from './idle-types';

export type Session = 'unlocked' | 'locked' | 'logged-off';

/** Everything the controller remembers; only idle-controller.ts and this module change it. */
export interface IdleMemory {
  readonly settings: IdleSettings;
  /** The latest `at` seen. */
  now: number;
  session: Session;
  idleStart: number;
  /** The last sign of presence the OS idle counter may not reflect (still-here, unlock, resume, even of a locked session). */
  presentSince: number;
  lockedAt: number | undefined;
  logoffAt: number | undefined;
  /** Our lock was issued and nothing has confirmed or undone it yet; `slept`: the PC has slept since. */
  pendingLock: { slept: boolean } | undefined;
  asleepSince: number | undefined;
  /** The warning showing: a lock warning while unlocked, a logoff warning while locked. */
  warning: { action: IdleActionType; deadline: number } | undefined;
  presenting: { start: number; until: number } | undefined;
  /** The state the last 'state' event reported. */
  reported: IdleState;
  /** What the input being handled has led to so far. */
  step: IdleStep;
}

export function newMemory(settings: IdleSettings, startAt: number): IdleMemory {
  return {
    settings,
    now: startAt,
    session: 'unlocked',
    idleStart: startAt,
    presentSince: Number.NEGATIVE_INFINITY,
    lockedAt: undefined,
    logoffAt: undefined,
    pendingLock: undefined,
    asleepSince: undefined,
    warning: undefined,
    presenting: undefined,
    reported: 'active',
    step: { actions: [], events: [] },
  };
}

export function stateOf(memory: IdleMemory): IdleState {
  if (memory.session === 'logged-off') return 'logged-off';
  if (memory.asleepSince !== undefined) return 'asleep';
  if (memory.session === 'locked') return memory.warning === undefined ? 'locked' : 'logoff-warning';
  return memory.warning === undefined ? 'active' : 'lock-warning';
}

/** Presenting is not in force while asleep, so it is not shown then. */
export function snapshotOf(memory: IdleMemory): IdleSnapshot {
  const snapshot: IdleSnapshot = { state: stateOf(memory) };
  if (memory.warning !== undefined) snapshot.warning = { ...memory.warning };
  if (memory.presenting !== undefined && memory.asleepSince === undefined) snapshot.presentingUntil = memory.presenting.until;
  return snapshot;
}

/** The warning showing goes away, because the user is there. */
export function dismiss(memory: IdleMemory, by: 'input' | 'still-here'): void {
  if (memory.warning === undefined) return;
  emit(memory, { type: 'warning-dismissed', at: memory.now, action: memory.warning.action, by });
  memory.warning = undefined;
}

export function emit(memory: IdleMemory, event: IdleEvent): void {
  memory.step.events.push(event);
}

/** A 'state' event if the state differs from the one last reported. */
export function noteState(memory: IdleMemory): void {
  const state = stateOf(memory);
  if (state === memory.reported) return;
  emit(memory, { type: 'state', at: memory.now, from: memory.reported, to: state });
  memory.reported = state;
}

/** The next instant something falls due, or undefined when nothing will (asleep, logged off, exempt and idle). */
export function nextDeadlineOf(memory: IdleMemory): number | undefined {
  if (memory.session === 'logged-off' || memory.asleepSince !== undefined) return undefined;
  const due = [memory.presenting?.until, memory.warning?.deadline ?? nextWarning(memory)?.startsAt].filter((at): at is number => at !== undefined);
  return due.length === 0 ? undefined : Math.min(...due);
}

/** Acts on everything due by `memory.now`, one thing at a time, until nothing is. */
export function advance(memory: IdleMemory): void {
  for (let steps = 0; advanceOnce(memory); steps++) {
    noteState(memory);
    if (steps > 8) throw new Error('idle controller: deadlines keep falling due (a bug)');
  }
}

export function logoffDeadline(memory: IdleMemory, from: number): number | undefined {
  const { exemptBecause, logoffAfterMs } = memory.settings;
  return exemptBecause !== undefined || logoffAfterMs === undefined ? undefined : from + logoffAfterMs;
}

function advanceOnce(memory: IdleMemory): boolean {
  if (memory.session === 'logged-off' || memory.asleepSince !== undefined) return false;
  if (memory.presenting !== undefined && memory.now >= memory.presenting.until) {
    memory.presenting = undefined;
    emit(memory, { type: 'presenting-ended', at: memory.now, reason: 'limit' });
    return true;
  }
  if (memory.warning !== undefined) {
    if (memory.now < memory.warning.deadline) return false;
    act(memory, memory.warning.action);
    return true;
  }
  const next = nextWarning(memory);
  if (next === undefined || memory.now < next.startsAt) return false;
  // A warning that starts late (a late tick, a sample revealing a long idle, presenting ending) still gets its full time.
  const deadline = Math.max(next.deadline, memory.now + memory.settings.warnForMs);
  memory.warning = { action: next.action, deadline };
  emit(memory, { type: 'warning', at: memory.now, action: next.action, deadline });
  return true;
}

/** The warning the current state leads to when none is showing: when it starts, and when its action is due. */
function nextWarning(memory: IdleMemory): { action: IdleActionType; startsAt: number; deadline: number } | undefined {
  const { exemptBecause, lockAfterMs, warnForMs } = memory.settings;
  if (exemptBecause !== undefined) return undefined;
  if (memory.session === 'unlocked' && memory.presenting === undefined) {
    const deadline = memory.idleStart + lockAfterMs;
    return { action: 'lock', startsAt: deadline - warnForMs, deadline };
  }
  if (memory.session === 'locked' && memory.logoffAt !== undefined) {
    return { action: 'logoff', startsAt: memory.logoffAt - warnForMs, deadline: memory.logoffAt };
  }
  return undefined;
}

/** Carries out a warned action: the controller does not wait for it to take effect ('action-failed' undoes it). */
function act(memory: IdleMemory, action: IdleActionType): void {
  memory.warning = undefined;
  memory.step.actions.push({ type: action });
  if (action === 'lock') {
    emit(memory, { type: 'locking', at: memory.now, idleMs: memory.now - memory.idleStart });
    memory.session = 'locked';
    memory.lockedAt = memory.now;
    memory.logoffAt = logoffDeadline(memory, memory.now);
    memory.pendingLock = { slept: false };
  } else {
    emit(memory, { type: 'logging-off', at: memory.now, lockedForMs: memory.now - (memory.lockedAt ?? memory.now) });
    memory.session = 'logged-off';
    memory.presenting = undefined;
  }
}
