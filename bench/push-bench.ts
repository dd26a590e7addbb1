/** Policy push at scale: one console server on SQLite, thousands of enrolled agents holding signed policy streams, the time until all hear of a new version, and API latency meanwhile. */
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import Fastify, { type FastifyInstance } from 'fastify';
import type { AddressInfo } from 'node:net';
import { sampleDocument } from '../test/support/policy-fixtures';
import { agentPublicKeyText } from '../src/server/auth/agent-credentials';
import { agentRoutes } from '../src/server/agent-routes/agent-routes';
import { policyEtag } from '../src/server/agent-routes/policy-routes';
import { AgentStore, createEnrolToken } from '../src/server/agent-store';
import type { Database } from '../src/server/db/database';
import { migrate } from '../src/server/db/migrations';
import { openDatabase } from '../src/server/db/open-database';
import { PolicyPublisher } from '../src/server/policy-publisher';
import { generateSigningKeyPair, signingKeyFromPem } from '../src/policy/policy-keys';
import { createLogger } from '../src/util/logger';
import { textTable } from '../src/util/text-table';
import { epochMs, type BenchAgent, type ClientsCommand, type ClientsJob, type ClientsMessage } from './push-clients';
import { median, p95 } from './vm/stats';

const silent = createLogger('push-bench', { write: () => undefined });
const USER_ID = 'u-bench';
const API_CLIENTS = 4;
const ROUNDS = 5;

interface BenchServer {
  app: FastifyInstance;
  db: Database;
  publisher: PolicyPublisher;
  agents: AgentStore;
  port: number;
  dir: string;
}

async function startServer(): Promise<BenchServer> {
  const dir = mkdtempSync(join(tmpdir(), 'portcullis-push-bench-'));
  const db = await openDatabase({ dataDir: dir }, { logger: silent });
  await migrate(db, { logger: silent });
  await db.run('INSERT INTO users (id, email, role, password_hash, display_name, created_at) VALUES (?, ?, ?, ?, ?, ?)', [USER_ID, 'bench@school.example', 'it-admin', null, 'Bench', new Date().toISOString()]);
  const pair = generateSigningKeyPair();
  const key = signingKeyFromPem(pair.privateKeyPem, 'memory');
  if (!key.ok) throw new Error(key.error);
  const publisher = new PolicyPublisher({ db, keys: { signingKey: key.value, publicKeyPem: pair.publicKeyPem }, logger: silent });
  const app = Fastify();
  await app.register(agentRoutes({ db, publisher, logger: silent }));
  await app.listen({ port: 0, host: '127.0.0.1' });
  return { app, db, publisher, agents: new AgentStore({ db }), port: (app.server.address() as AddressInfo).port, dir };
}

/** Enrols `count` agents through AgentStore.enrol, each with its own token and a new Ed25519 key pair. */
async function enrol(server: BenchServer, count: number): Promise<BenchAgent[]> {
  const enrolled: BenchAgent[] = [];
  for (let i = 0; i < count; i++) {
    const { token } = await createEnrolToken(server.agents, USER_ID);
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const result = await server.agents.enrol({ token, machine: `BENCH-PC-${i}`, publicKey: agentPublicKeyText(publicKey), version: '0.1.0' });
    if (!result.ok) throw new Error(`enrolment ${i} failed: ${result.error.message}`);
    enrolled.push({ agentId: result.value.agentId, keyDer: privateKey.export({ format: 'der', type: 'pkcs8' }) });
  }
  return enrolled;
}

async function publish(server: BenchServer): Promise<number> {
  const published = await server.publisher.publishPolicy(sampleDocument(), USER_ID);
  if (!published.ok) throw new Error(published.error);
  return published.value.version;
}

function startClients(job: ClientsJob): Worker {
  return new Worker(join(__dirname, 'push-clients.js'), { workerData: job, resourceLimits: { maxOldGenerationSizeMb: 1024 } });
}

function nextMessage<T extends ClientsMessage['type']>(worker: Worker, type: T, timeoutMs: number, onTimeout?: () => void): Promise<Extract<ClientsMessage, { type: T }>> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => (onTimeout === undefined ? reject(new Error(`no ${type} message from the clients within ${timeoutMs} ms`)) : onTimeout()), timeoutMs);
    const listener = (message: ClientsMessage): void => {
      if (message.type !== type) return;
      clearTimeout(timer);
      worker.off('message', listener);
      resolve(message as Extract<ClientsMessage, { type: T }>);
    };
    worker.on('message', listener);
    worker.once('error', reject);
  });
}

interface Latencies {
  get304: number[];
  postRequests: number[];
  unexpected: number;
}

async function apiLatencies(server: BenchServer, agents: BenchAgent[], version: number, callsPerKind: number): Promise<Latencies> {
  const worker = startClients({ mode: 'api', port: server.port, agents, callsPerKind, etag: policyEtag(version) });
  const result = await nextMessage(worker, 'latencies', 120_000);
  await worker.terminate();
  return result;
}

function quantile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? NaN;
}

const ms = (value: number): string => value.toFixed(1);
const ratio = (value: number, base: number): string => `${(value / base).toFixed(2)}x`;
const count = (value: number): string => value.toLocaleString('en-GB');

interface Round {
  version: number;
  /** Per stream, ms from the publish call to the event. */
  latencies: number[];
  publishCallMs: number;
}

