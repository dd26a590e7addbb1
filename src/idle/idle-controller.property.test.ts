import fc from 'fast-check';
import { IdleController, type IdleEvent, type IdleInput, type IdleSnapshot, type IdleStep } from './idle-controller';
import type { IdleSettings } from './idle-policy';

const S = 1000;

/** Settings within the schema's bounds, mostly short so that random inputs reach every state. */
function settingsArbitrary(exempt: boolean): fc.Arbitrary<IdleSettings> {
  const seconds = (max: number): fc.Arbitrary<number> => fc.oneof({ weight: 4, arbitrary: fc.integer({ min: 1, max: 120 }) }, { weight: 1, arbitrary: fc.integer({ min: 1, max }) });
  return fc
    .record({ lock: seconds(24 * 3600), logoff: fc.option(seconds(7 * 24 * 3600), { nil: undefined }), presenting: fc.oneof(fc.constant(0), seconds(12 * 3600)) })
    .chain(({ lock, logoff, presenting }) =>
      fc.integer({ min: 0, max: Math.min(lock - 1, (logoff ?? Infinity) - 1, 3600) }).map((warn) => ({
        lockAfterMs: lock * S,
        logoffAfterMs: logoff === undefined ? undefined : logoff * S,
        warnForMs: warn * S,
        presentingLimitMs: presenting * S,
        exemptBecause: exempt ? 'user head is in exemptUsers' : undefined,
        source: 'property test',
      })),
    );
}

type Timeless<T> = T extends unknown ? Omit<T, 'at'> : never;

/** One input without its time, and how long after the previous one it comes. */
function inputsArbitrary(settings: IdleSettings): fc.Arbitrary<{ gap: number; input: Timeless<IdleInput> }[]> {
  const scale = Math.min(settings.lockAfterMs + settings.warnForMs, 600 * S);
  const duration = fc.oneof(fc.integer({ min: 0, max: 2 * scale }), fc.integer({ min: 0, max: 2 * Math.max(settings.presentingLimitMs, S) }), fc.integer({ min: -S, max: 0 }));
  const input: fc.Arbitrary<Timeless<IdleInput>> = fc.oneof(
    { weight: 6, arbitrary: duration.map((idleMs) => ({ type: 'idle-sample' as const, idleMs })) },
    { weight: 1, arbitrary: fc.constant({ type: 'tick' as const }) },
    { weight: 2, arbitrary: fc.constant({ type: 'still-here' as const }) },
    { weight: 2, arbitrary: fc.constant({ type: 'locked' as const }) },
    { weight: 2, arbitrary: fc.constant({ type: 'unlocked' as const }) },
    { weight: 2, arbitrary: fc.constant({ type: 'suspend' as const }) },
    { weight: 2, arbitrary: fc.constant({ type: 'resume' as const }) },
    { weight: 1, arbitrary: fc.boolean().map((active) => ({ type: 'session-switch' as const, active })) },
    { weight: 2, arbitrary: duration.map((forMs) => ({ type: 'presenting-on' as const, forMs })) },
    { weight: 1, arbitrary: fc.constant({ type: 'presenting-off' as const }) },
    { weight: 2, arbitrary: fc.constantFrom('lock' as const, 'logoff' as const).map((action) => ({ type: 'action-failed' as const, action, error: 'refused' })) },
  );
  const gap = fc.oneof(fc.integer({ min: 0, max: 2 * S }), fc.integer({ min: 0, max: 2 * scale }), fc.integer({ min: 0, max: 4 * scale }));
  return fc.array(fc.record({ gap, input }), { maxLength: 60 });
}

interface Entry {
  input: IdleInput;
  /** The time the controller took it at: inputs come in time order, so `input.at`. */
  at: number;
  step: IdleStep;
  snapshot: IdleSnapshot;
  next: number | undefined;
}

/** The driver model: tick at every `nextDeadline()` before the next input, deliver it, and carry on ticking to `until`. */
function drive(settings: IdleSettings, inputs: { gap: number; input: Timeless<IdleInput> }[], until: number): Entry[] {
  const controller = new IdleController(settings, 0);
  const trace: Entry[] = [];
  const handle = (input: IdleInput): void => {
    const step = controller.handle(input);
    const next = controller.nextDeadline();
    trace.push({ input, at: input.at, step, snapshot: controller.snapshot(), next });
    if (next !== undefined && next <= input.at) throw new Error(`nextDeadline() ${next} is not after ${input.at}`);
    if (trace.length > 2000) throw new Error('the controller keeps asking for ticks');
  };
  const tickUntil = (at: number): void => {
    for (let due = controller.nextDeadline(); due !== undefined && due <= at; due = controller.nextDeadline()) handle({ type: 'tick', at: due });
  };
  let at = 0;
  for (const { gap, input } of inputs) {
    at += gap;
    tickUntil(at);
    handle({ ...input, at } as IdleInput);
  }
  tickUntil(at + until);
  return trace;
}

