import { request } from 'node:http';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IdleSupervisor } from '../../src/agent/idle-supervisor';
import { LocalApi } from '../../src/agent/local-api';
import { callAgent } from '../../src/agent/local-api-client';
import type { PeerCredentials } from '../../src/agent/peer-credentials';
import { TrayRegistry } from '../../src/agent/tray-registry';
import { AuditLog } from '../../src/audit/audit-log';
import { resolveIdleSettings, type IdleSettings } from '../../src/idle/idle-policy';
import type { UserSession } from '../../src/idle/session-list';
import { createLogger } from '../../src/util/logger';
import { FakeScheduler } from '../support/fake-scheduler';
import { startTestAgent, type TestAgent } from '../support/test-agent';

const NOW = Date.parse('2026-11-28T10:00:00Z');
const SESSIONS: UserSession[] = [
  { id: '2', user: 'kteacher', uid: 1000, remote: false, active: true, kind: 'x11' },
  { id: '4', user: 'jsmith', uid: 1004, remote: false, active: false, kind: 'wayland' },
];
const kteacher: PeerCredentials = { pid: 40, uid: 1000, user: 'kteacher' };
const jsmith: PeerCredentials = { pid: 41, uid: 1004, user: 'jsmith' };
const root: PeerCredentials = { pid: 1, uid: 0, user: 'root' };
const quiet = createLogger('test', { write: () => true });

let agentDir: string;
let dir: string;
let socketPath: string;
let test: TestAgent;
let api: LocalApi;
let audit: AuditLog;
let trays: TrayRegistry;
let supervisor: IdleSupervisor;
let peer: PeerCredentials | undefined;

beforeAll(async () => {
  agentDir = await mkdtemp(join(tmpdir(), 'local-idle-api-agent-'));
  test = await startTestAgent({ dir: agentDir, rules: '' });
  await test.agent.start();
});
afterAll(async () => {
  await rm(agentDir, { recursive: true, force: true });
});

/** A supervisor over the test's sessions, with actions that do nothing and `makeSource` as given. */
function supervisorWith(makeSource: ConstructorParameters<typeof IdleSupervisor>[0]['makeSource'], presentingLimit = 3_600_000): IdleSupervisor {
  return new IdleSupervisor({
    listSessions: async () => SESSIONS,
    makeSource,
    makeActions: () => ({ lock: async () => ({}), logoff: async () => undefined, describe: () => ({ lock: '-', logoff: '-' }) }),
    settingsFor: (session) => resolveIdleSettings({ ...idlePolicy(), presentingLimit, exemptUsers: ['jsmith'] }, { machine: 'ICT-07', groups: [], user: session.user }),
    trays,
    audit,
    scheduler: new FakeScheduler(),
    clock: () => NOW,
    logger: quiet,
  });
}

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'local-idle-api-'));
  socketPath = join(dir, 'run', 'agent.sock');
  audit = await AuditLog.open(join(dir, 'idle-audit.jsonl'), { machine: 'ICT-07', clock: () => new Date(NOW) });
  trays = new TrayRegistry({ clock: () => NOW });
  supervisor = supervisorWith(() => Promise.reject(new Error('not used')));
  peer = kteacher;
  api = new LocalApi(test.agent, quiet, async () => peer, { supervisor, trays });
  await api.listen(socketPath, 'users');
});
afterEach(async () => {
  await api.close();
  await audit.close();
  await rm(dir, { recursive: true, force: true });
});

function idlePolicy() {
  return { lockAfter: 300_000, logoffAfter: 1_800_000 as number | 'never', warnFor: 60_000, presentingLimit: 3_600_000, exemptUsers: [], exemptGroups: [], overrides: [] };
}

const client = () => ({ socketPath, allowUnprivilegedSocket: true });

function raw(path: string, body: string, contentType = 'application/json'): Promise<{ status: number; body: { ok: boolean; error?: string; value?: unknown } }> {
  return new Promise((resolve, reject) => {
    const call = request({ socketPath, method: 'POST', path, headers: { 'content-type': contentType } }, (response) => {
      let text = '';
      response.on('data', (chunk: Buffer) => (text += chunk.toString()));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body: JSON.parse(text) as { ok: boolean; error?: string } }));
    });
    call.on('error', reject);
    call.end(body);
  });
}

