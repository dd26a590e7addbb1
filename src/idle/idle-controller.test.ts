import { Harness, M, S, settings } from '../../test/support/idle-harness';
import { IdleController, RETRY_AFTER_MS, type IdleInput } from './idle-controller';
import type { IdleSettings } from './idle-policy';

describe('IdleController: locking an idle session', () => {
  it('warns warnFor before the lock deadline, and locks exactly at idle start + lockAfter', () => {
    const h = new Harness();
    h.send({ type: 'idle-sample', at: 1 * S, idleMs: 1 * S });
    expect(h.controller.nextDeadline()).toBe(4 * M);
    const warned = h.send({ type: 'tick', at: 4 * M });
    expect(warned).toEqual({
      actions: [],
      events: [
        { type: 'warning', at: 4 * M, action: 'lock', deadline: 5 * M },
        { type: 'state', at: 4 * M, from: 'active', to: 'lock-warning' },
      ],
    });
    expect(h.controller.snapshot()).toEqual({ state: 'lock-warning', warning: { action: 'lock', deadline: 5 * M } });
    expect(h.controller.nextDeadline()).toBe(5 * M);
    expect(h.send({ type: 'tick', at: 5 * M })).toEqual({
      actions: [{ type: 'lock' }],
      events: [
        { type: 'locking', at: 5 * M, idleMs: 5 * M },
        { type: 'state', at: 5 * M, from: 'lock-warning', to: 'locked' },
      ],
    });
  });

  it('takes idle start from the latest sample: input before the warning moves every deadline', () => {
    const h = new Harness();
    h.send({ type: 'idle-sample', at: 3 * M, idleMs: 10 * S });
    expect(h.controller.nextDeadline()).toBe(3 * M - 10 * S + 4 * M);
    h.send({ type: 'idle-sample', at: 3 * M + S, idleMs: 3 * M + S });
    expect(h.controller.nextDeadline()).toBe(4 * M);
  });

  it('dismisses the warning on input, counting idle from the input', () => {
    const h = new Harness();
    h.runUntil(4 * M + 10 * S);
    expect(h.controller.state).toBe('lock-warning');
    const step = h.send({ type: 'idle-sample', at: 4 * M + 20 * S, idleMs: 5 * S });
    expect(step.events).toEqual([
      { type: 'warning-dismissed', at: 4 * M + 20 * S, action: 'lock', by: 'input' },
      { type: 'state', at: 4 * M + 20 * S, from: 'lock-warning', to: 'active' },
    ]);
    expect(h.controller.nextDeadline()).toBe(4 * M + 15 * S + 4 * M);
  });

  it('dismisses the warning with one click of "I\'m still here", counting idle from the click', () => {
    const h = new Harness();
    h.runUntil(4 * M + 30 * S);
    const step = h.send({ type: 'still-here', at: 4 * M + 30 * S });
    expect(step.events[0]).toEqual({ type: 'warning-dismissed', at: 4 * M + 30 * S, action: 'lock', by: 'still-here' });
    expect(h.controller.state).toBe('active');
    // A sample from before the click cannot bring the idle start back.
    h.send({ type: 'idle-sample', at: 4 * M + 31 * S, idleMs: 4 * M + 31 * S });
    expect(h.controller.nextDeadline()).toBe(8 * M + 30 * S);
  });

  it('treats a sample only slightly later than the known idle start as noise, not input', () => {
    const h = new Harness();
    h.send({ type: 'idle-sample', at: 4 * M + 10 * S, idleMs: 4 * M + 10 * S - 100 });
    expect(h.controller.state).toBe('lock-warning');
    expect(h.controller.snapshot().warning).toEqual({ action: 'lock', deadline: 5 * M });
  });

  it('warns for the full warnFor when the warning starts late, whatever the reason', () => {
    const h = new Harness();
    // The driver's tick comes 2 minutes late: past the lock deadline, with no warning yet.
    const step = h.controller.handle({ type: 'tick', at: 6 * M });
    expect(step.actions).toEqual([]);
    expect(step.events[0]).toEqual({ type: 'warning', at: 6 * M, action: 'lock', deadline: 7 * M });
    // A first sample revealing a long idle (the agent restarted) likewise.
    const other = new Harness({}, 10 * M);
    other.send({ type: 'idle-sample', at: 10 * M, idleMs: 60 * M });
    expect(other.controller.snapshot().warning).toEqual({ action: 'lock', deadline: 11 * M });
  });

  it('a suspend that arrives after the lock was due locks first', () => {
    const h = new Harness();
    h.runUntil(4 * M);
    expect(h.controller.handle({ type: 'suspend', at: 5 * M + 100 }).actions).toEqual([{ type: 'lock' }]);
    expect(h.controller.state).toBe('asleep');
    h.send({ type: 'resume', at: 6 * M });
    expect(h.controller.state).toBe('locked');
  });

  it('with warnFor 0, warns and locks in one step', () => {
    const h = new Harness({ warnForMs: 0 });
    expect(h.send({ type: 'tick', at: 5 * M }).events.map((event) => event.type)).toEqual(['warning', 'state', 'locking', 'state']);
  });

  it('a late sample showing input before the deadline wins over the overdue lock', () => {
    const h = new Harness();
    h.runUntil(4 * M + 59 * S);
    const step = h.controller.handle({ type: 'idle-sample', at: 5 * M + 500, idleMs: 1500 });
    expect(step.actions).toEqual([]);
    expect(h.controller.state).toBe('active');
  });
});

