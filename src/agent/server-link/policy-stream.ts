/** The server's push: a server-sent-events subscription to the policy stream, reopened with backoff whenever it closes, that says when a newer policy exists. */
import { z } from 'zod';
import type { Cancel, Scheduler } from '../../devices/scheduler';
import { AGENT_PATHS } from '../../server/agent-protocol';
import type { Logger } from '../../util/logger';
import type { Backoff } from './backoff';
import { refusalText, ServerCallError, type ServerClient } from './server-client';
import { SseParser, type ServerSentEvent } from './sse-parser';

/** The server sends a heartbeat comment every 15 s (src/server/policy-stream.ts): two minutes of nothing is a dead connection. */
export const DEFAULT_SILENCE_MS = 2 * 60_000;
export const DEFAULT_STABLE_MS = 30_000;

const policyEventData = z.looseObject({ version: z.int().min(1) });

export interface PolicyStreamDeps {
  client: ServerClient;
  scheduler: Scheduler;
  backoff: Backoff;
  logger: Logger;
  /** The stream is open: a push may have been missed while it was not, so check now. */
  onOpen(): void;
  /** A `policy` event named this version. */
  onVersion(version: number): void;
  /** Reopen when nothing at all, not even a keep-alive comment, arrived for this long (a connection that died silently). */
  silenceMs?: number;
  /** A connection that stays open this long resets the backoff. */
  stableMs?: number;
}

export class PolicyStream {
  private stopped = true;
  private controller: AbortController | undefined;
  private retry: Cancel | undefined;
  private running: Promise<void> | undefined;
  private lastProblem: string | undefined;
  /** The server's Retry-After when it refused for want of room: the next attempt waits at least that long. */
  private retryAfterMs = 0;

  constructor(private readonly deps: PolicyStreamDeps) {}

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.connect();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.retry?.();
    this.controller?.abort();
    await this.running;
  }

  private connect(): void {
    this.retry = undefined;
    this.running = this.runOnce().then(() => {
      if (this.stopped) return;
      const delay = Math.max(this.deps.backoff.next(), this.retryAfterMs);
      this.retryAfterMs = 0;
      this.deps.logger.debug('policy stream closed; reopening', { inMs: delay });
      this.retry = this.deps.scheduler.after(delay, () => this.connect());
    });
  }

  /** One connection, until it closes or fails; never throws. */
  private async runOnce(): Promise<void> {
    const { client, scheduler, logger } = this.deps;
    const controller = new AbortController();
    this.controller = controller;
    let cancelStable: Cancel | undefined;
    let cancelSilence: Cancel | undefined;
    const armSilence = (): void => {
      cancelSilence?.();
      cancelSilence = scheduler.after(this.deps.silenceMs ?? DEFAULT_SILENCE_MS, () => controller.abort());
    };
    try {
      armSilence();
      const response = await client.call('GET', AGENT_PATHS.policyStream, { headers: { accept: 'text/event-stream' }, signal: controller.signal, stream: true, anyStatus: true });
      if (!response.ok || response.body === null) {
        const retryAfter = Number(response.headers.get('retry-after'));
        if (Number.isFinite(retryAfter) && retryAfter > 0) this.retryAfterMs = Math.min(retryAfter, 3600) * 1000;
        this.problem(`${client.where(AGENT_PATHS.policyStream)}: refused (${response.status}): ${await refusalText(response)}`);
        return;
      }
      this.lastProblem = undefined;
      cancelStable = scheduler.after(this.deps.stableMs ?? DEFAULT_STABLE_MS, () => this.deps.backoff.reset());
      this.deps.onOpen();
      const reader = response.body.getReader();
      // fetch ends the body when its signal aborts; cancelling too makes that so for any body.
      controller.signal.addEventListener('abort', () => void reader.cancel().catch(() => undefined), { once: true });
      const parser = new SseParser();
      const decoder = new TextDecoder();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        armSilence();
        for (const event of parser.push(decoder.decode(value, { stream: true }))) this.handle(event);
      }
    } catch (error) {
      if (!this.stopped && !(error instanceof ServerCallError)) logger.debug('policy stream broke', { error: String(error) });
    } finally {
      cancelStable?.();
      cancelSilence?.();
      if (!controller.signal.aborted) controller.abort();
    }
  }

  private handle(event: ServerSentEvent): void {
    if (event.event !== 'policy') return;
    let data: unknown;
    try {
      data = JSON.parse(event.data);
    } catch {
      data = undefined;
    }
    const parsed = policyEventData.safeParse(data);
    if (!parsed.success) {
      this.deps.logger.warn('a policy event from the console server did not name a version; checking anyway', { data: event.data.slice(0, 200) });
      this.deps.onOpen();
      return;
    }
    this.deps.onVersion(parsed.data.version);
  }

  /** Logs a refusal once, not at every reconnection. */
  private problem(message: string): void {
    if (message === this.lastProblem) return;
    this.lastProblem = message;
    this.deps.logger.error('the console server refused the policy stream', { error: message });
  }
}
