/** The agents' policy stream: server-sent `policy` events to every connected agent when a version is published, one shared heartbeat timer for all connections. */

import type { ServerResponse } from 'node:http';
import type { PolicyPublisher } from './policy-publisher';
import { systemScheduler, type Cancel, type Scheduler } from '../devices/scheduler';
import { createLogger, type Logger } from '../util/logger';

export const HEARTBEAT_MS = 15_000;
/** A connection with more than this waiting to be sent is a stalled reader: it is dropped, not buffered for. */
const MAX_BUFFERED_BYTES = 64 * 1024;

export interface PolicyStreamDeps {
  publisher: Pick<PolicyPublisher, 'onPublished' | 'latestVersion'>;
  scheduler?: Scheduler;
  heartbeatMs?: number;
  /** Connections beyond this are refused (the agent retries later). */
  maxConnections?: number;
  /** Ids of agents revoked at or after an ISO time: their streams are ended on the next heartbeat. */
  revokedSince?: (since: string) => Promise<readonly string[]>;
  now?: () => Date;
  logger?: Logger;
}

/** The SSE text of one policy event. */
export function policyEvent(version: number): string {
  return `event: policy\ndata: ${JSON.stringify({ version })}\n\n`;
}

/**
 * Holds one response per agent (an agent that connects again replaces its older connection), so
 * memory is bounded by the number of agents. The heartbeat (a comment line, which keeps proxies
 * and NAT from closing an idle connection) runs only while someone is connected; on each beat
 * the newest version is also read from the database, so versions published by another server or
 * process sharing it reach these agents within one heartbeat.
 */
export class PolicyStream {
  private readonly clients = new Map<string, ServerResponse>();
  private readonly scheduler: Scheduler;
  private readonly heartbeatMs: number;
  private readonly maxConnections: number;
  private readonly logger: Logger;
  private readonly unsubscribe: () => void;
  private stopHeartbeat: Cancel | undefined;
  private announced = 0;
  private closed = false;
  private readonly now: () => Date;
  private revocationsCheckedAt: string;

  constructor(private readonly deps: PolicyStreamDeps) {
    this.scheduler = deps.scheduler ?? systemScheduler;
    this.heartbeatMs = deps.heartbeatMs ?? HEARTBEAT_MS;
    this.maxConnections = deps.maxConnections ?? 50_000;
    this.logger = deps.logger ?? createLogger('policy-stream');
    this.now = deps.now ?? (() => new Date());
    this.revocationsCheckedAt = this.now().toISOString();
    this.unsubscribe = deps.publisher.onPublished((version) => this.announce(version));
  }

  /** Whether another connection can be taken now. */
  hasRoom(agentId: string): boolean {
    return !this.closed && (this.clients.size < this.maxConnections || this.clients.has(agentId));
  }

  /**
   * Starts the event stream on `response` (whose request Fastify no longer handles), sending the
   * newest version at once when there is one, so an agent that reconnects misses nothing.
   */
  add(agentId: string, response: ServerResponse, newest: number | undefined): void {
    response.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      // nginx buffers responses unless told not to, which would hold events back.
      'x-accel-buffering': 'no',
    });
    const older = this.clients.get(agentId);
    if (older !== undefined) older.end();
    this.clients.set(agentId, response);
    response.on('close', () => {
      if (this.clients.get(agentId) === response) this.clients.delete(agentId);
      if (this.clients.size === 0) this.pauseHeartbeat();
    });
    this.send(agentId, response, newest === undefined ? ': connected\n\n' : policyEvent(newest));
    if (newest !== undefined) this.announced = Math.max(this.announced, newest);
    this.stopHeartbeat ??= this.scheduler.every(this.heartbeatMs, () => void this.beat());
  }

  /** Sends `version` to every connection, once per version. */
  announce(version: number): void {
    if (version <= this.announced) return;
    this.announced = version;
    const event = policyEvent(version);
    for (const [agentId, response] of this.clients) this.send(agentId, response, event);
    this.logger.info('told connected agents of a new policy version', { version, agents: this.clients.size });
  }

  /** Open connections. */
  size(): number {
    return this.clients.size;
  }

  /** Ends every connection and the heartbeat; refuses new ones. */
  close(): void {
    this.closed = true;
    this.unsubscribe();
    this.pauseHeartbeat();
    for (const response of this.clients.values()) response.end();
    this.clients.clear();
  }

  private async beat(): Promise<void> {
    for (const [agentId, response] of this.clients) this.send(agentId, response, ': heartbeat\n\n');
    try {
      await this.endRevoked();
      const newest = await this.deps.publisher.latestVersion();
      if (newest !== undefined) this.announce(newest);
    } catch (error) {
      this.logger.warn('cannot check the policy stream against the database', { error: (error as Error).message });
    }
  }

  /** Ends the streams of agents revoked since the last check (revoked on this server or another). */
  private async endRevoked(): Promise<void> {
    if (this.deps.revokedSince === undefined) return;
    const since = this.revocationsCheckedAt;
    this.revocationsCheckedAt = this.now().toISOString();
    for (const agentId of await this.deps.revokedSince(since)) {
      const response = this.clients.get(agentId);
      if (response === undefined) continue;
      this.clients.delete(agentId);
      response.end();
      this.logger.info('ended the policy stream of a revoked agent', { agentId });
    }
  }

  private send(agentId: string, response: ServerResponse, text: string): void {
    if (response.writableLength > MAX_BUFFERED_BYTES) {
      this.logger.warn('dropped a policy stream that stopped reading', { agentId });
      this.clients.delete(agentId);
      response.destroy();
      return;
    }
    response.write(text);
  }

  private pauseHeartbeat(): void {
    this.stopHeartbeat?.();
    this.stopHeartbeat = undefined;
  }
}
