import { captureLogger } from '../../test/support/capture-logger';
import { FakeScheduler } from '../../test/support/fake-scheduler';
import { IdleController, type IdleEvent } from './idle-controller';
import type { IdleSettings } from './idle-policy';
import { IdleRunner } from './idle-runner';
import type { IdleSource } from './idle-source';
import type { LockOutcome, SessionActions } from './session-actions';

const SETTINGS: IdleSettings = { lockAfterMs: 10_000, logoffAfterMs: 20_000, warnForMs: 3_000, presentingLimitMs: 0, exemptBecause: undefined, source: 'test' };

/** A session whose input, lock state and commands the test controls; time is the fake scheduler's plus any time "asleep". */
function session(settings: IdleSettings = SETTINGS) {
  const scheduler = new FakeScheduler();
  let asleepMs = 0;
  const clock = (): number => scheduler.now + asleepMs;
  let lastInput = 0;
  let lockedHint: boolean | undefined;
  let readable = true;
  const calls: Array<{ action: 'lock' | 'logoff'; at: number }> = [];
  let lockResult: () => Promise<LockOutcome> = async () => ({});
  let logoffResult: () => Promise<void> = async () => undefined;
  const source: IdleSource = {
    name: 'callback',
    idleMs: async () => {
      if (!readable) throw new Error('xprintidle failed (exit 1): couldn\'t open display');
      return clock() - lastInput;
    },
    lockedHint: async () => lockedHint,
  };
  const actions: SessionActions = {
    lock: () => {
      calls.push({ action: 'lock', at: clock() });
      return lockResult();
    },
    logoff: () => {
      calls.push({ action: 'logoff', at: clock() });
      return logoffResult();
    },
    describe: () => ({ lock: 'lock', logoff: 'logoff' }),
  };
  const events: IdleEvent[] = [];
  const loggedOff = jest.fn();
  const { logger, lines } = captureLogger();
  const runner = new IdleRunner({ controller: new IdleController(settings, 0), source, actions, scheduler, clock, onEvent: (e) => events.push(e), onLoggedOff: loggedOff, logger });
  /** Moves time on a tenth of a second at a time, letting each step finish. */
  const pass = async (ms: number): Promise<void> => {
    for (let left = ms; left > 0; left -= 100) {
      scheduler.advance(Math.min(100, left));
      await runner.idle();
      await new Promise((resolve) => setImmediate(resolve));
      await runner.idle();
    }
  };
  return {
    runner,
    events,
    calls,
    lines,
    loggedOff,
    pass,
    clock,
    input: () => (lastInput = clock()),
    setLockedHint: (value: boolean | undefined) => (lockedHint = value),
    setReadable: (value: boolean) => (readable = value),
    sleep: (ms: number) => (asleepMs += ms),
    onLock: (result: () => Promise<LockOutcome>) => (lockResult = result),
    onLogoff: (result: () => Promise<void>) => (logoffResult = result),
  };
}

const types = (events: IdleEvent[]): string[] => events.filter((e) => e.type !== 'state').map((e) => e.type);

describe('IdleRunner', () => {
  it('warns, then locks at the threshold to the tenth of a second, then logs off when the time after the lock is up', async () => {
    const s = session();
    s.runner.start();
    await s.pass(9_900);
    expect(s.calls).toEqual([]);
    await s.pass(200);
    expect(s.calls).toEqual([{ action: 'lock', at: 10_000 }]);
    await s.pass(20_000);
    expect(s.calls).toEqual([
      { action: 'lock', at: 10_000 },
      { action: 'logoff', at: 30_000 },
    ]);
    expect(types(s.events)).toEqual(['warning', 'locking', 'warning', 'logging-off']);
    expect(s.loggedOff).toHaveBeenCalledTimes(1);
    await s.runner.stop();
  });

  it('input during the warning puts the lock off to a full idle period after it', async () => {
    const s = session();
    s.runner.start();
    await s.pass(8_000);
    s.input();
    await s.pass(1_100);
    expect(types(s.events)).toEqual(['warning', 'warning-dismissed']);
    await s.pass(9_000);
    expect(s.calls).toEqual([{ action: 'lock', at: 18_000 }]);
    await s.runner.stop();
  });

  it('takes a wake far later than planned as a sleep: no lock the moment the PC resumes', async () => {
    const s = session();
    s.runner.start();
    await s.pass(5_000);
    s.sleep(3_600_000);
    await s.pass(1_000);
    expect(s.events.filter((e) => e.type === 'state').map((e) => (e.type === 'state' ? e.to : ''))).toEqual(['asleep', 'active']);
    expect(s.calls).toEqual([]);
    await s.pass(8_000);
    expect(s.calls).toEqual([]);
    await s.pass(2_100);
    expect(s.calls.map((c) => c.action)).toEqual(['lock']);
    await s.runner.stop();
  });

  it('a lock command that fails is reported and tried again', async () => {
    const s = session();
    s.onLock(async () => {
      throw new Error('loginctl lock-session 3 failed (exit 1): no such session');
    });
    s.runner.start();
    await s.pass(10_100);
    expect(s.events).toContainEqual(expect.objectContaining({ type: 'action-failed', action: 'lock', error: 'loginctl lock-session 3 failed (exit 1): no such session' }));
    await s.pass(10_000);
    expect(s.calls.filter((c) => c.action === 'lock').length).toBe(2);
    await s.runner.stop();
  });

  it('hears a lock someone else made (Win+L) and an unlock through the source\'s hint', async () => {
    const s = session();
    s.runner.start();
    await s.pass(2_000);
    s.setLockedHint(true);
    await s.pass(1_100);
    expect(s.events).toContainEqual(expect.objectContaining({ type: 'state', from: 'active', to: 'locked' }));
    s.setLockedHint(false);
    s.input();
    await s.pass(1_100);
    expect(s.events).toContainEqual(expect.objectContaining({ type: 'state', from: 'locked', to: 'active' }));
    expect(s.calls).toEqual([]);
    await s.runner.stop();
  });

  it('does not take "not locked yet" just after its own lock for an unlock', async () => {
    const s = session();
    s.setLockedHint(false);
    s.runner.start();
    await s.pass(12_000);
    expect(s.events.filter((e) => e.type === 'state').map((e) => (e.type === 'state' ? e.to : ''))).toEqual(['lock-warning', 'locked']);
    await s.runner.stop();
  });

  it('takes a locker program exiting as the unlock', async () => {
    const s = session();
    let unlock: () => void = () => undefined;
    s.onLock(async () => ({ until: new Promise<void>((resolve) => (unlock = resolve)) }));
    s.runner.start();
    await s.pass(10_100);
    unlock();
    s.input();
    await s.pass(200);
    expect(s.events).toContainEqual(expect.objectContaining({ type: 'state', from: 'locked', to: 'active' }));
    await s.runner.stop();
  });

  it('says once that the idle time cannot be read, and once that it can again', async () => {
    const s = session();
    s.setReadable(false);
    s.runner.start();
    await s.pass(3_000);
    s.setReadable(true);
    await s.pass(1_000);
    expect(s.lines.map((line) => line.message)).toEqual(['the idle time cannot be read; the last reading stands until it can', 'the idle time can be read again']);
    await s.runner.stop();
  });
});
