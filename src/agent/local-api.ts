/**
 * The agent's local API for the tray and `portcullis status|request`: HTTP over a unix socket
 * that only root and the local users' group can open. Every result is
 * `{ ok: true, value } | { ok: false, error }`; arguments are checked against a schema.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { chmod, chown, mkdir, readFile, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { z } from 'zod';
import type { Logger } from '../util/logger';
import type { Socket } from 'node:net';
import { OfflineCodeRefused, type AgentService } from './agent-service';
import { idleEventReport, idleHeartbeat, idlePresenting, type LocalIdleParts } from './local-idle-api';
import { peerCredentials, type PeerCredentials } from './peer-credentials';

const MAX_BODY_BYTES = 16 * 1024;
const HEARTBEAT_MS = 15_000;

export const approvalRequestBody = z.strictObject({
  /** The device's port (`1-2`), id (`0781:5567`) or hash. */
  device: z.string().min(1).max(200),
  justification: z.string().trim().min(3, { error: 'say in a few words why the device is needed' }).max(1000),
  durationDays: z.int().min(1).max(366).default(30),
  /** Only root may name someone else; anyone else asks as themselves. */
  user: z.string().min(1).max(100).optional(),
});

export const offlineCodeBody = z.strictObject({
  /** The device's port (`1-2`), id (`0781:5567`) or hash. */
  device: z.string().min(1).max(200),
  /** The one-time code SLT read out: `ABCD-EFGH-JKMN-PQRS`. */
  code: z.string().trim().min(1).max(40),
  /** Only root may name someone else; anyone else types it as themselves. */
  user: z.string().min(1).max(100).optional(),
});

/** Who is asking: the connecting process's user, checked against the name the client gave. */
export function requester(peer: PeerCredentials | undefined, claimed: string | undefined): { user: string; verified: boolean } | { refused: string } {
  if (peer && peer.uid !== 0) {
    if (claimed !== undefined && claimed !== peer.user) return { refused: `you can only ask for yourself (you are ${peer.user}, not ${claimed})` };
    return { user: peer.user, verified: true };
  }
  if (peer) return { user: claimed ?? peer.user, verified: true };
  return claimed === undefined ? { refused: 'say who is asking (user): the agent could not tell who connected' } : { user: claimed, verified: false };
}

function issuesText(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ');
}

/**
 * Whether the caller may see a request: root sees every one (IT at the PC); anyone else only
 * their own, so colleagues sharing a PC do not read each other's reasons or SLT's answers; a
 * caller the agent cannot identify sees none.
 */
export function maySeeRequest(peer: PeerCredentials | undefined, request: { user: string }): boolean {
  return peer !== undefined && (peer.uid === 0 || peer.user === request.user);
}

type Reply = { status: number; body: { ok: true; value: unknown } | { ok: false; error: string } };

const ok = (value: unknown, status = 200): Reply => ({ status, body: { ok: true, value } });
const fail = (status: number, error: string): Reply => ({ status, body: { ok: false, error } });

