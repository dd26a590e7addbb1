/** The push benchmark's simulated agents, run in a worker thread: many signed policy streams held open, or a few clients making ordinary signed API calls. */
import { createPrivateKey, type KeyObject } from 'node:crypto';
import { Agent, request, type IncomingMessage } from 'node:http';
import { performance } from 'node:perf_hooks';
import { parentPort, workerData } from 'node:worker_threads';
import { AGENT_PATHS } from '../src/server/agent-protocol';
import { signAgentRequest } from '../src/server/auth/agent-request-auth';
import { SseParser } from '../src/agent/server-link/sse-parser';

/** An enrolled agent as the main thread hands it over: its id and its private key (PKCS#8 DER). */
export interface BenchAgent {
  agentId: string;
  keyDer: Uint8Array;
}

export type ClientsJob =
  | { mode: 'streams'; port: number; agents: BenchAgent[]; concurrency: number }
  | { mode: 'api'; port: number; agents: BenchAgent[]; callsPerKind: number; etag: string };

/** Messages from the worker: streams opened; every stream's receipt times (epoch ms) of one version; or the API calls' latencies (ms). */
export type ClientsMessage =
  | { type: 'connected'; open: number; failed: number; firstError: string | undefined }
  | { type: 'received'; version: number; times: number[] }
  | { type: 'latencies'; get304: number[]; postRequests: number[]; unexpected: number };

/** Messages to the worker: report `version`'s receipt times once every stream has it, or at once when `partial`. */
export type ClientsCommand = { type: 'report'; version: number; partial: boolean };

/** Milliseconds since 1970 with sub-millisecond precision, comparable across threads. */
export const epochMs = (): number => performance.timeOrigin + performance.now();

const sign = (agentId: string, key: KeyObject, method: 'GET' | 'POST', path: string, body?: string): string =>
  signAgentRequest({ agentId, privateKey: key, method, path, body, now: Date.now() });

function post(message: ClientsMessage): void {
  parentPort?.postMessage(message);
}

async function holdStreams(job: Extract<ClientsJob, { mode: 'streams' }>): Promise<void> {
  const received = new Map<number, number[]>();
  let open = 0;
  let failed = 0;
  let firstError: string | undefined;
  let wanted: number | undefined;
  const note = (version: number): void => {
    const times = received.get(version) ?? [];
    times.push(epochMs());
    received.set(version, times);
    if (version === wanted && times.length === open) post({ type: 'received', version, times });
  };
  parentPort?.on('message', (command: ClientsCommand) => {
    wanted = command.version;
    const times = received.get(command.version) ?? [];
    if (command.partial || times.length === open) post({ type: 'received', version: command.version, times });
  });
  const connect = (agent: BenchAgent): Promise<void> =>
    new Promise((resolve) => {
      const key = createPrivateKey({ key: Buffer.from(agent.keyDer), format: 'der', type: 'pkcs8' });
      const fail = (why: string): void => {
        failed += 1;
        firstError ??= why;
        resolve();
      };
      const req = request({ host: '127.0.0.1', port: job.port, path: AGENT_PATHS.policyStream, agent: false, headers: { authorization: sign(agent.agentId, key, 'GET', AGENT_PATHS.policyStream) } }, (res: IncomingMessage) => {
        if (res.statusCode !== 200) {
          res.resume();
          fail(`HTTP ${res.statusCode ?? 0}`);
          return;
        }
        const parser = new SseParser();
        let connected = false;
        res.setEncoding('utf8');
        res.on('error', () => undefined);
        res.on('data', (chunk: string) => {
          for (const event of parser.push(chunk)) {
            if (event.event !== 'policy') continue;
            const { version } = JSON.parse(event.data) as { version: number };
            if (!connected) {
              connected = true;
              open += 1;
              resolve();
            } else note(version);
          }
        });
      });
      req.on('error', (error) => fail(error.message));
      req.end();
    });
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < job.agents.length) {
      const agent = job.agents[next++];
      if (agent !== undefined) await connect(agent);
    }
  };
  await Promise.all(Array.from({ length: job.concurrency }, lane));
  post({ type: 'connected', open, failed, firstError });
}

/** One approval request as an agent forwards it; `localId` makes each new. */
function forwarded(localId: string): string {
  const device = { id: { vendor: '0781', product: '5567' }, serial: '4C53', name: 'Cruzer Blade', manufacturer: 'SanDisk', hash: 'h1', kind: 'storage', interfaces: [{ classCode: 8, subclass: 6, protocol: 80 }], warnings: [] };
  const one = { localId, viaPort: '1-2', device, user: 'jsmith', userVerified: true, justification: 'Year 11 coursework', durationDays: 30, requestedAt: new Date().toISOString() };
  return JSON.stringify({ requests: [one] });
}

function call(http: Agent, port: number, method: 'GET' | 'POST', path: string, headers: Record<string, string>, body?: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, agent: http, headers }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function apiCalls(job: Extract<ClientsJob, { mode: 'api' }>): Promise<void> {
  const get304: number[] = [];
  const postRequests: number[] = [];
  let unexpected = 0;
  const perClient = Math.ceil(job.callsPerKind / job.agents.length);
  await Promise.all(
    job.agents.map(async (agent, client) => {
      const key = createPrivateKey({ key: Buffer.from(agent.keyDer), format: 'der', type: 'pkcs8' });
      const http = new Agent({ keepAlive: true, maxSockets: 1 });
      for (let i = 0; i < perClient; i++) {
        // Signed before the clock starts: the latency is the server's, not the client's signing.
        const getHeaders = { authorization: sign(agent.agentId, key, 'GET', AGENT_PATHS.policy), 'if-none-match': job.etag };
        let start = performance.now();
        if ((await call(http, job.port, 'GET', AGENT_PATHS.policy, getHeaders)) !== 304) unexpected += 1;
        get304.push(performance.now() - start);
        const body = forwarded(`bench-${client}-${i}-${Date.now()}`);
        const postHeaders = { authorization: sign(agent.agentId, key, 'POST', AGENT_PATHS.requests, body), 'content-type': 'application/json' };
        start = performance.now();
        if ((await call(http, job.port, 'POST', AGENT_PATHS.requests, postHeaders, body)) !== 200) unexpected += 1;
        postRequests.push(performance.now() - start);
      }
      http.destroy();
    }),
  );
  post({ type: 'latencies', get304, postRequests, unexpected });
}

if (parentPort !== null && workerData !== null && typeof workerData === 'object') {
  const job = workerData as ClientsJob;
  void (job.mode === 'streams' ? holdStreams(job) : apiCalls(job));
}