async function fanOut(server: BenchServer, streams: Worker): Promise<Round> {
  const start = epochMs();
  const version = await publish(server);
  const publishCallMs = epochMs() - start;
  const command = (partial: boolean): void => streams.postMessage({ type: 'report', version, partial } satisfies ClientsCommand);
  const received = nextMessage(streams, 'received', 30_000, () => command(true));
  command(false);
  const { times } = await received;
  return { version, latencies: times.map((time) => time - start), publishCallMs };
}

function latencyTable(baseline: Latencies, loaded: Latencies, streams: number): string {
  const row = (what: string, kind: keyof Omit<Latencies, 'unexpected'>, sample: Latencies): string[] => {
    const base = quantile(baseline[kind], 0.99);
    return [what, count(sample[kind].length), ms(quantile(sample[kind], 0.5)), ms(quantile(sample[kind], 0.95)), ms(quantile(sample[kind], 0.99)), ratio(quantile(sample[kind], 0.99), base)];
  };
  return textTable(
    ['call', 'calls', 'p50 ms', 'p95 ms', 'p99 ms', 'p99 vs no streams'],
    [
      row('GET policy, If-None-Match -> 304, no streams', 'get304', baseline),
      row(`GET policy, If-None-Match -> 304, ${count(streams)} streams`, 'get304', loaded),
      row('POST requests, no streams', 'postRequests', baseline),
      row(`POST requests, ${count(streams)} streams`, 'postRequests', loaded),
    ],
    ['left', 'right', 'right', 'right', 'right', 'right'],
  );
}

function fanOutTable(rounds: readonly Round[], open: number): string {
  const last = (r: Round): number => Math.max(...r.latencies);
  const typical = median(rounds.map(last));
  const row = (what: string, told: string, values: number[]): string[] => [what, told, ...values.map(ms), ms((values[3] ?? NaN) / (open / 1000)), ratio(values[3] ?? NaN, typical)];
  return textTable(
    ['round', 'agents told', 'publish call ms', 'median ms', 'p95 ms', 'max (last) ms', 'last per 1,000 agents ms', 'last vs median round'],
    [
      ...rounds.map((r, i) => row(`${i + 1} (v${r.version})`, `${count(r.latencies.length)} / ${count(open)}`, [r.publishCallMs, median(r.latencies), p95(r.latencies), last(r)])),
      row('median of rounds', '', [median(rounds.map((r) => r.publishCallMs)), median(rounds.map((r) => median(r.latencies))), median(rounds.map((r) => p95(r.latencies))), typical]),
    ],
    ['left', 'right', 'right', 'right', 'right', 'right', 'right', 'right'],
  );
}

/** The whole part: enrol, baseline API latency, open every stream, API latency under them, then publish ROUNDS versions. */
export async function runPushBench(): Promise<void> {
  const agentCount = Number(process.env.BENCH_AGENTS ?? 5000);
  const callsPerKind = Number(process.env.BENCH_PUSH_CALLS ?? 500);
  console.log(`\nPolicy push: ${count(agentCount)} agents on policy streams, one server on SQLite (${cpus().length} cores, Node ${process.versions.node})\n`);
  const server = await startServer();
  let streams: Worker | undefined;
  try {
    await publish(server);
    let started = epochMs();
    const agents = await enrol(server, agentCount + API_CLIENTS);
    const enrolMs = epochMs() - started;
    const streamAgents = agents.slice(0, agentCount);
    const apiAgents = agents.slice(agentCount);
    const current = (await server.publisher.latestVersion()) ?? 0;
    await apiLatencies(server, apiAgents, current, 100); // warm-up (JIT, SQLite caches), not counted
    const baseline = await apiLatencies(server, apiAgents, current, callsPerKind);

    started = epochMs();
    streams = startClients({ mode: 'streams', port: server.port, agents: streamAgents, concurrency: 100 });
    const connected = await nextMessage(streams, 'connected', 120_000);
    const connectMs = epochMs() - started;
    const failures = connected.failed === 0 ? '' : `; ${count(connected.failed)} refused or failed (first: ${connected.firstError ?? 'unknown'})`;
    console.log(`Enrolled ${count(agents.length)} agents in ${ms(enrolMs / 1000)} s (${ms(enrolMs / agents.length)} ms each, key pair included).`);
    console.log(`Opened ${count(connected.open)} signed policy streams in ${ms(connectMs / 1000)} s (${ms((connectMs / Math.max(connected.open, 1)) * 1000)} ms per 1,000)${failures}.\n`);

    const loaded = await apiLatencies(server, apiAgents, current, callsPerKind);
    console.log(`Signed API calls from ${API_CLIENTS} concurrent clients, each call's own signature made before timing (${callsPerKind} of each kind)\n`);
    console.log(latencyTable(baseline, loaded, connected.open));
    if (baseline.unexpected + loaded.unexpected > 0) console.log(`Unexpected statuses: ${baseline.unexpected + loaded.unexpected}.\n`);

    const rounds: Round[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      rounds.push(await fanOut(server, streams));
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
    console.log(`Fan-out: from the publish call (sign, store, announce) until each agent's stream parsed the \`policy\` event, ${ROUNDS} publishes\n`);
    console.log(fanOutTable(rounds, connected.open));
  } finally {
    await streams?.terminate();
    await server.app.close();
    await server.db.close();
    rmSync(server.dir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  runPushBench().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
