/** The agent's link to its console server: policy pushed and polled, approval requests forwarded and their answers fetched, the audit log shipped; all of it optional to enforcement, which carries on offline. */
import type { AuditEvent } from '../../audit/audit-event';
import type { Cancel, Scheduler } from '../../devices/scheduler';
import type { Result } from '../../policy/policy-document';
import { readTrustedKeyFile } from '../../policy/policy-keys';
import { PolicyStore } from '../../policy/policy-store';
import type { Logger } from '../../util/logger';
import type { AgentEvent } from '../agent-events';
import type { RequestQueue } from '../request-queue';
import { AuditShipper } from './audit-shipper';
import { Backoff } from './backoff';
import { readCredentials, serverLinkPaths } from './link-files';
import { PolicyStream } from './policy-stream';
import { PolicySync } from './policy-sync';
import { Reachability } from './reachability';
import { RequestForwarder } from './request-forwarder';
import { ServerCallError, ServerClient, type Fetch } from './server-client';
import { serverOrigin } from './server-url';
import { SingleFlight } from './single-flight';

export interface LinkIntervals {
  /** Fallback to the push: ask for the policy this often (default 5 minutes). */
  policyPollMs: number;
  /** Ship the audit log at least this often (default 30 s). */
  auditMs: number;
  /** Forward waiting requests and fetch answers this often (default 60 s). */
  requestsMs: number;
  /** Ship this long after a local append, so a burst of records goes in one batch (default 500 ms). */
  auditSettleMs: number;
}

export const DEFAULT_INTERVALS: LinkIntervals = { policyPollMs: 5 * 60_000, auditMs: 30_000, requestsMs: 60_000, auditSettleMs: 500 };

/** What the link writes to the agent's audit log. */
export interface LinkAudit {
  append(event: AuditEvent): Promise<unknown>;
}

export interface ServerLinkOptions {
  server: URL;
  stateDir: string;
  auditLog: string;
  queue: RequestQueue;
  fetch: Fetch;
  clock: () => Date;
  scheduler: Scheduler;
  logger: Logger;
  /** A newer policy was verified and written to `<stateDir>/server/policy.signed.json`: the agent reloads. */
  onPolicy(): Promise<void>;
  /** Where policies the server sent but that were refused are recorded. */
  audit?: LinkAudit;
  intervals?: Partial<LinkIntervals>;
  /** For the reconnection jitter. */
  random?: () => number;
  /** This agent's version, which the server records on each call. */
  version?: string;
}

export class ServerLink {
  private readonly policyTask: SingleFlight;
  private readonly requestsTask: SingleFlight;
  private readonly auditTask: SingleFlight;
  private readonly intervals: LinkIntervals;
  private readonly timers: Cancel[] = [];
  private settle: Cancel | undefined;
  private stopped = true;
  private readonly reported = new Set<string>();

  private constructor(
    private readonly options: ServerLinkOptions,
    readonly policy: PolicySync,
    private readonly stream: PolicyStream,
    readonly requests: RequestForwarder,
    readonly audit: AuditShipper,
  ) {
    this.intervals = { ...DEFAULT_INTERVALS, ...options.intervals };
    const failed = (task: string) => (error: unknown) => this.failed(task, error);
    this.policyTask = new SingleFlight(async () => void (await policy.sync()), failed('policy'));
    this.requestsTask = new SingleFlight(async () => {
      await requests.forward();
      await requests.refreshStatuses();
    }, failed('requests'));
    this.auditTask = new SingleFlight(async () => void (await audit.ship()), failed('audit'));
  }

  /** Fetches the policy now (a 304 when it has not changed); resolves when done, never rejects. */
  syncPolicy(): Promise<void> {
    return this.policyTask.run();
  }

  /** Forwards waiting requests, then fetches the answers to those forwarded. */
  forwardRequests(): Promise<void> {
    return this.requestsTask.run();
  }

  /** Ships every audit record the server does not have yet. */
  shipAudit(): Promise<void> {
    return this.auditTask.run();
  }

