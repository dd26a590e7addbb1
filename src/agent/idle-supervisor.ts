/** The service's own idle lock and logoff: an IdleRunner for every local session whose tray is not running, so quitting or killing the tray does not leave a PC open. */
import type { AuditEvent } from '../audit/audit-event';
import type { Cancel, Scheduler } from '../devices/scheduler';
import { idleAuditEvent, type IdleActor } from '../idle/idle-audit';
import { IdleController, type IdleEvent } from '../idle/idle-controller';
import type { IdleSettings } from '../idle/idle-policy';
import { IdleRunner } from '../idle/idle-runner';
import type { IdleSource } from '../idle/idle-source';
import type { SessionActions } from '../idle/session-actions';
import type { ListSessions, UserSession } from '../idle/session-list';
import type { Logger } from '../util/logger';
import { SerialQueue } from '../util/serial-queue';
import type { TrayRegistry } from './tray-registry';

export type IdleEventListener = (session: UserSession, event: IdleEvent) => void;

export interface IdleSupervisorDeps {
  listSessions: ListSessions;
  /** The idle time of one session as the service can read it (logind, quser, ioreg). */
  makeSource: (session: UserSession) => IdleSource | Promise<IdleSource>;
  /** Lock and logoff of one session from outside it (`sessionActionsFor({ from: 'service' })`). */
  makeActions: (session: UserSession) => SessionActions;
  /** The idle settings of the policy in force, for the session's user. */
  settingsFor: (session: UserSession) => IdleSettings;
  trays: TrayRegistry;
  audit: { append(event: AuditEvent, user?: string): Promise<unknown> };
  scheduler: Scheduler;
  /** Epoch milliseconds now. */
  clock: () => number;
  logger: Logger;
  /** Every event of a session the service watches (for the local API's event stream). */
  onEvent?: IdleEventListener;
  /** How often the sessions are listed. Default 5 s. */
  checkEveryMs?: number;
  /** Passed to each IdleRunner (its default when absent). */
  sampleEveryMs?: number;
}

interface Watch {
  session: UserSession;
  settings: IdleSettings;
  controller: IdleController;
  runner: IdleRunner;
  describe: { lock: string; logoff: string };
  loggedOffAt?: number;
}

/** A session still listed this long after its logoff was carried out is watched afresh (the logoff did not take). */
export const LOGOFF_GRACE_MS = 60_000;

function sameTimings(a: IdleSettings, b: IdleSettings): boolean {
  return a.lockAfterMs === b.lockAfterMs && a.logoffAfterMs === b.logoffAfterMs && a.warnForMs === b.warnForMs && a.presentingLimitMs === b.presentingLimitMs && a.exemptBecause === b.exemptBecause;
}

export class IdleSupervisor {
  private readonly watches = new Map<string, Watch>();
  private readonly listeners = new Set<IdleEventListener>();
  private readonly queue: SerialQueue;
  private readonly checkEveryMs: number;
  private timer: Cancel | undefined;
  private stopCheckIns: (() => void) | undefined;
  private running = false;
  private listFailing = false;
  /** Sessions whose idle source could not be made, so that the error is logged once, not every check. */
  private readonly sourceFailing = new Set<string>();

  constructor(private readonly deps: IdleSupervisorDeps) {
    this.checkEveryMs = deps.checkEveryMs ?? 5_000;
    this.queue = new SerialQueue((error) => deps.logger.error('an idle supervision step failed', { error: String(error) }));
  }

  /** Checks the sessions now and every `checkEveryMs`, and at once when a tray checks in. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.timer = this.deps.scheduler.every(this.checkEveryMs, () => void this.check());
    this.stopCheckIns = this.deps.trays.onCheckIn(() => void this.check());
    void this.check();
  }

  /** Stops checking and every runner; resolves once a lock or logoff under way has finished. */
  async stop(): Promise<void> {
    this.running = false;
    this.timer?.();
    this.stopCheckIns?.();
    this.timer = undefined;
    this.stopCheckIns = undefined;
    await this.queue.run(async () => {
      for (const id of [...this.watches.keys()]) await this.unwatch(id, 'the agent is stopping');
    });
  }

  /** Lists the sessions and starts or stops runners to match. */
  check(): Promise<void> {
    return this.queue.run(() => this.reconcile());
  }

  /** The policy was reloaded: runners whose settings changed are rebuilt with the new ones. */
  policyChanged(): Promise<void> {
    return this.queue.run(() => this.rebuild());
  }

  /** The sessions the service is locking and logging off itself now. */
  watching(): UserSession[] {
    return [...this.watches.values()].map((watch) => ({ ...watch.session }));
  }

