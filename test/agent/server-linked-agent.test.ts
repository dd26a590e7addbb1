/**
 * The whole Linux agent, as `portcullis agent --server URL` runs it on a simulated kernel, linked
 * to the real agent routes (Fastify on 127.0.0.1, migrated SQLite): a blocked stick is asked for,
 * the request reaches the server, SLT approves it and publishes, and within seconds the agent has
 * the signed policy, authorises the stick and knows the request was approved; its audit log
 * reaches the server whole.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseAgentConfig } from '../../src/agent/agent-config';
import { requestStatusWords, type QueuedRequest } from '../../src/agent/request-queue';
import { startAgent, type RunningAgent } from '../../src/agent/start-agent';
import { readFileTail } from '../../src/audit/audit-lines';
import { checkRecordLine } from '../../src/audit/audit-record';
import { createEnrolToken } from '../../src/server/agent-store';
import { AuditStore } from '../../src/server/audit-store';
import { issueOfflineCodeFor } from '../../src/server/offline-code-issuer';
import { callAgent } from '../../src/agent/local-api-client';
import { userInfo } from 'node:os';
import { open } from 'node:fs/promises';
import { bootEdgeCases, type FakeUsbKernel } from '../enforce/fake-usb-kernel';
import { agentTestServer, USER_ID, type AgentTestServer } from '../support/agent-server';
import { captureLogger } from '../support/capture-logger';
import { startLinkedAgent } from '../support/linked-agent';
import { forEachDatabase, silentLogger } from '../support/databases';

async function waitUntil(check: () => Promise<boolean> | boolean, what: string, timeoutMs = 5_000): Promise<number> {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > timeoutMs) throw new Error(`not within ${timeoutMs} ms: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return Date.now() - started;
}

const HUBS = { id: 'r-hubs', rule: 'allow with-interface match-all { 09:00:* }', reason: 'Hubs' };
const policy = (rules: Array<{ id: string; rule: string; reason: string }>) => ({ format: 'portcullis-policy/1' as const, mode: 'enforce' as const, implicitTarget: 'block' as const, rules });

async function lastLocalSeq(path: string): Promise<number> {
  const handle = await open(path, 'r');
  try {
    const { lastLine } = await readFileTail(handle);
    const check = lastLine === undefined ? undefined : checkRecordLine(lastLine);
    return check?.status === 'ok' ? check.record.seq : 0;
  } finally {
    await handle.close();
  }
}

forEachDatabase((harness) => {
  let kernel: FakeUsbKernel;
  let stateDir: string;
  let cleanup: () => Promise<void>;
  let server: AgentTestServer;
  let running: RunningAgent | undefined;
  let stopKernel: () => Promise<void>;

  beforeEach(async () => {
    ({ kernel, stateDir, cleanup } = await bootEdgeCases());
    stopKernel = kernel.runInBackground();
    server = await agentTestServer(harness);
  });
  afterEach(async () => {
    await running?.stop('test over');
    await stopKernel();
    await server.app.close();
    await cleanup();
  });

  it('asks, is approved, and authorises the stick within seconds of the policy being published', async () => {
    const url = new URL(`http://127.0.0.1:${server.port}`);
    expect((await server.publisher.publishPolicy(policy([HUBS]), USER_ID)).ok).toBe(true);
    const { token } = await createEnrolToken(server.agents, USER_ID);
    const linked = await startLinkedAgent({ kernel, stateDir, server: url, token, waitUntil });
    running = linked.running;
    const { lines, agentId } = linked;
    const agent = linked.running.agent;
    const auditLog = join(stateDir, 'audit.jsonl');

    await kernel.attach('1-13', '1-9');
    await waitUntil(() => agent.devices().some((d) => d.device.viaPort === '1-13'), 'the stick decided');
    const stick = agent.devices().find((d) => d.device.viaPort === '1-13');
    expect(stick?.decision.target).toBe('block');
    const authorized = async () => (await readFile(join(await kernel.deviceDir('1-13'), 'authorized'), 'utf8')).trim();
    expect(await authorized()).toBe('0');

    const asked = await agent.requestApproval('1-13', 'Year 11 coursework for moderation', { user: 'jsmith', verified: true }, 30);
    await waitUntil(async () => (await server.db.get<{ count: number }>('SELECT COUNT(*) AS count FROM approval_requests'))?.count === 1, 'the request on the server');
    const row = await server.db.get<{ id: string; requester: string; machine: string }>('SELECT id, requester, machine FROM approval_requests');
    expect(row).toMatchObject({ requester: 'jsmith', machine: 'ICT-SUITE-07' });
    const mine = () => agent.pendingRequests().find((r) => r.id === asked.id) as QueuedRequest | undefined;
    await waitUntil(() => mine()?.server?.serverId === row?.id, 'the server id kept');

    // SLT approves: the request is marked, and a policy allowing the stick is published.
    const { vendor, product } = stick?.device.id ?? { vendor: '', product: '' };
    await server.db.run("UPDATE approval_requests SET status = 'approved', decided_by = ? WHERE id = ?", [USER_ID, row?.id ?? '']);
    const approval = { id: 'r-stick', rule: `allow id ${vendor}:${product} serial "${stick?.device.serial ?? ''}"`, reason: 'Coursework' };
    expect((await server.publisher.publishPolicy(policy([HUBS, approval]), USER_ID)).ok).toBe(true);
    // The signed policy is on the PC within 2 s, and the stick is authorised at once: a reload re-applies devices whose
    // enforcement changes first, before the others (a recorded hub among them waits 2 s for interfaces that never appear).
    await waitUntil(async () => (await readFile(join(stateDir, 'server', 'policy.signed.json'), 'utf8')).includes('r-stick'), 'policy v2 on the PC', 2_000);
    await waitUntil(async () => (await authorized()) === '1', 'the stick authorised', 1_000);
    expect(agent.status().policy).toMatch(/^policy v2 signed by/);
    await waitUntil(() => mine()?.server?.status === 'approved', 'the approval known on the PC');
    expect(requestStatusWords(mine() as QueuedRequest)).toBe('approved, with no expiry');

    // The audit log reaches the server whole.
    await agent.idle();
    const store = new AuditStore({ db: server.db, logger: silentLogger });
    await waitUntil(async () => (await store.state(agentId))?.lastSeq === (await lastLocalSeq(auditLog)), 'the audit log shipped');
    expect(await store.state(agentId)).toMatchObject({ chainOk: true });
    expect(lines.filter((l) => l.level === 'error')).toEqual([]);
  });

  it('lets a stick in with a one-time code from SLT while the server cannot be reached, once', async () => {
    expect((await server.publisher.publishPolicy(policy([HUBS]), USER_ID)).ok).toBe(true);
    const { token } = await createEnrolToken(server.agents, USER_ID);
    const linked = await startLinkedAgent({ kernel, stateDir, server: new URL(`http://127.0.0.1:${server.port}`), token, waitUntil });
    running = linked.running;
    const agent = linked.running.agent;
    await kernel.attach('1-13', '1-9');
    await waitUntil(() => agent.devices().some((d) => d.device.viaPort === '1-13'), 'the stick decided');
    await agent.requestApproval('1-13', 'Exam board upload from the hall', { user: 'jsmith', verified: true }, 1);
    await waitUntil(async () => (await server.db.get<{ count: number }>('SELECT COUNT(*) AS count FROM approval_requests'))?.count === 1, 'the request on the server');
    const row = await server.db.get<{ id: string }>('SELECT id FROM approval_requests');
    const issued = await issueOfflineCodeFor(server.db, row?.id ?? '', 4, USER_ID, new Date());
    await server.app.close();

    const socketPath = join(stateDir, 'agent.sock');
    const me = userInfo().username;
    const use = (code: string) => callAgent<{ allowedUntil: string }>({ socketPath }, 'POST', '/v1/offline-codes', { device: '1-13', code, user: me });
    const typo = await use(issued.code.replace(/^./, (c) => (c === 'A' ? 'B' : 'A')));
    expect(typo).toEqual({ ok: false, error: expect.stringContaining('not valid for this device on this PC') });
    const authorized = async () => (await readFile(join(await kernel.deviceDir('1-13'), 'authorized'), 'utf8')).trim();
    expect(await authorized()).toBe('0');

    const used = await use(issued.code.toLowerCase());
    expect(used).toEqual({ ok: true, value: { device: '1-13', allowedUntil: issued.expiresAt } });
    await waitUntil(async () => (await authorized()) === '1', 'the stick authorised by the code');
    expect(agent.devices().find((d) => d.device.viaPort === '1-13')?.decision.reason).toBe(`allowed until ${issued.expiresAt} by a one-time code from SLT, typed by ${me}`);
    expect(await use(issued.code)).toEqual({ ok: false, error: 'this code was already used on this PC; each code works once' });

    const audit = await readFile(join(stateDir, 'audit.jsonl'), 'utf8');
    const types = audit.trim().split('\n').map((line) => (JSON.parse(line) as { event: { type: string } }).event.type);
    expect(types.filter((type) => type.startsWith('offline-code-'))).toEqual(['offline-code-refused', 'offline-code-accepted', 'offline-code-refused']);
  });

  it('runs, enforcing the policy held, when it is not enrolled, and says how to enrol', async () => {
    const config = parseAgentConfig({ sysfsRoot: kernel.sysfsRoot, server: `http://127.0.0.1:${server.port}`, auditLog: join(stateDir, 'audit.jsonl'), socket: join(stateDir, 'agent.sock'), stateDir, pollIntervalMs: 50 }, 'test');
    if (!config.ok) throw new Error(config.error);
    const { logger, lines } = captureLogger('agent');
    running = await startAgent(config.value, { version: 'test', platform: 'linux', logger });
    expect(running.link).toBeUndefined();
    expect(lines).toContainEqual(expect.objectContaining({ level: 'error', message: 'not linked to the console server; enforcing the policy held here', error: expect.stringMatching(/not enrolled with a console server .*; enrol with: portcullis agent --server http:\/\/127\.0\.0\.1:\d+ --enrol TOKEN$/) }));
    expect(running.agent.status().policy).toMatch(/built-in default/);
  });
}, ['sqlite']);