describe('IdleController: locked sessions and logging off', () => {
  function lockedAt5m(overrides: Partial<IdleSettings> = {}): Harness {
    const h = new Harness(overrides);
    h.runUntil(5 * M);
    expect(h.controller.state).toBe('locked');
    return h;
  }

  it('ignores samples, input and "still here" while locked; only unlocking returns to active', () => {
    const h = lockedAt5m();
    expect(h.send({ type: 'idle-sample', at: 6 * M, idleMs: 0 })).toEqual({ actions: [], events: [] });
    expect(h.send({ type: 'still-here', at: 6 * M })).toEqual({ actions: [], events: [] });
    h.send({ type: 'unlocked', at: 7 * M });
    expect(h.controller.state).toBe('active');
    expect(h.controller.nextDeadline()).toBe(11 * M);
  });

  it('warns and logs off logoffAfter after the lock, and then stays logged off', () => {
    const h = lockedAt5m();
    expect(h.controller.nextDeadline()).toBe(34 * M);
    h.runUntil(34 * M);
    expect(h.controller.snapshot()).toEqual({ state: 'logoff-warning', warning: { action: 'logoff', deadline: 35 * M } });
    expect(h.send({ type: 'still-here', at: 34 * M + S })).toEqual({ actions: [], events: [] });
    const step = h.send({ type: 'tick', at: 35 * M });
    expect(step).toEqual({
      actions: [{ type: 'logoff' }],
      events: [
        { type: 'logging-off', at: 35 * M, lockedForMs: 30 * M },
        { type: 'state', at: 35 * M, from: 'logoff-warning', to: 'logged-off' },
      ],
    });
    expect(h.controller.nextDeadline()).toBeUndefined();
    for (const input of [{ type: 'idle-sample', at: 36 * M, idleMs: 0 }, { type: 'still-here', at: 36 * M }, { type: 'locked', at: 36 * M }, { type: 'suspend', at: 36 * M }, { type: 'resume', at: 36 * M }, { type: 'presenting-off', at: 36 * M }, { type: 'action-failed', at: 36 * M, action: 'lock', error: 'x' }] as IdleInput[]) {
      expect(h.send(input)).toEqual({ actions: [], events: [] });
    }
    expect(h.controller.state).toBe('logged-off');
  });

  it('takes an unlock after the logoff as proof that it did not happen, and does not retry it', () => {
    const h = lockedAt5m();
    h.runUntil(35 * M);
    h.send({ type: 'unlocked', at: 35 * M + S });
    expect(h.controller.state).toBe('active');
    expect(h.send({ type: 'action-failed', at: 35 * M + 2 * S, action: 'logoff', error: 'cancelled' })).toEqual({ actions: [], events: [] });
    expect(h.controller.nextDeadline()).toBe(39 * M + S);
  });

  it('unlocking during the logoff warning dismisses it', () => {
    const h = lockedAt5m();
    h.runUntil(34 * M + 30 * S);
    expect(h.send({ type: 'unlocked', at: 34 * M + 30 * S }).events).toEqual([
      { type: 'warning-dismissed', at: 34 * M + 30 * S, action: 'logoff', by: 'input' },
      { type: 'state', at: 34 * M + 30 * S, from: 'logoff-warning', to: 'active' },
    ]);
  });

  it('never logs off when logoffAfter is "never"', () => {
    const h = lockedAt5m({ logoffAfterMs: undefined });
    expect(h.controller.nextDeadline()).toBeUndefined();
    h.runUntil(24 * 60 * M);
    expect(h.actions()).toEqual([{ at: 5 * M, type: 'lock' }]);
  });

  it('a manual lock starts the logoff clock, with no "locking" event and no lock action', () => {
    const h = new Harness();
    h.runUntil(4 * M + 30 * S);
    const step = h.send({ type: 'locked', at: 4 * M + 30 * S });
    expect(step).toEqual({ actions: [], events: [{ type: 'state', at: 4 * M + 30 * S, from: 'lock-warning', to: 'locked' }] });
    expect(h.controller.nextDeadline()).toBe(4 * M + 30 * S + 29 * M);
  });

  it('another session taking the screen counts as a lock; switching back as an unlock', () => {
    const h = new Harness();
    h.send({ type: 'session-switch', at: 2 * M, active: false });
    expect(h.controller.state).toBe('locked');
    expect(h.controller.nextDeadline()).toBe(31 * M);
    h.send({ type: 'locked', at: 3 * M });
    expect(h.controller.nextDeadline()).toBe(31 * M);
    h.send({ type: 'session-switch', at: 10 * M, active: true });
    expect(h.controller.state).toBe('active');
    expect(h.controller.nextDeadline()).toBe(14 * M);
  });
});