  /** Builds the link from the enrolment files; an error naming the file when this PC is not enrolled (with this server). */
  static async open(options: ServerLinkOptions): Promise<Result<ServerLink>> {
    const { logger, clock } = options;
    const paths = serverLinkPaths(options.stateDir);
    const server = serverOrigin(options.server);
    const credentials = await readCredentials(paths);
    if (!credentials.ok) return { ok: false, error: `${credentials.error}; enrol with: portcullis agent --server ${server} --enrol TOKEN` };
    if (credentials.value.identity.server !== server) {
      return { ok: false, error: `${paths.identity}: this PC is enrolled with ${credentials.value.identity.server}, not ${server}; to move it, delete ${paths.dir} and enrol again` };
    }
    const policyKey = await readTrustedKeyFile(paths.policyKey);
    if (!policyKey.ok) return policyKey;
    const holder: { link?: ServerLink } = {};
    const reachability = new Reachability(server, logger, () => holder.link?.catchUp());
    const client = new ServerClient({ server: options.server, agentId: credentials.value.identity.agentId, privateKey: credentials.value.privateKey, fetch: options.fetch, now: () => clock().getTime(), reachability, ...(options.version === undefined ? {} : { version: options.version }) });
    const store = new PolicyStore({ stateDir: paths.dir, trustedKeys: [policyKey.value], clock, logger });
    const policy = new PolicySync({
      client,
      store,
      logger,
      onAccepted: async () => {
        await options.onPolicy();
        if (holder.link?.stopped === false) void holder.link.forwardRequests();
      },
      onRefused: async (source, reason) => void (await options.audit?.append({ type: 'policy-refused', source, reason })),
    });
    await policy.open();
    const stream = new PolicyStream({
      client,
      scheduler: options.scheduler,
      backoff: new Backoff({ random: options.random }),
      logger,
      onOpen: () => void holder.link?.pushed(),
      onVersion: (version) => {
        if (version > policy.heldVersion()) void holder.link?.pushed();
      },
    });
    const requests = new RequestForwarder({ client, queue: options.queue, clock, logger });
    const audit = new AuditShipper({ client, auditPath: options.auditLog, paths, clock, logger });
    holder.link = new ServerLink(options, policy, stream, requests, audit);
    return { ok: true, value: holder.link };
  }

  /** Opens the push stream, starts the timers, and does everything once now. */
  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    const { scheduler } = this.options;
    this.stream.start();
    this.timers.push(
      scheduler.every(this.intervals.policyPollMs, () => void this.syncPolicy()),
      scheduler.every(this.intervals.auditMs, () => void this.shipAudit()),
      scheduler.every(this.intervals.requestsMs, () => void this.forwardRequests()),
    );
    this.catchUp();
  }

  /** Stops the timers and the stream, and waits for calls in flight. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const cancel of this.timers.splice(0)) cancel();
    this.settle?.();
    await this.stream.stop();
    await Promise.all([this.policyTask.idle(), this.requestsTask.idle(), this.auditTask.idle()]);
  }

  /** What the agent tells its clients: a new request is forwarded at once; a policy change may answer requests. */
  agentEvent(event: AgentEvent): void {
    if (this.stopped) return;
    if (event.type === 'request-queued' || event.type === 'policy-changed') void this.forwardRequests();
  }

  /** A record reached the audit log: ship it (and any that follow within a moment). */
  auditAppended(): void {
    if (this.stopped || this.settle !== undefined) return;
    this.settle = this.options.scheduler.after(this.intervals.auditSettleMs, () => {
      this.settle = undefined;
      void this.shipAudit();
    });
  }

  /** An audit port that tells the link about each append once it is on disk. */
  watchAudit<A extends { append(event: AuditEvent, user?: string): Promise<unknown>; appendAll(events: readonly AuditEvent[], user?: string): Promise<unknown> }>(audit: A) {
    const told = <T>(done: Promise<T>): Promise<T> => done.then((value) => (this.auditAppended(), value));
    return {
      append: (event: AuditEvent, user?: string) => told(audit.append(event, user)),
      appendAll: (events: readonly AuditEvent[], user?: string) => told(audit.appendAll(events, user)),
    };
  }

  private pushed(): void {
    if (!this.stopped) void this.syncPolicy();
  }

  private catchUp(): void {
    if (this.stopped) return;
    void this.syncPolicy();
    void this.forwardRequests();
    void this.shipAudit();
  }

  /** An unreachable server was logged once by the Reachability; a refusal is logged once per message, not at every retry. */
  private failed(task: string, error: unknown): void {
    if (error instanceof ServerCallError && error.problem === 'unreachable') return;
    const message = error instanceof Error ? error.message : String(error);
    // Numbers (a clock skew in seconds, a status) vary between retries of one and the same problem.
    const key = `${task}: ${message.replace(/\d+/g, '#')}`;
    if (this.reported.has(key)) return;
    if (this.reported.size > 100) this.reported.clear();
    this.reported.add(key);
    this.options.logger.error(`console server: ${task} failed`, { error: message });
  }
}