async function readBody(request: IncomingMessage): Promise<string> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new RangeError(`the request body is larger than ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** The gid of a group in /etc/group, or undefined. */
async function groupId(group: string, groupFile = '/etc/group'): Promise<number | undefined> {
  const text = await readFile(groupFile, 'utf8').catch(() => '');
  const line = text.split('\n').find((l) => l.split(':')[0] === group);
  const gid = line?.split(':')[2];
  return gid === undefined ? undefined : Number(gid);
}

export class LocalApi {
  private server: Server | undefined;

  constructor(
    private readonly agent: AgentService,
    private readonly logger: Logger,
    private readonly identify: (socket: Socket) => Promise<PeerCredentials | undefined> = (socket) => peerCredentials(socket).catch(() => undefined),
    /** The service's idle supervision and the trays' check-ins; without them the idle calls answer 404. */
    private readonly idle?: LocalIdleParts,
  ) {}

  /** Listens on `socketPath`, readable and writable by root and `group` only. */
  async listen(socketPath: string, group: string): Promise<void> {
    await mkdir(dirname(socketPath), { recursive: true, mode: 0o755 });
    await unlink(socketPath).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOENT') throw error;
    });
    const server = createServer((request, response) => void this.handle(request, response));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(socketPath, resolve);
    });
    this.server = server;
    const gid = await groupId(group);
    if (gid !== undefined && process.getuid?.() === 0) {
      await chown(socketPath, 0, gid);
      await chmod(socketPath, 0o660);
    } else {
      await chmod(socketPath, 0o600);
      this.logger.warn('the local API is open to its owner only', { socketPath, group, reason: gid === undefined ? `no group named ${group}` : 'not running as root' });
    }
  }

  close(): Promise<void> {
    const server = this.server;
    if (!server) return Promise.resolve();
    server.closeAllConnections();
    return new Promise((resolve) => server.close(() => resolve()));
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    if (request.method === 'GET' && request.url === '/v1/events') return this.stream(request, response);
    let reply: Reply;
    try {
      reply = await this.route(request);
    } catch (error) {
      reply = error instanceof RangeError ? fail(413, error.message) : fail(500, 'the agent could not answer; see its log');
      if (!(error instanceof RangeError)) this.logger.error('local API request failed', { url: request.url, error: String(error) });
    }
    response.writeHead(reply.status, { 'content-type': 'application/json; charset=utf-8' });
    response.end(`${JSON.stringify(reply.body)}\n`);
  }

  private async route(request: IncomingMessage): Promise<Reply> {
    const route = `${request.method} ${request.url}`;
    switch (route) {
      case 'GET /v1/status':
        return ok(this.agent.status());
      case 'GET /v1/devices':
        return ok(this.agent.devices());
      case 'GET /v1/requests': {
        const peer = await this.identify(request.socket);
        return ok(this.agent.pendingRequests().filter((queued) => maySeeRequest(peer, queued)));
      }
      case 'POST /v1/requests':
        return this.submitRequest(request);
      case 'POST /v1/offline-codes':
        return this.useOfflineCode(request);
      case 'POST /v1/idle/heartbeat':
        return this.idleCall(request, idleHeartbeat);
      case 'POST /v1/idle/events':
        return this.idleCall(request, idleEventReport);
      case 'POST /v1/idle/presenting':
        return this.idleCall(request, idlePresenting);
      default:
        return fail(404, `no such API call: ${route} (see docs/local-api.md)`);
    }
  }

  /** The JSON body, or the reply refusing it (415 not JSON, 400 malformed); a body over the limit throws RangeError (413). */
  private async jsonBody(request: IncomingMessage): Promise<{ json: unknown } | Reply> {
    if (!(request.headers['content-type'] ?? '').startsWith('application/json')) return fail(415, 'send the request as application/json');
    try {
      return { json: JSON.parse(await readBody(request)) as unknown };
    } catch (error) {
      if (error instanceof RangeError) throw error;
      return fail(400, 'the body is not valid JSON');
    }
  }

  private async idleCall(request: IncomingMessage, call: typeof idleHeartbeat): Promise<Reply> {
    if (!this.idle) return fail(404, 'this agent does not lock idle sessions itself, so it takes no idle calls');
    const body = await this.jsonBody(request);
    if (!('json' in body)) return body;
    return call(this.idle, body.json, await this.identify(request.socket));
  }

  private async submitRequest(request: IncomingMessage): Promise<Reply> {
    const read = await this.jsonBody(request);
    if (!('json' in read)) return read;
    const body = approvalRequestBody.safeParse(read.json);
    if (!body.success) return fail(400, issuesText(body.error));
    const who = requester(await this.identify(request.socket), body.data.user);
    if ('refused' in who) return fail(403, who.refused);
    if (!who.verified) this.logger.warn('approval request from a user the agent could not verify', { user: who.user });
    try {
      const queued = await this.agent.requestApproval(body.data.device, body.data.justification, who, body.data.durationDays);
      return ok(queued, 201);
    } catch (error) {
      return fail(404, (error as Error).message);
    }
  }

  private async useOfflineCode(request: IncomingMessage): Promise<Reply> {
    const read = await this.jsonBody(request);
    if (!('json' in read)) return read;
    const body = offlineCodeBody.safeParse(read.json);
    if (!body.success) return fail(400, issuesText(body.error));
    const who = requester(await this.identify(request.socket), body.data.user);
    if ('refused' in who) return fail(403, who.refused);
    try {
      const allowance = await this.agent.useOfflineCode(body.data.device, body.data.code, who);
      return ok({ device: body.data.device, allowedUntil: new Date(allowance.expiresAt).toISOString() });
    } catch (error) {
      if (error instanceof OfflineCodeRefused) return fail(error.status, error.message);
      throw error;
    }
  }

  /** Server-sent events: one `event: <type>` with JSON data per agent event, and a heartbeat comment. */
  private async stream(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const peer = await this.identify(request.socket);
    if (request.socket.destroyed) return;
    response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
    response.write(': portcullis agent events\n\n');
    const unsubscribe = this.agent.subscribe((event) => {
      if (event.type === 'request-queued' && !maySeeRequest(peer, event.request)) return;
      response.write(`event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`);
    });
    const unsubscribeIdle = this.idle?.supervisor.subscribe((session, event) =>
      response.write(`event: idle\ndata: ${JSON.stringify({ session: session.id, user: session.user, by: 'service', event })}\n\n`),
    );
    const heartbeat = setInterval(() => response.write(': heartbeat\n\n'), HEARTBEAT_MS);
    heartbeat.unref();
    request.on('close', () => {
      clearInterval(heartbeat);
      unsubscribe();
      unsubscribeIdle?.();
    });
  }
}