  subscribe(listener: IdleEventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** A session as listed now (not from the last check: an id can pass to another user). */
  async findSession(id: string): Promise<UserSession | undefined> {
    return (await this.deps.listSessions()).find((session) => session.id === id);
  }

  settingsFor(session: UserSession): IdleSettings {
    return this.deps.settingsFor(session);
  }

  /**
   * Presenting mode turned on (for `forMs`, clipped to the policy's limit) or off by the user of a
   * session the service is watching; undefined when the service is not watching it (its tray is).
   * Answers until when presenting is in force now (undefined: it is not, e.g. it was refused).
   */
  presenting(sessionId: string, on: boolean, forMs: number): Promise<{ presentingUntil: number | undefined } | undefined> {
    return this.queue.run(async () => {
      const watch = this.watches.get(sessionId);
      if (!watch) return undefined;
      const at = this.deps.clock();
      await watch.runner.send(on ? { type: 'presenting-on', at, forMs } : { type: 'presenting-off', at });
      return { presentingUntil: watch.controller.snapshot().presentingUntil };
    });
  }

  /** Audits what a tray reports it did; false for events that are not recorded (state changes). Rejects when the audit log does. */
  recordTrayEvent(session: UserSession, event: IdleEvent): Promise<boolean> {
    return this.record(session, event, 'tray');
  }

  private async reconcile(): Promise<void> {
    if (!this.running) return;
    const { trays, clock, logger } = this.deps;
    let sessions: UserSession[];
    try {
      sessions = await this.deps.listSessions();
      if (this.listFailing) logger.info('the sessions can be listed again');
      this.listFailing = false;
    } catch (error) {
      if (!this.listFailing) logger.error('the sessions cannot be listed; sessions already watched stay watched', { error: String(error) });
      this.listFailing = true;
      return;
    }
    const local = new Map(sessions.filter((session) => !session.remote).map((session) => [session.id, session]));
    for (const id of this.sourceFailing) if (!local.has(id)) this.sourceFailing.delete(id);
    for (const [id, watch] of [...this.watches]) {
      const now = local.get(id);
      if (!now) await this.unwatch(id, 'the session ended');
      else if (now.user !== watch.session.user) await this.unwatch(id, `the session is now ${now.user}'s`);
      else if (trays.present(id)) await this.unwatch(id, 'its tray checked in');
      else if (watch.loggedOffAt !== undefined && clock() - watch.loggedOffAt > LOGOFF_GRACE_MS) await this.unwatch(id, 'the session is still there after its logoff');
    }
    for (const session of local.values()) {
      if (!this.running) return;
      if (trays.present(session.id)) continue;
      const watch = this.watches.get(session.id);
      if (!watch) await this.watch(session);
      else if (watch.session.active !== session.active) {
        watch.session = session;
        await watch.runner.send({ type: 'session-switch', at: clock(), active: session.active });
      }
    }
  }

  private async rebuild(): Promise<void> {
    if (!this.running) return;
    for (const [id, watch] of [...this.watches]) {
      const settings = this.deps.settingsFor(watch.session);
      if (sameTimings(settings, watch.settings)) continue;
      const state = watch.controller.state;
      await this.unwatch(id, 'the idle policy changed');
      await this.watch(watch.session, state === 'locked' || state === 'logoff-warning');
    }
  }

  /** Starts a runner; `locked`: the session was locked under the runner this one replaces. */
  private async watch(session: UserSession, locked = false): Promise<void> {
    const { clock, logger } = this.deps;
    let source: IdleSource;
    try {
      source = await this.deps.makeSource(session);
      this.sourceFailing.delete(session.id);
    } catch (error) {
      if (!this.sourceFailing.has(session.id)) logger.error('cannot read the idle time of a session whose tray is not running, so the service cannot lock it; trying again at each check', { session: session.id, user: session.user, error: String(error) });
      this.sourceFailing.add(session.id);
      return;
    }
    const settings = this.deps.settingsFor(session);
    const controller = new IdleController(settings, clock());
    const actions = this.deps.makeActions(session);
    const watch: Watch = {
      session,
      settings,
      controller,
      describe: actions.describe(),
      runner: new IdleRunner({
        controller,
        source,
        actions,
        scheduler: this.deps.scheduler,
        clock,
        sampleEveryMs: this.deps.sampleEveryMs,
        onEvent: (event) => this.handle(watch.session, event),
        onLoggedOff: () => (watch.loggedOffAt = clock()),
        logger,
      }),
    };
    this.watches.set(session.id, watch);
    // Told before the first reading, so that a locked or switched-away session gets no lock warning.
    if (locked) await watch.runner.send({ type: 'locked', at: clock() });
    if (!session.active) await watch.runner.send({ type: 'session-switch', at: clock(), active: false });
    watch.runner.start();
    const { lockAfterMs, logoffAfterMs, exemptBecause } = settings;
    const fields = { session: session.id, user: session.user, kind: session.kind, source: source.name, settings: settings.source, lockAfterMs, logoffAfterMs, exempt: exemptBecause };
    logger.info('the service locks and logs off this session: its tray is not running', { ...fields, ...watch.describe });
  }

  private async unwatch(id: string, why: string): Promise<void> {
    const watch = this.watches.get(id);
    if (!watch) return;
    this.watches.delete(id);
    await watch.runner.stop();
    this.deps.logger.info('the service no longer locks this session', { session: id, user: watch.session.user, why });
  }

  /** Audited, logged and passed on; a listener that throws cannot stop the lock that follows. */
  private handle(session: UserSession, event: IdleEvent): void {
    const { logger } = this.deps;
    if (event.type === 'locking' || event.type === 'logging-off') logger.info(`idle: ${event.type}`, { session: session.id, user: session.user });
    if (event.type === 'action-failed') logger.error('idle: the service could not act on a session', { session: session.id, action: event.action, error: event.error });
    this.record(session, event, 'service').catch((error: unknown) => logger.error('an idle event could not be written to the audit log', { session: session.id, event: event.type, error: String(error) }));
    for (const listener of [this.deps.onEvent, ...this.listeners]) {
      try {
        listener?.(session, event);
      } catch (error) {
        logger.error('an idle event listener failed', { error: String(error) });
      }
    }
  }

  private async record(session: UserSession, event: IdleEvent, by: IdleActor): Promise<boolean> {
    const audited = idleAuditEvent(event, session.id, by);
    if (!audited) return false;
    await this.deps.audit.append(audited, session.user);
    return true;
  }
}
