import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { forwardedRequest } from '../../test/support/approvals-server';
import { agentKeyPair, openStream } from '../../test/support/agent-server';
import { addUser, GOOD_PASSWORD, TEST_SCRYPT_PARAMS } from '../../test/support/console-server';
import { forEachDatabase, silentLogger } from '../../test/support/databases';
import { FakeScheduler } from '../../test/support/fake-scheduler';
import { writeSigningKeyPair } from '../policy/policy-keys';
import { AGENT_PATHS, type EnrolAnswer } from './agent-protocol';
import { AgentStore, createEnrolToken } from './agent-store';
import { signAgentRequest } from './auth/agent-request-auth';
import type { ServerConfig } from './server-config';
import { startServer, type RunningServer } from './start-server';

forEachDatabase((harness) => {
  let dir: string;
  let running: RunningServer | undefined;

  beforeEach(() => void (dir = mkdtempSync(join(tmpdir(), 'portcullis-start-'))));
  afterEach(async () => {
    await running?.stop();
    running = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  it('wires both APIs to one publisher: an approval in the console reaches a connected PC at once; retention runs at start', async () => {
    const fresh = await harness.migrated();
    const slt = await addUser(fresh.db, 'slt@school.example', 'slt-approver');
    const it = await addUser(fresh.db, 'it@school.example', 'it-admin');
    const { token } = await createEnrolToken(new AgentStore({ db: fresh.db }), it.id);
    await fresh.db.close();

    const key = await writeSigningKeyPair(join(dir, 'keys'), { force: false });
    if (!key.ok) throw new Error(key.error);
    const storage: ServerConfig['storage'] = fresh.options.databaseUrl === undefined ? { kind: 'sqlite', dataDir: fresh.options.dataDir ?? '' } : { kind: 'postgres', databaseUrl: fresh.options.databaseUrl };
    const config: ServerConfig = { host: '127.0.0.1', port: 0, storage, tls: undefined, proxy: undefined, localHttp: true, ...(storage.kind === 'postgres' ? { policyKeyFile: key.value.privateKeyPath } : {}) };
    const scheduler = new FakeScheduler();
    running = await startServer(config, { log: { level: 'silent' }, logger: silentLogger, scryptParams: TEST_SCRYPT_PARAMS, scheduler, plugins: [] });
    const base = running.url.replace(/\/$/, '');
    await running.retention.runNow();
    expect((await running.db.all("SELECT type FROM server_events WHERE type = 'retention-purge'")).length).toBeGreaterThanOrEqual(1);
    expect(scheduler.pending()).toContain(24 * 60 * 60_000);

    const { privateKey, publicKey } = agentKeyPair();
    const enrolled = await fetch(`${base}${AGENT_PATHS.enrol}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token, machine: 'ICT-SUITE-07', publicKey, version: '0.1.0' }) });
    const agent = (await enrolled.json()) as EnrolAnswer;
    expect(agent.policyKey).toBe(running.publisher.publicKeyPem);
    const sign = (method: 'GET' | 'POST', path: string, body?: string) => signAgentRequest({ agentId: agent.agentId, privateKey, method, path, body, now: Date.now() });
    const body = JSON.stringify({ requests: [forwardedRequest('local-1')] });
    const forwarded = await fetch(`${base}${AGENT_PATHS.requests}`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: sign('POST', AGENT_PATHS.requests, body) }, body });
    const requestId = ((await forwarded.json()) as { requests: Array<{ serverId: string }> }).requests[0]?.serverId;
    const stream = await openStream(Number(new URL(base).port), { authorization: sign('GET', AGENT_PATHS.policyStream) });
    expect(stream.status).toBe(200);

    const session = await fetch(`${base}/api/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: slt.email, password: GOOD_PASSWORD }) });
    const cookie = (session.headers.getSetCookie()[0] ?? '').split(';')[0] ?? '';
    const { csrfToken } = ((await session.json()) as { value: { csrfToken: string } }).value;
    const approve = await fetch(`${base}/api/requests/${requestId}/approve`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie, 'x-csrf-token': csrfToken },
      body: JSON.stringify({ decision: { deviceScope: { by: 'serial' }, machineScope: { machines: 'this' }, userScope: 'requester', expires: '2030-07-22' } }),
    });
    expect(approve.status).toBe(200);
    await stream.waitFor(/event: policy\ndata: \{"version":1\}/);
    stream.close();
    // SQLite keeps the key made on first start in its data directory.
    if (storage.kind === 'sqlite') expect(existsSync(join(storage.dataDir, 'policy-signing.key'))).toBe(true);
  });
});
