import { Harness, M, S } from '../../test/support/idle-harness';
import type { IdleInput } from './idle-controller';

describe('IdleController: sleep', () => {
  it('has nothing due while asleep, ignores samples, and counts idle from the resume', () => {
    const h = new Harness();
    h.runUntil(4 * M + 30 * S);
    expect(h.send({ type: 'suspend', at: 4 * M + 30 * S }).events).toEqual([{ type: 'state', at: 4 * M + 30 * S, from: 'lock-warning', to: 'asleep' }]);
    expect(h.controller.nextDeadline()).toBeUndefined();
    expect(h.send({ type: 'idle-sample', at: 60 * M, idleMs: 60 * M })).toEqual({ actions: [], events: [] });
    h.send({ type: 'resume', at: 90 * M });
    expect(h.controller.state).toBe('active');
    // The OS idle counter may still count the night; the resume is the floor.
    h.send({ type: 'idle-sample', at: 90 * M + S, idleMs: 90 * M });
    expect(h.controller.nextDeadline()).toBe(94 * M);
  });

  it('keeps a locked session locked, pushing its logoff later by the time asleep', () => {
    const h = new Harness();
    h.send({ type: 'locked', at: 0 });
    h.send({ type: 'suspend', at: 10 * M });
    h.send({ type: 'resume', at: 70 * M });
    expect(h.controller.state).toBe('locked');
    expect(h.controller.nextDeadline()).toBe(89 * M);
  });

  it('gives a full warning, and a moment before it, after waking a session whose logoff was due', () => {
    const h = new Harness();
    h.send({ type: 'locked', at: 0 });
    h.runUntil(29 * M + 50 * S);
    expect(h.controller.state).toBe('logoff-warning');
    h.send({ type: 'suspend', at: 29 * M + 50 * S });
    h.send({ type: 'resume', at: 29 * M + 55 * S });
    expect(h.controller.snapshot()).toEqual({ state: 'locked' });
    expect(h.controller.nextDeadline()).toBe(29 * M + 55 * S + 60 * S);
    h.runUntil(40 * M);
    expect(h.actions()).toEqual([{ at: 29 * M + 55 * S + 120 * S, type: 'logoff' }]);
  });

  it('does not retry at once a lock that failed across a sleep: the user is taken as present from the resume', () => {
    const h = new Harness();
    h.runUntil(5 * M);
    h.send({ type: 'suspend', at: 5 * M + S });
    h.send({ type: 'resume', at: 20 * M });
    const step = h.send({ type: 'action-failed', at: 20 * M + S, action: 'lock', error: 'no session bus' });
    expect(step.events).toEqual([
      { type: 'action-failed', at: 20 * M + S, action: 'lock', error: 'no session bus', retryAt: 25 * M },
      { type: 'state', at: 20 * M + S, from: 'locked', to: 'active' },
    ]);
    expect(h.controller.nextDeadline()).toBe(24 * M);
    // Reported while still asleep: idle counts from the resume, whenever that is.
    const asleep = new Harness();
    asleep.runUntil(5 * M);
    asleep.send({ type: 'suspend', at: 5 * M + S });
    expect(asleep.send({ type: 'action-failed', at: 5 * M + 2 * S, action: 'lock', error: 'x' }).events[0]).toMatchObject({ retryAt: 10 * M + 2 * S });
    asleep.send({ type: 'resume', at: 60 * M });
    expect(asleep.controller.state).toBe('active');
    expect(asleep.controller.nextDeadline()).toBe(64 * M);
  });

  it('tracks a lock that happens while asleep, and counts its logoff from the resume', () => {
    const h = new Harness();
    h.send({ type: 'suspend', at: M });
    h.send({ type: 'locked', at: M + S });
    h.send({ type: 'resume', at: 10 * M });
    expect(h.controller.state).toBe('locked');
    expect(h.controller.nextDeadline()).toBe(39 * M);
  });
});

