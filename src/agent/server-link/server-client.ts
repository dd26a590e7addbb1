/** The agent's HTTP client for its console server: every call signed with the agent's key (src/server/auth/agent-request-auth.ts), every answer checked against the protocol's schema. */
import { agentUserAgent } from '../../server/agent-protocol';
import type { KeyObject } from 'node:crypto';
import type { z } from 'zod';
import { formatIssues, plainIssueMessages } from '../../policy/zod-issues';
import { signAgentRequest } from '../../server/auth/agent-request-auth';
import type { Reachability } from './reachability';

/** Node 20's global fetch, or a stand-in with its shape. */
export type Fetch = typeof fetch;

export type ServerCallProblem = 'unreachable' | 'refused' | 'bad-answer';

/** A call that did not give a usable answer: the server could not be reached (or was down: 5xx), refused it (4xx), or answered nonsense. */
export class ServerCallError extends Error {
  constructor(
    message: string,
    readonly problem: ServerCallProblem,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'ServerCallError';
  }
}

export interface ServerClientOptions {
  server: URL;
  agentId: string;
  privateKey: KeyObject;
  fetch: Fetch;
  /** Milliseconds since 1970, for the signature's timestamp. */
  now: () => number;
  reachability?: Reachability;
  /** How long a call may take before it counts as unreachable (default 15 s); not applied to streams. */
  timeoutMs?: number;
  /** The agent's version, sent as `User-Agent: portcullis-agent/<version>` so the console shows what each PC runs. */
  version?: string;
}

export interface CallOptions {
  body?: string;
  headers?: Record<string, string>;
  /** Aborts the call; a stream's caller holds it open until it aborts. */
  signal?: AbortSignal;
  stream?: boolean;
  /** Return a 5xx answer too, as the server's word (a stream refused for want of room), rather than as "unreachable". */
  anyStatus?: boolean;
}

const DEFAULT_TIMEOUT_MS = 15_000;

/** The server's words for a refusal: `{ "error": ... }` or `{ "message": ... }` as JSON, else the text, shortened. */
export async function refusalText(response: Response): Promise<string> {
  const text = (await response.text().catch(() => '')).trim();
  try {
    const body = JSON.parse(text) as Record<string, unknown>;
    for (const key of ['message', 'error']) if (typeof body[key] === 'string' && body[key] !== '') return body[key] as string;
  } catch {
    // Not JSON: the text itself.
  }
  return text === '' ? `HTTP ${response.status} ${response.statusText}`.trim() : text.slice(0, 500);
}

export class ServerClient {
  readonly server: URL;

  constructor(private readonly options: ServerClientOptions) {
    this.server = options.server;
  }

  /** Where a path is, for messages: `https://console.example/api/agent/policy`. */
  where(path: string): string {
    return new URL(path, this.server).toString();
  }

  /**
   * One signed request. Any HTTP answer below 500 comes back as it is (the server is up); no
   * answer, or a 5xx, throws ServerCallError `unreachable` and is told to the Reachability.
   */
  async call(method: string, path: string, options: CallOptions = {}): Promise<Response> {
    const url = new URL(path, this.server);
    // Signed over the request target exactly as fetch will send it (the URL parser may re-encode a query).
    const target = `${url.pathname}${url.search}`;
    const headers: Record<string, string> = {
      authorization: signAgentRequest({ agentId: this.options.agentId, privateKey: this.options.privateKey, method, path: target, body: options.body, now: Math.floor(this.options.now()) }),
      ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(this.options.version === undefined ? {} : { 'user-agent': agentUserAgent(this.options.version) }),
      ...options.headers,
    };
    const signals = [options.signal, options.stream ? undefined : AbortSignal.timeout(this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS)].filter((s): s is AbortSignal => s !== undefined);
    let response: Response;
    try {
      response = await this.options.fetch(url.toString(), { method, headers, body: options.body, signal: signals.length > 0 ? AbortSignal.any(signals) : undefined });
    } catch (error) {
      if (options.signal?.aborted) throw error;
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      const message = `${this.where(path)}: no answer (${cause?.code ?? cause?.message ?? (error as Error).message})`;
      this.options.reachability?.failed(message);
      throw new ServerCallError(message, 'unreachable');
    }
    if (response.status >= 500 && !options.anyStatus) {
      const message = `${this.where(path)}: the server failed (${await refusalText(response)})`;
      this.options.reachability?.failed(message);
      throw new ServerCallError(message, 'unreachable', response.status);
    }
    this.options.reachability?.succeeded();
    return response;
  }

  /** A call whose answer must be 2xx JSON matching `schema`; anything else throws ServerCallError naming the URL. */
  async json<T>(method: string, path: string, schema: z.ZodType<T>, body?: unknown): Promise<T> {
    const response = await this.call(method, path, body === undefined ? {} : { body: JSON.stringify(body) });
    if (!response.ok) throw new ServerCallError(`${this.where(path)}: refused (${response.status}): ${await refusalText(response)}`, 'refused', response.status);
    return parseAnswer(await response.text(), this.where(path), schema);
  }
}

/** The answer's JSON checked with `schema`; errors name the URL and the field. */
export function parseAnswer<T>(text: string, where: string, schema: z.ZodType<T>): T {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new ServerCallError(`${where}: the answer is not JSON`, 'bad-answer');
  }
  const parsed = schema.safeParse(value, { error: plainIssueMessages });
  if (!parsed.success) throw new ServerCallError(formatIssues(`${where}: the answer`, parsed.error.issues), 'bad-answer');
  return parsed.data;
}