describe('IdleController: failed actions', () => {
  it('a failed lock goes back to the warning and retries in 10 s', () => {
    const h = new Harness();
    h.runUntil(5 * M);
    const step = h.send({ type: 'action-failed', at: 5 * M + 200, action: 'lock', error: 'loginctl: exit 1' });
    expect(step.events).toEqual([
      { type: 'action-failed', at: 5 * M + 200, action: 'lock', error: 'loginctl: exit 1', retryAt: 5 * M + 200 + RETRY_AFTER_MS },
      { type: 'state', at: 5 * M + 200, from: 'locked', to: 'lock-warning' },
    ]);
    expect(h.controller.nextDeadline()).toBe(5 * M + 200 + RETRY_AFTER_MS);
    expect(h.send({ type: 'tick', at: 5 * M + 200 + RETRY_AFTER_MS }).actions).toEqual([{ type: 'lock' }]);
  });

  it('ignores a failure report for a lock already confirmed, or for a lock that was not ours', () => {
    const h = new Harness();
    h.runUntil(5 * M);
    h.send({ type: 'locked', at: 5 * M + 100 });
    expect(h.send({ type: 'action-failed', at: 5 * M + 200, action: 'lock', error: 'late' })).toEqual({ actions: [], events: [] });
    const manual = new Harness();
    manual.send({ type: 'locked', at: M });
    expect(manual.send({ type: 'action-failed', at: 2 * M, action: 'lock', error: 'x' })).toEqual({ actions: [], events: [] });
  });

  it('a failed logoff goes back to the logoff warning and retries in 10 s', () => {
    const h = new Harness();
    h.runUntil(35 * M);
    expect(h.controller.state).toBe('logged-off');
    h.send({ type: 'action-failed', at: 35 * M + S, action: 'logoff', error: 'denied' });
    expect(h.controller.snapshot()).toEqual({ state: 'logoff-warning', warning: { action: 'logoff', deadline: 35 * M + S + RETRY_AFTER_MS } });
    expect(h.send({ type: 'tick', at: 35 * M + S + RETRY_AFTER_MS }).actions).toEqual([{ type: 'logoff' }]);
  });
});

describe('IdleController: exempt users', () => {
  it('says so once, and never warns, locks or logs off', () => {
    const h = new Harness({ exemptBecause: 'group SLT is in exemptGroups' });
    expect(h.send({ type: 'idle-sample', at: 0, idleMs: 0 }).events).toEqual([{ type: 'exempt', at: 0, reason: 'group SLT is in exemptGroups' }]);
    expect(h.controller.nextDeadline()).toBeUndefined();
    h.send({ type: 'idle-sample', at: 10 * 60 * M, idleMs: 10 * 60 * M });
    h.send({ type: 'locked', at: 10 * 60 * M });
    expect(h.controller.state).toBe('locked');
    expect(h.controller.nextDeadline()).toBeUndefined();
    h.send({ type: 'unlocked', at: 20 * 60 * M });
    expect(h.controller.state).toBe('active');
    expect(h.events('exempt')).toHaveLength(1);
    expect(h.actions()).toEqual([]);
    expect(h.events('warning')).toEqual([]);
  });
});

describe('IdleController: time', () => {
  it('takes an input stamped earlier than one already seen as happening at the latest time', () => {
    const h = new Harness();
    h.send({ type: 'tick', at: 4 * M });
    expect(h.controller.handle({ type: 'still-here', at: 3 * M }).events[0]).toEqual({ type: 'warning-dismissed', at: 4 * M, action: 'lock', by: 'still-here' });
    expect(h.controller.nextDeadline()).toBe(8 * M);
  });

  it('refuses a time that is not a number', () => {
    expect(() => new IdleController(settings(), 0).handle({ type: 'tick', at: Number.NaN })).toThrow(RangeError);
  });

  it('reports every state change, each starting where the last ended', () => {
    const h = new Harness();
    h.runUntil(4 * M + 30 * S);
    h.send({ type: 'suspend', at: 4 * M + 40 * S });
    h.send({ type: 'resume', at: 6 * M });
    h.runUntil(45 * M);
    const states = h.events('state');
    expect(states.map((event) => event.to)).toEqual(['lock-warning', 'asleep', 'active', 'lock-warning', 'locked', 'logoff-warning', 'logged-off']);
    states.forEach((event, index) => expect(event.from).toBe(index === 0 ? 'active' : states[index - 1]!.to));
  });
});