describe('IdleController: presenting', () => {
  it('holds off the lock while presenting, up to the limit, then warns in full before locking', () => {
    const h = new Harness({ presentingLimitMs: 20 * M });
    expect(h.send({ type: 'presenting-on', at: M, forMs: 2 * 60 * M }).events).toEqual([{ type: 'presenting-started', at: M, until: 21 * M }]);
    expect(h.controller.snapshot()).toEqual({ state: 'active', presentingUntil: 21 * M });
    expect(h.controller.nextDeadline()).toBe(21 * M);
    // The presenter is idle the whole time.
    h.send({ type: 'idle-sample', at: 20 * M, idleMs: 20 * M });
    expect(h.actions()).toEqual([]);
    const ended = h.send({ type: 'tick', at: 21 * M });
    expect(ended.events).toEqual([
      { type: 'presenting-ended', at: 21 * M, reason: 'limit' },
      { type: 'warning', at: 21 * M, action: 'lock', deadline: 22 * M },
      { type: 'state', at: 21 * M, from: 'active', to: 'lock-warning' },
    ]);
    h.runUntil(22 * M);
    expect(h.actions()).toEqual([{ at: 22 * M, type: 'lock' }]);
  });

  it('ends on presenting-off, and asking again cannot go past the first start + limit', () => {
    const h = new Harness({ presentingLimitMs: 20 * M });
    h.send({ type: 'presenting-on', at: 0, forMs: 10 * M });
    expect(h.send({ type: 'presenting-on', at: 5 * M, forMs: 30 * M }).events).toEqual([{ type: 'presenting-started', at: 5 * M, until: 20 * M }]);
    // Idle since 0, so past the threshold: the warning follows at once, in full.
    expect(h.send({ type: 'presenting-off', at: 6 * M }).events.slice(0, 2)).toEqual([
      { type: 'presenting-ended', at: 6 * M, reason: 'user' },
      { type: 'warning', at: 6 * M, action: 'lock', deadline: 7 * M },
    ]);
    // A new start gets a new limit.
    expect(h.send({ type: 'presenting-on', at: 6 * M + 30 * S, forMs: 30 * M }).events[1]).toEqual({ type: 'presenting-started', at: 6 * M + 30 * S, until: 26 * M + 30 * S });
  });

  it('dismisses a lock warning when presenting starts', () => {
    const h = new Harness();
    h.runUntil(4 * M + 30 * S);
    expect(h.send({ type: 'presenting-on', at: 4 * M + 30 * S, forMs: 10 * M }).events.map((event) => event.type)).toEqual(['warning-dismissed', 'presenting-started', 'state']);
    expect(h.controller.state).toBe('active');
  });

  it.each([
    ['the limit is 0', { presentingLimitMs: 0 }, [] as IdleInput[], 'presenting mode is not allowed here (presentingLimit is 0s)'],
    ['locked', {}, [{ type: 'locked', at: 0 }] as IdleInput[], 'the session is locked'],
    ['asleep', {}, [{ type: 'suspend', at: 0 }] as IdleInput[], 'the computer is asleep'],
  ])('is refused when %s', (_when, overrides, before, reason) => {
    const h = new Harness(overrides);
    for (const input of before) h.send(input);
    expect(h.send({ type: 'presenting-on', at: S, forMs: 10 * M }).events).toEqual([{ type: 'presenting-refused', at: S, reason }]);
  });

  it('never holds off the logoff of a locked session', () => {
    const h = new Harness();
    h.send({ type: 'presenting-on', at: 0, forMs: 60 * M });
    h.send({ type: 'locked', at: M });
    h.runUntil(31 * M);
    expect(h.actions()).toEqual([{ at: 31 * M, type: 'logoff' }]);
    expect(h.events('presenting-ended')).toEqual([]);
    expect(h.controller.snapshot()).toEqual({ state: 'logged-off' });
  });

  it('is not in force while asleep, and ends on resume if its limit passed', () => {
    const h = new Harness();
    h.send({ type: 'presenting-on', at: 0, forMs: 10 * M });
    h.send({ type: 'suspend', at: M });
    expect(h.controller.snapshot()).toEqual({ state: 'asleep' });
    expect(h.send({ type: 'resume', at: 30 * M }).events).toEqual([
      { type: 'state', at: 30 * M, from: 'asleep', to: 'active' },
      { type: 'presenting-ended', at: 30 * M, reason: 'limit' },
    ]);
  });
});
