/** A driver for IdleController tests: settings with the defaults, and ticks at every deadline, as the real runner gives them. */
import { IdleController, type IdleEvent, type IdleInput, type IdleStep } from '../../src/idle/idle-controller';
import type { IdleSettings } from '../../src/idle/idle-policy';

export const S = 1000;
export const M = 60 * S;

export function settings(overrides: Partial<IdleSettings> = {}): IdleSettings {
  return { lockAfterMs: 5 * M, logoffAfterMs: 30 * M, warnForMs: 60 * S, presentingLimitMs: 60 * M, exemptBecause: undefined, source: 'test', ...overrides };
}

/** A controller and a driver that ticks it at every deadline, as the real one does. */
export class Harness {
  readonly controller: IdleController;
  readonly log: { at: number; step: IdleStep }[] = [];

  constructor(overrides: Partial<IdleSettings> = {}, start = 0) {
    this.controller = new IdleController(settings(overrides), start);
  }

  /** Ticks every deadline before `at`, then delivers the input. */
  send(input: IdleInput): IdleStep {
    this.runUntil(input.at - 1);
    return this.handle(input);
  }

  /** Ticks every deadline up to and including `at`. */
  runUntil(at: number): void {
    for (let deadline = this.controller.nextDeadline(); deadline !== undefined && deadline <= at; deadline = this.controller.nextDeadline()) {
      this.handle({ type: 'tick', at: deadline });
    }
  }

  /** Events of the given type, everything sent so far. */
  events<T extends IdleEvent['type']>(type: T): Extract<IdleEvent, { type: T }>[] {
    return this.log.flatMap(({ step }) => step.events.filter((event): event is Extract<IdleEvent, { type: T }> => event.type === type));
  }

  actions(): { at: number; type: string }[] {
    return this.log.flatMap(({ at, step }) => step.actions.map((action) => ({ at, type: action.type })));
  }

  private handle(input: IdleInput): IdleStep {
    const step = this.controller.handle(input);
    this.log.push({ at: input.at, step });
    return step;
  }
}