async function auditRecords(): Promise<Record<string, unknown>[]> {
  const text = await readFile(join(dir, 'idle-audit.jsonl'), 'utf8').catch(() => '');
  return text.split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('POST /v1/idle/heartbeat', () => {
  it('checks the tray in for its own session and answers the session\'s idle settings', async () => {
    const reply = await callAgent<IdleSettings>(client(), 'POST', '/v1/idle/heartbeat', { session: '2' });
    expect(reply).toEqual({ ok: true, value: { lockAfterMs: 300_000, logoffAfterMs: 1_800_000, warnForMs: 60_000, presentingLimitMs: 3_600_000, source: 'policy' } });
    expect(trays.present('2')).toBe(true);
  });

  it('answers each user their own settings (an exemption included)', async () => {
    peer = jsmith;
    const reply = await callAgent<IdleSettings>(client(), 'POST', '/v1/idle/heartbeat', { session: '4' });
    expect(reply.ok && reply.value.exemptBecause).toBe('user jsmith is in exemptUsers');
  });

  it('lets root check in for any session', async () => {
    peer = root;
    expect((await raw('/v1/idle/heartbeat', JSON.stringify({ session: '4' }))).status).toBe(200);
    expect(trays.present('4')).toBe(true);
  });

  it('refuses a heartbeat for another user\'s session with 403, saying why', async () => {
    const reply = await raw('/v1/idle/heartbeat', JSON.stringify({ session: '4' }));
    expect(reply).toEqual({ status: 403, body: { ok: false, error: "session 4 is not yours (it is jsmith's, and you are kteacher)" } });
    expect(trays.present('4')).toBe(false);
  });

  it('refuses when the agent cannot tell who connected, and 404s a session nobody is logged on in', async () => {
    peer = undefined;
    expect(await raw('/v1/idle/heartbeat', JSON.stringify({ session: '2' }))).toEqual({
      status: 403,
      body: { ok: false, error: "the agent could not tell who connected, so it cannot take a tray's word for session 2" },
    });
    peer = root;
    expect(await raw('/v1/idle/heartbeat', JSON.stringify({ session: '9' }))).toEqual({ status: 404, body: { ok: false, error: 'nobody is logged on in session 9' } });
  });

  it.each([
    ['{}', /^session: /],
    [JSON.stringify({ session: '' }), /^session: /],
    [JSON.stringify({ session: '2', lockAfter: '1h' }), /lockAfter/],
    ['{ not json', /the body is not valid JSON/],
  ])('refuses the body %s with 400', async (body, message) => {
    const reply = await raw('/v1/idle/heartbeat', body);
    expect(reply.status).toBe(400);
    expect(reply.body.error).toMatch(message);
    expect(trays.present('2')).toBe(false);
  });

  it('refuses non-JSON and oversized bodies', async () => {
    expect((await raw('/v1/idle/heartbeat', 'session=2', 'application/x-www-form-urlencoded')).status).toBe(415);
    expect((await raw('/v1/idle/heartbeat', JSON.stringify({ session: 'x'.repeat(20_000) }))).status).toBe(413);
  });
});

describe('POST /v1/idle/events', () => {
  it('audits a lock the tray carried out, as the tray\'s, in the session user\'s name', async () => {
    const reply = await callAgent(client(), 'POST', '/v1/idle/events', { session: '2', event: { type: 'locking', at: NOW, idleMs: 300_000 } });
    expect(reply).toEqual({ ok: true, value: { recorded: true } });
    expect(await auditRecords()).toEqual([
      expect.objectContaining({ user: 'kteacher', machine: 'ICT-07', event: { type: 'idle-locked', session: '2', idleMs: 300_000, by: 'tray' } }),
    ]);
  });

  it('takes every event shape, and records only those the audit log keeps', async () => {
    const warning = { type: 'warning', at: NOW, action: 'lock', deadline: NOW + 60_000 };
    expect(await callAgent(client(), 'POST', '/v1/idle/events', { session: '2', event: warning })).toEqual({ ok: true, value: { recorded: true } });
    const state = { type: 'state', at: NOW, from: 'active', to: 'lock-warning' };
    expect(await callAgent(client(), 'POST', '/v1/idle/events', { session: '2', event: state })).toEqual({ ok: true, value: { recorded: false } });
    expect((await auditRecords()).map((r) => r.event)).toEqual([{ type: 'idle-warning', action: 'lock', session: '2', deadline: '2026-11-28T10:01:00.000Z' }]);
  });

  it.each([
    [{ session: '2' }, /^event: /],
    [{ session: '2', event: { type: 'locking', at: '2026-11-28T10:00:00Z', idleMs: 1 } }, /^event\.at: /],
    [{ session: '2', event: { type: 'locking', at: NOW, idleMs: -1 } }, /^event\.idleMs: /],
    [{ session: '2', event: { type: 'unlocked', at: NOW } }, /^event\.type: /],
    [{ session: '2', event: { type: 'locking', at: NOW, idleMs: 1, by: 'service' } }, /by/],
  ])('refuses %j with 400 and audits nothing', async (body, message) => {
    const reply = await raw('/v1/idle/events', JSON.stringify(body));
    expect(reply.status).toBe(400);
    expect(reply.body.error).toMatch(message);
    expect(await auditRecords()).toEqual([]);
  });

  it('refuses a report for another user\'s session', async () => {
    const reply = await raw('/v1/idle/events', JSON.stringify({ session: '4', event: { type: 'logging-off', at: NOW, lockedForMs: 1 } }));
    expect(reply.status).toBe(403);
    expect(await auditRecords()).toEqual([]);
  });
});

describe('GET /v1/events', () => {
  it('streams the events of the sessions the service watches', async () => {
    await api.close();
    const watching = supervisorWith(() => ({ name: 'logind', idleMs: async () => 0 }));
    api = new LocalApi(test.agent, quiet, async () => peer, { supervisor: watching, trays });
    await api.listen(socketPath, 'users');
    const received = new Promise<string>((resolve, reject) => {
      const call = request({ socketPath, path: '/v1/events' }, (response) => {
        let text = '';
        response.on('data', (chunk: Buffer) => {
          text += chunk.toString();
          if (text.includes('"exempt"')) {
            call.destroy();
            resolve(text);
          }
        });
      });
      call.on('error', reject);
      call.end();
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    watching.start();
    const text = await received;
    await watching.stop();
    expect(text).toContain(
      'event: idle\ndata: {"session":"4","user":"jsmith","by":"service","event":{"type":"exempt","at":1795860000000,"reason":"user jsmith is in exemptUsers"}}\n\n',
    );
  });
});

describe('POST /v1/idle/presenting', () => {
  /** The API over a supervisor that watches both sessions (no tray checked in). */
  async function watchingAll(presentingLimit?: number): Promise<IdleSupervisor> {
    await api.close();
    const watching = supervisorWith(() => ({ name: 'logind', idleMs: async () => 0 }), presentingLimit);
    api = new LocalApi(test.agent, quiet, async () => peer, { supervisor: watching, trays });
    await api.listen(socketPath, 'users');
    watching.start();
    await watching.check();
    return watching;
  }

  it('turns presenting mode on for the asked time (at most the limit) and off, recorded in the user\'s name', async () => {
    const watching = await watchingAll();
    const on = await callAgent<{ presentingUntil: string }>(client(), 'POST', '/v1/idle/presenting', { session: '2', on: true, minutes: 45 });
    expect(on).toEqual({ ok: true, value: { presentingUntil: new Date(NOW + 45 * 60_000).toISOString() } });
    const capped = await callAgent<{ presentingUntil: string }>(client(), 'POST', '/v1/idle/presenting', { session: '2', on: true, minutes: 600 });
    expect(capped).toEqual({ ok: true, value: { presentingUntil: new Date(NOW + 60 * 60_000).toISOString() } });
    expect(await callAgent(client(), 'POST', '/v1/idle/presenting', { session: '2', on: false })).toEqual({ ok: true, value: { presentingUntil: null } });
    await watching.stop();
    const events = (await auditRecords()).filter((r) => r.user === 'kteacher').map((r) => (r.event as { type: string }).type);
    expect(events).toEqual(['presenting-started', 'presenting-started', 'presenting-ended']);
  });

  it('refuses another user\'s session, a session whose tray runs the lock, and a policy that allows no presenting', async () => {
    const watching = await watchingAll();
    expect(await raw('/v1/idle/presenting', JSON.stringify({ session: '4', on: true }))).toEqual({ status: 403, body: { ok: false, error: "session 4 is not yours (it is jsmith's, and you are kteacher)" } });
    trays.heartbeat('2');
    await watching.check();
    const tray = await raw('/v1/idle/presenting', JSON.stringify({ session: '2', on: true }));
    expect(tray).toEqual({ status: 409, body: { ok: false, error: 'the tray of session 2 runs its idle lock: turn presenting mode on or off there' } });
    await watching.stop();
  });

  it('refuses presenting mode, recorded, where the idle policy allows none', async () => {
    const watching = await watchingAll(0);
    expect(await raw('/v1/idle/presenting', JSON.stringify({ session: '2', on: true }))).toEqual({ status: 403, body: { ok: false, error: 'presenting mode is not allowed by the idle policy' } });
    await watching.stop();
    expect((await auditRecords()).map((r) => (r.event as { type: string }).type)).toContain('presenting-refused');
  });

  it('refuses a body that is not what it should be', async () => {
    const reply = await raw('/v1/idle/presenting', JSON.stringify({ session: '2', on: 'yes', minutes: 0 }));
    expect(reply.status).toBe(400);
    expect(reply.body.error).toMatch(/^on: .*; minutes: /);
  });
});

describe('an agent without idle supervision', () => {
  it('answers the idle calls with 404', async () => {
    await api.close();
    api = new LocalApi(test.agent, quiet, async () => peer);
    await api.listen(socketPath, 'users');
    const reply = await raw('/v1/idle/heartbeat', JSON.stringify({ session: '2' }));
    expect(reply).toEqual({ status: 404, body: { ok: false, error: 'this agent does not lock idle sessions itself, so it takes no idle calls' } });
  });
});