function eventsOf(trace: Entry[]): { entry: Entry; event: IdleEvent }[] {
  return trace.flatMap((entry) => entry.step.events.map((event) => ({ entry, event })));
}

/** (a) No action without its warning at least warnFor earlier, with no unlock (or return to active, or sleep) in between. */
function checkWarnedActions(settings: IdleSettings, trace: Entry[]): void {
  const armed: { lock?: number; logoff?: number } = {};
  for (const entry of trace) {
    if (entry.input.type === 'unlocked' || (entry.input.type === 'session-switch' && entry.input.active)) {
      armed.lock = undefined;
      armed.logoff = undefined;
    }
    for (const event of entry.step.events) {
      if (event.type === 'warning') armed[event.action] = event.at;
      if (event.type === 'state' && (event.to === 'active' || event.to === 'asleep')) {
        armed.lock = undefined;
        armed.logoff = undefined;
      }
      if (event.type === 'locking' || event.type === 'logging-off') {
        const action = event.type === 'locking' ? 'lock' : 'logoff';
        const warnedAt = armed[action];
        if (warnedAt === undefined) throw new Error(`${action} at ${event.at} with no warning since the last unlock`);
        if (event.at - warnedAt < settings.warnForMs) throw new Error(`${action} at ${event.at}, only ${event.at - warnedAt} ms after its warning`);
      }
    }
    const actions = entry.step.actions.map((action) => action.type);
    const announced = entry.step.events.flatMap((event) => (event.type === 'locking' ? ['lock'] : event.type === 'logging-off' ? ['logoff'] : []));
    expect(actions).toEqual(announced);
  }
}

/** (b) Presenting is never in force past its first start + limit, and never while a lock happens. */
function checkPresenting(settings: IdleSettings, trace: Entry[]): void {
  let start: number | undefined;
  for (const entry of trace) {
    for (const event of entry.step.events) {
      if (event.type === 'presenting-started') {
        start ??= event.at;
        if (event.until > start + settings.presentingLimitMs) throw new Error(`presenting until ${event.until}, past ${start} + ${settings.presentingLimitMs}`);
      }
      if (event.type === 'presenting-ended') {
        if (event.reason === 'limit' && entry.input.type !== 'resume' && event.at > start! + settings.presentingLimitMs) throw new Error(`presenting ended at ${event.at}, late`);
        start = undefined;
      }
      if (event.type === 'logging-off') start = undefined;
      if (event.type === 'locking' && start !== undefined) throw new Error(`locked at ${event.at} while presenting`);
    }
    const until = entry.snapshot.presentingUntil;
    if (until !== undefined) {
      if (start === undefined || until > start + settings.presentingLimitMs) throw new Error(`presenting until ${until} at ${entry.at}, beyond its limit`);
      if (until <= entry.at) throw new Error(`presenting still in force at ${entry.at}, after its end ${until}`);
    }
  }
}

/**
 * (c) No logoff within warnFor of a resume; and a session locked through the sleep gets a
 * moment and then a full warning: no logoff within 2 × warnFor of the resume.
 */
function checkResume(settings: IdleSettings, trace: Entry[]): void {
  let resumedAt: number | undefined;
  let resumedLockedAt: number | undefined;
  for (const { event } of eventsOf(trace)) {
    if (event.type === 'state' && event.from === 'asleep') {
      resumedAt = event.at;
      resumedLockedAt = event.to === 'active' ? undefined : event.at;
    }
    if (event.type === 'state' && event.to === 'active') resumedLockedAt = undefined;
    if (event.type !== 'logging-off') continue;
    if (resumedAt !== undefined && event.at - resumedAt < settings.warnForMs) throw new Error(`logged off at ${event.at}, ${event.at - resumedAt} ms after resuming`);
    if (resumedLockedAt !== undefined && event.at - resumedLockedAt < 2 * settings.warnForMs) {
      throw new Error(`logged off at ${event.at}, ${event.at - resumedLockedAt} ms after resuming a locked session`);
    }
  }
}

/** Time asleep is not locked time: a logoff comes after at least logoffAfter awake and locked. */
function checkLockedTime(settings: IdleSettings, trace: Entry[]): void {
  let state = 'active';
  let previous = 0;
  let lockedMs = 0;
  for (const entry of trace) {
    if (state === 'locked' || state === 'logoff-warning') lockedMs += entry.at - previous;
    previous = entry.at;
    for (const event of entry.step.events) {
      if (event.type === 'state') state = event.to;
      if (event.type === 'state' && (event.to === 'active' || event.to === 'lock-warning')) lockedMs = 0;
      if (event.type === 'logging-off' && lockedMs < settings.logoffAfterMs!) throw new Error(`logged off at ${event.at} after ${lockedMs} ms locked and awake`);
    }
  }
}

