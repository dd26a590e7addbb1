/**
 * The agent's link to the console server against the real agent routes (Fastify, listening on
 * 127.0.0.1, a migrated SQLite database): enrolment, policy pushed over the event stream,
 * requests forwarded and answered, audit records shipped. Real fetch, real timers.
 */
import { readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import Fastify from 'fastify';
import { agentCommand } from '../../src/cli/commands/agent';
import type { CliIo } from '../../src/cli/command';
import { RequestQueue, requestStatusWords } from '../../src/agent/request-queue';
import { enrolAgent } from '../../src/agent/server-link/enrol-agent';
import { serverLinkPaths } from '../../src/agent/server-link/link-files';
import { ServerLink } from '../../src/agent/server-link/server-link';
import { systemScheduler } from '../../src/devices/scheduler';
import { AuditLog } from '../../src/audit/audit-log';
import { agentRoutes } from '../../src/server/agent-routes/agent-routes';
import { createEnrolToken } from '../../src/server/agent-store';
import { AuditStore } from '../../src/server/audit-store';
import { parseEnvelope } from '../../src/policy/policy-signing';
import { agentTestServer, USER_ID, type AgentTestServer } from '../support/agent-server';
import { fakeClock, MACHINE, STICK, useTempDir } from '../support/audit-fixtures';
import { captureLogger } from '../support/capture-logger';
import { forEachDatabase, silentLogger } from '../support/databases';
import { sampleDocument } from '../support/policy-fixtures';
import { sampleDevice } from '../support/sample-device';

const dir = useTempDir('server-link-');

async function waitUntil(check: () => Promise<boolean> | boolean, what: string, timeoutMs = 2_000): Promise<number> {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > timeoutMs) throw new Error(`not within ${timeoutMs} ms: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return Date.now() - started;
}

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

function capture(): CliIo & { text: { out: string; err: string } } {
  const text = { out: '', err: '' };
  return { text, readStdin: async () => '', out: (t) => void (text.out += t), err: (t) => void (text.err += t) };
}

const draft = (rules = sampleDocument().rules) => ({ format: 'portcullis-policy/1' as const, mode: 'enforce' as const, implicitTarget: 'block' as const, rules });

/** The policy version in the file the link keeps, or 0. */
async function heldVersion(stateDir: string): Promise<number> {
  const text = await readFile(serverLinkPaths(stateDir).policy, 'utf8').catch(() => undefined);
  if (text === undefined) return 0;
  const envelope = parseEnvelope(text, 'held');
  return envelope.ok ? (JSON.parse(envelope.value.documentText) as { version: number }).version : 0;
}

forEachDatabase((harness) => {
  let server: AgentTestServer;
  let url: URL;
  const links: ServerLink[] = [];

  beforeEach(async () => {
    server = await agentTestServer(harness);
    url = new URL(`http://127.0.0.1:${server.port}`);
  });
  afterEach(async () => {
    await Promise.all(links.splice(0).map((link) => link.stop()));
    await server.app.close();
  });

  const enrolled = async (stateDir = dir.path) => {
    const { token } = await createEnrolToken(server.agents, USER_ID);
    const result = await enrolAgent({ server: url, token, stateDir, machine: 'ICT-SUITE-07', version: '0.1.0', fetch, clock: () => new Date() });
    if (!result.ok) throw new Error(result.error);
    return result.value;
  };

  const openLink = async (options: { queue?: RequestQueue; auditLog?: string; onPolicy?: () => Promise<void> } = {}) => {
    const { logger, lines } = captureLogger('server-link');
    const opened = await ServerLink.open({
      server: url,
      stateDir: dir.path,
      auditLog: options.auditLog ?? join(dir.path, 'audit.jsonl'),
      queue: options.queue ?? (await RequestQueue.open(dir.path)),
      fetch,
      clock: () => new Date(),
      scheduler: systemScheduler,
      logger,
      onPolicy: options.onPolicy ?? (async () => undefined),
    });
    if (!opened.ok) throw new Error(opened.error);
    links.push(opened.value);
    return { link: opened.value, lines };
  };

  describe('enrolment', () => {
    it('keeps the identity, its key (0600), the policy key and the offline secret (0600), and the server knows the PC', async () => {
      const { identity, policyKeyId } = await enrolled();
      const paths = serverLinkPaths(dir.path);
      expect(identity).toEqual({ server: url.origin, agentId: expect.stringMatching(/^agt_/), enrolledAt: expect.any(String) });
      expect(JSON.parse(await readFile(paths.identity, 'utf8'))).toEqual(identity);
      expect(await readFile(paths.policyKey, 'utf8')).toBe(server.publisher.publicKeyPem);
      expect(policyKeyId).toMatch(/^[A-Za-z0-9_-]{16}$/);
      for (const file of [paths.agentKey, paths.offlineSecret, paths.identity]) expect((await stat(file)).mode & 0o777).toBe(0o600);
      const secret = (await readFile(paths.offlineSecret, 'utf8')).trim();
      expect(await server.db.get('SELECT machine, agent_version, offline_secret FROM agents WHERE id = ?', [identity.agentId])).toEqual({ machine: 'ICT-SUITE-07', agent_version: '0.1.0', offline_secret: secret });
    });

    it('refuses to enrol twice, saying how to start over, and changes nothing', async () => {
      await enrolled();
      const key = await readFile(serverLinkPaths(dir.path).agentKey, 'utf8');
      const { token } = await createEnrolToken(server.agents, USER_ID);
      const again = await enrolAgent({ server: url, token, stateDir: dir.path, machine: 'ICT-SUITE-07', version: '0.1.0', fetch, clock: () => new Date() });
      expect(!again.ok && again.error).toMatch(new RegExp(`^this PC is already enrolled with ${url.origin} as agt_\\w+ \\(since .*\\); to enrol it again, delete ${serverLinkPaths(dir.path).dir} and run the command again`));
      expect(await readFile(serverLinkPaths(dir.path).agentKey, 'utf8')).toBe(key);
    });

    it("refuses clearly when the server does, naming it and giving its reason", async () => {
      const { token } = await createEnrolToken(server.agents, USER_ID);
      await enrolled(join(dir.path, 'other-pc'));
      const first = await enrolAgent({ server: url, token, stateDir: join(dir.path, 'a'), machine: 'ICT-01', version: '0.1.0', fetch, clock: () => new Date() });
      expect(first.ok).toBe(true);
      const used = await enrolAgent({ server: url, token, stateDir: join(dir.path, 'b'), machine: 'ICT-02', version: '0.1.0', fetch, clock: () => new Date() });
      expect(!used.ok && used.error).toBe(`the console server at ${url.origin} refused the enrolment (HTTP 403): this enrolment token was already used; each one enrols a single PC, so issue a new one`);
      const badName = await enrolAgent({ server: url, token: (await createEnrolToken(server.agents, USER_ID)).token, stateDir: join(dir.path, 'c'), machine: 'ICT 02/b', version: '0.1.0', fetch, clock: () => new Date() });
      expect(!badName.ok && badName.error).toMatch(/refused the enrolment \(HTTP 400\): the machine name must be/);
      const closed = await closedPort();
      const nowhere = await enrolAgent({ server: new URL(`http://127.0.0.1:${closed}`), token, stateDir: join(dir.path, 'd'), machine: 'ICT-03', version: '0.1.0', fetch, clock: () => new Date() });
      expect(!nowhere.ok && nowhere.error).toBe(`could not reach the console server at http://127.0.0.1:${closed} (ECONNREFUSED)`);
      await expect(stat(serverLinkPaths(join(dir.path, 'b')).identity)).rejects.toThrow(/ENOENT/);
    });

    it('enrols from the command line: portcullis agent --server URL --enrol TOKEN, once', async () => {
      const config = join(dir.path, 'agent.json');
      await writeFile(config, JSON.stringify({ machine: 'ICT-SUITE-09', stateDir: join(dir.path, 'state') }));
      const { token } = await createEnrolToken(server.agents, USER_ID);
      const io = capture();
      expect(await agentCommand.run(['--config', config, '--server', url.origin, '--enrol', token], io)).toBe(0);
      expect(io.text.out).toMatch(new RegExp(`^Enrolled with ${url.origin} as agt_\\w+; policies signed by its key \\S+ are now trusted`));
      const twice = capture();
      expect(await agentCommand.run(['--config', config, '--server', url.origin, '--enrol', token], twice)).toBe(1);
      expect(twice.text.err).toMatch(/^not enrolled: this PC is already enrolled with/);
      await expect(agentCommand.run(['--config', config, '--enrol', token], capture())).rejects.toThrow(/--enrol TOKEN needs the console server: --server URL/);
      expect(await agentCommand.run(['--config', config, '--server', 'http://school.example', '--enrol', token], capture())).toBe(1);
    });
  });

  describe('policy', () => {
    it('has each newly published policy within 2 s of its publication, pushed over the stream', async () => {
      await enrolled();
      let reloads = 0;
      const { link } = await openLink({ onPolicy: async () => void (reloads += 1) });
      link.start();
      const first = await server.publisher.publishPolicy(draft(), USER_ID);
      expect(first.ok).toBe(true);
      await waitUntil(async () => (await heldVersion(dir.path)) === 1, 'version 1 held');
      await waitUntil(() => server.app.server.listening && reloads === 1, 'the agent told to reload');
      for (const version of [2, 3]) {
        const published = await server.publisher.publishPolicy(draft(sampleDocument().rules.slice(0, 1)), USER_ID);
        expect(published.ok && published.value.version).toBe(version);
        const tookMs = await waitUntil(async () => (await heldVersion(dir.path)) === version, `version ${version} held`, 2_000);
        expect(tookMs).toBeLessThan(2_000);
      }
      expect(reloads).toBe(3);
      expect(link.policy.heldVersion()).toBe(3);
    });

    it('keeps enforcing the last policy verified while the server is away, logging that once, and once when it is back', async () => {
      await enrolled();
      const { link, lines } = await openLink();
      await server.publisher.publishPolicy(draft(), USER_ID);
      await link.syncPolicy();
      expect(await heldVersion(dir.path)).toBe(1);
      const { port } = server;
      await server.app.close();
      await link.syncPolicy();
      await link.syncPolicy();
      await link.shipAudit();
      expect(lines.filter((l) => l.message.startsWith('console server unreachable'))).toHaveLength(1);
      expect(await heldVersion(dir.path)).toBe(1);
      // The same server comes back on the same port.
      const again = Fastify();
      await again.register(agentRoutes({ db: server.db, publisher: server.publisher, logger: silentLogger }));
      await again.listen({ port, host: '127.0.0.1' });
      server.app = again;
      await server.publisher.publishPolicy(draft(), USER_ID);
      await link.syncPolicy();
      expect(lines.filter((l) => l.message === 'console server reachable again')).toHaveLength(1);
      expect(await heldVersion(dir.path)).toBe(2);
    });
  });

  describe('requests', () => {
    it('forwards waiting requests, keeps their server ids, and fetches their answers', async () => {
      await enrolled();
      const queue = await RequestQueue.open(dir.path);
      const { id, serial, name, manufacturer, hash, kind, interfaces, warnings } = sampleDevice();
      const device = { id, serial, name, manufacturer, hash, kind, interfaces, warnings };
      const base = { viaPort: '1-2', user: 'jsmith', userVerified: true, machine: 'ICT-SUITE-07', durationDays: 30, requestedAt: new Date().toISOString(), status: 'pending' as const };
      await queue.add({ ...base, id: 'local-1', device, justification: 'Year 11 coursework' });
      await queue.add({ ...base, id: 'local-2', device: { ...device, hash: 'another-device-hash', serial: 'OTHER' }, justification: 'Photos for the newsletter' });
      const { link } = await openLink({ queue });
      await link.forwardRequests();
      const [one, two] = queue.pending();
      expect(one?.server).toMatchObject({ serverId: expect.any(String), status: 'pending' });
      expect(requestStatusWords(one as never)).toBe('pending');
      expect(await server.db.get('SELECT COUNT(*) AS count FROM approval_requests')).toEqual({ count: 2 });
      await server.db.run("UPDATE approval_requests SET status = 'refused', decision_reason = ?, decided_by = ? WHERE id = ?", ['Use the school OneDrive instead', USER_ID, one?.server?.serverId ?? '']);
      await link.forwardRequests();
      expect(requestStatusWords(queue.pending()[0] as never)).toBe('refused: Use the school OneDrive instead');
      expect(queue.pending()[1]?.server).toMatchObject({ serverId: two?.server?.serverId, status: 'pending' });
      expect(queue.awaitingAnswer().map((r) => r.id)).toEqual(['local-2']);
      // Resending (an answer lost on the way) gives the same server ids and stores nothing twice.
      const fresh = await RequestQueue.open(dir.path);
      const raw = JSON.parse(await readFile(join(dir.path, 'requests.json'), 'utf8')) as Array<Record<string, unknown>>;
      await writeFile(join(dir.path, 'requests.json'), JSON.stringify(raw.map(({ server: _server, ...rest }) => rest)));
      const resent = await RequestQueue.open(dir.path);
      expect(fresh.unforwarded()).toHaveLength(0);
      expect(resent.unforwarded()).toHaveLength(2);
      const { link: second } = await openLink({ queue: resent });
      await second.forwardRequests();
      expect(resent.pending().map((r) => r.server?.serverId)).toEqual([one?.server?.serverId, two?.server?.serverId]);
      expect(await server.db.get('SELECT COUNT(*) AS count FROM forwarded_requests')).toEqual({ count: 2 });
    });
  });

  describe('audit', () => {
    it('ships every record in order across rotated files, in batches of up to 500, and resending is idempotent', async () => {
      const { identity } = await enrolled();
      const auditLog = join(dir.path, 'log', 'audit.jsonl');
      const log = await AuditLog.open(auditLog, { machine: MACHINE, clock: fakeClock().clock, maxBytes: 100_000, keep: 50 });
      await log.appendAll(Array.from({ length: 1_200 }, () => ({ type: 'device-arrived' as const, device: STICK })));
      for (let i = 0; i < 30; i += 1) await log.append({ type: 'device-removed', device: STICK });
      const { link, lines } = await openLink({ auditLog });
      await link.shipAudit();
      const store = new AuditStore({ db: server.db, logger: silentLogger });
      expect(await store.state(identity.agentId)).toMatchObject({ lastSeq: 1_230, chainOk: true });
      expect(await server.db.get('SELECT COUNT(*) AS count FROM audit_records')).toEqual({ count: 1_230 });
      expect(JSON.parse(await readFile(serverLinkPaths(dir.path).auditShipped, 'utf8'))).toMatchObject({ lastSeq: 1_230 });
      // A record appended later goes soon after it is on disk.
      const watched = link.watchAudit(log);
      link.start();
      await watched.append({ type: 'service-stopped', reason: 'test' });
      await waitUntil(async () => (await store.state(identity.agentId))?.lastSeq === 1_231, 'the new record shipped');
      // Lose the shipping state: the first batch is sent again, the server keeps each record once and says where it is up to.
      await link.stop();
      await rm(serverLinkPaths(dir.path).auditShipped);
      const { link: again } = await openLink({ auditLog });
      expect(await again.audit.ship()).toEqual({ accepted: 500, lastSeq: 1_231 });
      expect(await again.audit.ship()).toEqual({ accepted: 0, lastSeq: 1_231 });
      expect(await server.db.get('SELECT COUNT(*) AS count FROM audit_records')).toEqual({ count: 1_231 });
      expect(await store.state(identity.agentId)).toMatchObject({ chainOk: true });
      expect(lines.filter((l) => l.level === 'error')).toEqual([]);
      await log.close();
    });

    it('logs an error when the server finds a break in the chain', async () => {
      await enrolled();
      const auditLog = join(dir.path, 'audit.jsonl');
      const log = await AuditLog.open(auditLog, { machine: MACHINE, clock: fakeClock().clock });
      for (let i = 0; i < 3; i += 1) await log.append({ type: 'device-arrived', device: STICK });
      await log.close();
      const text = await readFile(auditLog, 'utf8');
      await writeFile(auditLog, text.replace('"seq":2,', '"seq":2, '));
      const { link, lines } = await openLink({ auditLog });
      await link.shipAudit();
      expect(lines).toContainEqual(expect.objectContaining({ level: 'error', message: expect.stringMatching(/found a break in this PC's audit chain/) }));
    });
  });
}, ['sqlite']);
