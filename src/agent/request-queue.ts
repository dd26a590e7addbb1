/** Approval requests made on this PC, kept in the state folder, with what the console server has said about each once it has them. */
import { join } from 'node:path';
import { z } from 'zod';
import { readTextIfExists } from '../policy/read-text';
import { writeFileAtomic } from '../util/atomic-write';
import type { ApprovalRequest } from './agent-events';

const REQUESTS_FILE = 'requests.json';

export type ServerRequestStatus = 'pending' | 'approved' | 'refused' | 'withdrawn';

/** The console server's side of a request: set once it was forwarded, its status kept up to date after. */
export interface ServerRequestState {
  serverId: string;
  status: ServerRequestStatus;
  /** A refusal's reason, or an approval's expiry, in the approver's words. */
  detail?: string;
  forwardedAt: string;
  /** When the status was last fetched. */
  checkedAt?: string;
}

/** A request as the queue keeps it; `server` is absent until the console server has it (and in files from before there was one). */
export type QueuedRequest = ApprovalRequest & { server?: ServerRequestState };

/** What the server answered for one request, by the agent's own id. */
export interface ServerAnswer {
  localId: string;
  serverId: string;
  status: ServerRequestStatus;
  detail?: string;
}

const serverStateSchema = z.object({
  serverId: z.string().min(1),
  status: z.enum(['pending', 'approved', 'refused', 'withdrawn']),
  detail: z.string().optional(),
  forwardedAt: z.string(),
  checkedAt: z.string().optional(),
});

const requestSchema = z.object({
  id: z.string(),
  viaPort: z.string(),
  device: z.object({
    id: z.object({ vendor: z.string(), product: z.string() }),
    serial: z.string(),
    name: z.string(),
    manufacturer: z.string(),
    hash: z.string(),
    kind: z.string(),
    interfaces: z.array(z.object({ classCode: z.int(), subclass: z.int(), protocol: z.int() })),
    warnings: z.array(z.string()),
  }),
  user: z.string(),
  userVerified: z.boolean(),
  machine: z.string(),
  justification: z.string(),
  durationDays: z.int(),
  requestedAt: z.string(),
  status: z.literal('pending'),
  server: serverStateSchema.optional(),
});

export class RequestQueue {
  private requests: QueuedRequest[] = [];
  /** Writes run one at a time, each writing the list as it is then, so the file never goes back to an older list. */
  private writing: Promise<unknown> = Promise.resolve();

  private constructor(private readonly file: string) {}

  /** Opens the queue in `stateDir`; a damaged file is set aside (renamed) rather than lost or trusted. */
  static async open(stateDir: string): Promise<RequestQueue> {
    const queue = new RequestQueue(join(stateDir, REQUESTS_FILE));
    const text = await readTextIfExists(queue.file);
    if (!text.ok) throw new Error(text.error);
    if (text.value !== undefined) {
      const parsed = z.array(requestSchema).safeParse(safeJson(text.value));
      if (!parsed.success) throw new Error(`${queue.file}: not a list of approval requests; move it aside to start an empty queue`);
      queue.requests = parsed.data as QueuedRequest[];
    }
    return queue;
  }

  /** Every request made on this PC, with the server's answer where there is one. */
  pending(): readonly QueuedRequest[] {
    return this.requests;
  }

  /** Requests the console server does not have yet, oldest first. */
  unforwarded(): readonly QueuedRequest[] {
    return this.requests.filter((r) => r.server === undefined);
  }

  /** Forwarded requests the server has not answered yet. */
  awaitingAnswer(): readonly QueuedRequest[] {
    return this.requests.filter((r) => r.server?.status === 'pending');
  }

  async add(request: ApprovalRequest): Promise<ApprovalRequest> {
    this.requests = [...this.requests, request];
    await this.save();
    return request;
  }

  /**
   * Records the server's answers (to forwarding, or to a status check) by local id; answers for
   * requests not in the queue are ignored. Returns the requests whose status changed.
   */
  async recordAnswers(answers: readonly ServerAnswer[], now: Date): Promise<QueuedRequest[]> {
    const byId = new Map(answers.map((a) => [a.localId, a]));
    const changed: QueuedRequest[] = [];
    let matched = false;
    const at = now.toISOString();
    this.requests = this.requests.map((request) => {
      const answer = byId.get(request.id);
      if (answer === undefined) return request;
      matched = true;
      const previous = request.server;
      const server: ServerRequestState = {
        serverId: answer.serverId,
        status: answer.status,
        ...(answer.detail === undefined ? {} : { detail: answer.detail }),
        forwardedAt: previous?.forwardedAt ?? at,
        checkedAt: at,
      };
      const updated = { ...request, server };
      if (previous?.status !== server.status || previous.detail !== server.detail || previous.serverId !== server.serverId) changed.push(updated);
      return updated;
    });
    if (matched) await this.save();
    return changed;
  }

  /** Forgets requests SLT decided that were made before `cutoff` (the retention limit); ones still waiting are kept. The number forgotten. */
  async prune(cutoff: Date): Promise<number> {
    const decided = (request: QueuedRequest): boolean => request.server !== undefined && request.server.status !== 'pending';
    const kept = this.requests.filter((request) => !(decided(request) && Date.parse(request.requestedAt) < cutoff.getTime()));
    const forgotten = this.requests.length - kept.length;
    if (forgotten === 0) return 0;
    this.requests = kept;
    await this.save();
    return forgotten;
  }

  private save(): Promise<void> {
    const write = this.writing.then(() => writeFileAtomic(this.file, `${JSON.stringify(this.requests, null, 2)}\n`, 0o600));
    this.writing = write.catch(() => undefined);
    return write;
  }
}

/** A request's state in words: "waiting to be sent to SLT", "pending", "approved until 2026-07-22", "refused: reason". */
export function requestStatusWords(request: QueuedRequest): string {
  const server = request.server;
  if (server === undefined) return 'waiting to be sent to SLT';
  const detail = server.detail?.trim() ?? '';
  if (detail === '') return server.status;
  return detail.toLowerCase().startsWith(server.status) ? detail : `${server.status}: ${detail}`;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