/** Every state change is reported, each starting where the last ended; snapshots agree with the state. */
function checkStates(trace: Entry[]): void {
  let state = 'active';
  for (const entry of trace) {
    for (const event of entry.step.events) {
      if (event.type !== 'state') continue;
      expect(event.from).toBe(state);
      expect(event.to).not.toBe(state);
      state = event.to;
    }
    expect(entry.snapshot.state).toBe(state);
    expect(entry.snapshot.warning !== undefined).toBe(state === 'lock-warning' || state === 'logoff-warning');
  }
}

describe('IdleController properties', () => {
  it('(a)–(c): warned actions, bounded presenting, no logoff just after a resume; sleep is not locked time; consistent states', () => {
    fc.assert(
      fc.property(settingsArbitrary(false).chain((settings) => fc.tuple(fc.constant(settings), inputsArbitrary(settings))), ([settings, inputs]) => {
        const trace = drive(settings, inputs, 3 * (settings.lockAfterMs + (settings.logoffAfterMs ?? 0) + settings.presentingLimitMs));
        checkWarnedActions(settings, trace);
        checkPresenting(settings, trace);
        checkResume(settings, trace);
        checkLockedTime(settings, trace);
        checkStates(trace);
      }),
      { numRuns: 400 },
    );
  });

  it('(d) with a sample at least every second, the lock comes within 1 s of the last input + lockAfter', () => {
    const scenario = settingsArbitrary(false)
      .filter((settings) => settings.lockAfterMs <= 120 * S)
      .chain((settings) =>
        fc.record({
          settings: fc.constant(settings),
          // Gaps short enough that no earlier pause is itself a lock.
          inputGaps: fc.array(fc.integer({ min: 0, max: Math.max(0, settings.lockAfterMs - S - 1) }), { maxLength: settings.lockAfterMs > S ? 8 : 0 }),
          // Repeated as long as it takes (no shorter than 100 ms, to keep the run short).
          sampleGaps: fc.array(fc.integer({ min: 100, max: S }), { minLength: 1, maxLength: 50 }),
        }),
      );
    fc.assert(
      fc.property(scenario, ({ settings, inputGaps, sampleGaps }) => {
        const inputs = inputGaps.reduce<number[]>((times, gap) => [...times, times[times.length - 1]! + gap], [0]);
        const lastInput = inputs[inputs.length - 1]!;
        const target = lastInput + settings.lockAfterMs;
        const controller = new IdleController(settings, 0);
        const locks: number[] = [];
        const handle = (input: IdleInput): void => {
          if (controller.handle(input).actions.some((action) => action.type === 'lock')) locks.push(input.at);
        };
        let at = 0;
        for (let index = 0; locks.length === 0 && at <= target + 2 * S; index++) {
          const gap = sampleGaps[index % sampleGaps.length]!;
          for (let due = controller.nextDeadline(); due !== undefined && due <= at + gap && locks.length === 0; due = controller.nextDeadline()) handle({ type: 'tick', at: due });
          at += gap;
          if (locks.length > 0) break;
          const latest = inputs.filter((time) => time <= at).pop()!;
          handle({ type: 'idle-sample', at, idleMs: at - latest });
        }
        if (locks.length === 0) throw new Error(`no lock by ${at}; expected one near ${target}`);
        expect(Math.abs(locks[0]! - target)).toBeLessThanOrEqual(S);
      }),
      { numRuns: 300 },
    );
  });

  it('(e) an exempt user is never warned, locked or logged off, and is told once', () => {
    fc.assert(
      fc.property(settingsArbitrary(true).chain((settings) => fc.tuple(fc.constant(settings), inputsArbitrary(settings))), ([settings, inputs]) => {
        const trace = drive(settings, [{ gap: 0, input: { type: 'tick' } }, ...inputs], 3 * (settings.lockAfterMs + (settings.logoffAfterMs ?? 0)));
        const events = eventsOf(trace).map(({ event }) => event);
        expect(trace.flatMap((entry) => entry.step.actions)).toEqual([]);
        expect(events.filter((event) => event.type === 'warning' || event.type === 'locking' || event.type === 'logging-off')).toEqual([]);
        expect(trace[0]!.step.events[0]).toEqual({ type: 'exempt', at: 0, reason: settings.exemptBecause });
        expect(events.filter((event) => event.type === 'exempt')).toHaveLength(1);
        checkStates(trace);
      }),
      { numRuns: 200 },
    );
  });
});
