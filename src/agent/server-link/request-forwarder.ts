/** Sends the approval requests made on this PC to the console server, in batches, and keeps each one's status (pending, approved, refused) as the server gives it. */
import { AGENT_PATHS, forwardedRequest, requestsAnswer, type ForwardedRequest } from '../../server/agent-protocol';
import { formatIssues, plainIssueMessages } from '../../policy/zod-issues';
import type { Logger } from '../../util/logger';
import type { QueuedRequest, RequestQueue } from '../request-queue';
import type { ServerClient } from './server-client';

/** The protocol's most per POST. */
export const FORWARD_BATCH = 100;
/** Ids per status query, to keep the URL short. */
export const STATUS_BATCH = 50;

export interface RequestForwarderDeps {
  client: ServerClient;
  queue: RequestQueue;
  clock: () => Date;
  logger: Logger;
  /** A request's status changed (approved, refused, ...). */
  onStatusChanged?(request: QueuedRequest): void;
}

/** The request as the protocol carries it: the queue's own entry, less what the server knows already (the machine). */
export function toForwarded(request: QueuedRequest): ForwardedRequest {
  const { id, serial, name, manufacturer, hash, kind, interfaces, warnings } = request.device;
  return {
    localId: request.id,
    viaPort: request.viaPort,
    device: { id: { vendor: id.vendor, product: id.product }, serial, name, manufacturer, hash, kind, interfaces: interfaces.map(({ classCode, subclass, protocol }) => ({ classCode, subclass, protocol })), warnings },
    user: request.user,
    userVerified: request.userVerified,
    justification: request.justification,
    durationDays: request.durationDays,
    requestedAt: request.requestedAt,
  };
}

export class RequestForwarder {
  /** Requests that cannot be sent as they are (logged once each, never sent). */
  private readonly unsendable = new Set<string>();

  constructor(private readonly deps: RequestForwarderDeps) {}

  /** POSTs every request the server does not have yet; returns how many it took. Throws ServerCallError if the server cannot be reached or refuses. */
  async forward(): Promise<number> {
    const { client, queue, logger } = this.deps;
    const ready: ForwardedRequest[] = [];
    for (const request of queue.unforwarded()) {
      if (this.unsendable.has(request.id)) continue;
      const checked = forwardedRequest.safeParse(toForwarded(request), { error: plainIssueMessages });
      if (checked.success) ready.push(checked.data);
      else {
        this.unsendable.add(request.id);
        logger.error('an approval request cannot be sent to the console server', { requestId: request.id, reason: formatIssues(`request ${request.id}`, checked.error.issues) });
      }
    }
    let taken = 0;
    for (let start = 0; start < ready.length; start += FORWARD_BATCH) {
      const batch = ready.slice(start, start + FORWARD_BATCH);
      const answer = await client.json('POST', AGENT_PATHS.requests, requestsAnswer, { requests: batch });
      const sent = new Set(batch.map((r) => r.localId));
      const mine = answer.requests.filter((a) => sent.has(a.localId));
      await this.record(mine);
      taken += mine.length;
      logger.info('approval requests forwarded to the console server', { count: mine.length });
    }
    return taken;
  }

  /** Fetches the status of every forwarded request not yet answered; returns how many changed. */
  async refreshStatuses(): Promise<number> {
    const waiting = this.deps.queue.awaitingAnswer().map((r) => r.id);
    let changed = 0;
    for (let start = 0; start < waiting.length; start += STATUS_BATCH) {
      const ids = waiting.slice(start, start + STATUS_BATCH);
      const answer = await this.deps.client.json('GET', `${AGENT_PATHS.requests}?ids=${ids.map(encodeURIComponent).join(',')}`, requestsAnswer);
      changed += await this.record(answer.requests);
    }
    return changed;
  }

  private async record(answers: Parameters<RequestQueue['recordAnswers']>[0]): Promise<number> {
    const changed = await this.deps.queue.recordAnswers(answers, this.deps.clock());
    for (const request of changed) {
      if (request.server?.status !== 'pending') this.deps.logger.info('approval request answered', { requestId: request.id, status: request.server?.status, detail: request.server?.detail });
      this.deps.onStatusChanged?.(request);
    }
    return changed.length;
  }
}
