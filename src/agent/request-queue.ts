/** Approval requests made on this PC, kept in the state folder until the console server takes them. */
import { join } from 'node:path';
import { z } from 'zod';
import { readTextIfExists } from '../policy/read-text';
import { writeFileAtomic } from '../util/atomic-write';
import type { ApprovalRequest } from './agent-events';

const REQUESTS_FILE = 'requests.json';

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
});

export class RequestQueue {
  private requests: ApprovalRequest[] = [];

  private constructor(private readonly file: string) {}

  /** Opens the queue in `stateDir`; a damaged file is set aside (renamed) rather than lost or trusted. */
  static async open(stateDir: string): Promise<RequestQueue> {
    const queue = new RequestQueue(join(stateDir, REQUESTS_FILE));
    const text = await readTextIfExists(queue.file);
    if (!text.ok) throw new Error(text.error);
    if (text.value !== undefined) {
      const parsed = z.array(requestSchema).safeParse(safeJson(text.value));
      if (!parsed.success) throw new Error(`${queue.file}: not a list of approval requests; move it aside to start an empty queue`);
      queue.requests = parsed.data as ApprovalRequest[];
    }
    return queue;
  }

  pending(): readonly ApprovalRequest[] {
    return this.requests;
  }

  async add(request: ApprovalRequest): Promise<ApprovalRequest> {
    this.requests = [...this.requests, request];
    await writeFileAtomic(this.file, `${JSON.stringify(this.requests, null, 2)}\n`, 0o600);
    return request;
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
