import { request } from 'node:http';
import { chown, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalApi, maySeeRequest, requester } from '../../src/agent/local-api';
import { callAgent } from '../../src/agent/local-api-client';
import type { AgentStatus } from '../../src/agent/agent-service';
import type { DeviceState } from '../../src/agent/agent-events';
import { createLogger } from '../../src/util/logger';
import { sampleDevice } from '../support/sample-device';
import { startTestAgent, type TestAgent } from '../support/test-agent';

let dir: string;
let socketPath: string;
let api: LocalApi;
let test: TestAgent;
const stick = sampleDevice({ viaPort: '1-3', serial: 'STRANGER' });

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'local-api-'));
  socketPath = join(dir, 'run', 'agent.sock');
  test = await startTestAgent({ dir, rules: '' });
  await test.agent.start();
  test.watcher.added(stick);
  await test.agent.idle();
  api = new LocalApi(test.agent, createLogger('test', { write: () => true }));
  await api.listen(socketPath, 'users');
});
afterEach(async () => {
  await api.close();
  await rm(dir, { recursive: true, force: true });
});

const client = () => ({ socketPath, allowUnprivilegedSocket: true });

/** A raw call, for what the typed client never sends. */
function raw(method: string, path: string, body: string, contentType = 'application/json'): Promise<{ status: number; body: { ok: boolean; error?: string } }> {
  return new Promise((resolve, reject) => {
    const call = request({ socketPath, method, path, headers: { 'content-type': contentType } }, (response) => {
      let text = '';
      response.on('data', (chunk: Buffer) => (text += chunk.toString()));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body: JSON.parse(text) as { ok: boolean; error?: string } }));
    });
    call.on('error', reject);
    call.end(body);
  });
}

describe('local API', () => {
  it('opens the socket to root and the local users group only', async () => {
    const info = await stat(socketPath);
    expect(info.isSocket()).toBe(true);
    expect(info.mode & 0o777).toBe(process.getuid?.() === 0 ? 0o660 : 0o600);
  });

  it('answers status and devices with their decisions', async () => {
    const status = await callAgent<AgentStatus>(client(), 'GET', '/v1/status');
    expect(status).toEqual({ ok: true, value: expect.objectContaining({ machine: 'ICT-07', mode: 'enforce', devices: 1, blocked: 1 }) });
    const devices = await callAgent<DeviceState[]>(client(), 'GET', '/v1/devices');
    expect(devices.ok && devices.value[0]?.decision.reason).toBe('blocked: no rule allows a USB storage device from SanDisk');
  });

  it('queues a valid approval request', async () => {
    const queued = await callAgent<{ id: string }>(client(), 'POST', '/v1/requests', { device: '1-3', justification: 'Year 11 coursework', user: 'jsmith' });
    expect(queued.ok).toBe(true);
    expect(test.agent.pendingRequests()).toHaveLength(1);
  });

  it.each([
    [{ device: '1-3', justification: 'x', user: 'jsmith' }, 400, /justification: say in a few words why/],
    [{ device: '1-3', justification: 'coursework', user: 'jsmith', durationDays: 9999 }, 400, /durationDays/],
    [{ device: '1-3', justification: 'coursework', user: 'jsmith', admin: true }, 400, /admin/],
    [{ device: '7-7', justification: 'coursework', user: 'jsmith' }, 404, /no device '7-7' is attached/],
  ])('refuses %j cleanly', async (body, status, message) => {
    const reply = await raw('POST', '/v1/requests', JSON.stringify(body));
    expect(reply.status).toBe(status);
    expect(reply.body.error).toMatch(message);
    expect(test.agent.pendingRequests()).toHaveLength(0);
  });

  it('refuses malformed, oversized and non-JSON bodies, and unknown calls', async () => {
    expect((await raw('POST', '/v1/requests', '{ not json')).status).toBe(400);
    expect((await raw('POST', '/v1/requests', JSON.stringify({ justification: 'x'.repeat(20_000) }))).status).toBe(413);
    expect((await raw('POST', '/v1/requests', 'device=1-3', 'application/x-www-form-urlencoded')).status).toBe(415);
    const unknown = await raw('DELETE', '/v1/devices', '');
    expect(unknown).toEqual({ status: 404, body: { ok: false, error: 'no such API call: DELETE /v1/devices (see docs/local-api.md)' } });
  });

  it('streams device events to subscribers', async () => {
    const received = new Promise<string>((resolve, reject) => {
      const call = request({ socketPath, path: '/v1/events' }, (response) => {
        let text = '';
        response.on('data', (chunk: Buffer) => {
          text += chunk.toString();
          if (text.includes('event: device-removed')) {
            call.destroy();
            resolve(text);
          }
        });
      });
      call.on('error', reject);
      call.end();
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    test.watcher.removed('1-3');
    expect(await received).toMatch(/event: device-removed\ndata: \{"type":"device-removed","viaPort":"1-3"\}\n\n/);
  });

  it('tells the client when the agent is not running', async () => {
    const missing = join(dir, 'none.sock');
    expect(await callAgent({ socketPath: missing }, 'GET', '/v1/status')).toEqual({ ok: false, error: `the Portcullis agent is not running (no socket at ${missing})` });
  });

  it('refuses a socket that root does not own', async () => {
    if (process.getuid?.() !== 0) return expect(await callAgent({ socketPath }, 'GET', '/v1/status')).toMatchObject({ ok: false });
    await chown(socketPath, 1000, 1000);
    expect(await callAgent({ socketPath }, 'GET', '/v1/status')).toEqual({ ok: false, error: `${socketPath} is not owned by root, so it is not the Portcullis agent's: refusing to use it` });
  });
});

describe('who is asking', () => {
  it('takes the connecting user, refuses a staff member naming someone else, and lets root name anyone', () => {
    const jsmith = { pid: 10, uid: 1001, user: 'jsmith' };
    const root = { pid: 11, uid: 0, user: 'root' };
    expect(requester(jsmith, undefined)).toEqual({ user: 'jsmith', verified: true });
    expect(requester(jsmith, 'jsmith')).toEqual({ user: 'jsmith', verified: true });
    expect(requester(jsmith, 'head')).toEqual({ refused: 'you can only ask for yourself (you are jsmith, not head)' });
    expect(requester(root, 'jsmith')).toEqual({ user: 'jsmith', verified: true });
    expect(requester(undefined, 'jsmith')).toEqual({ user: 'jsmith', verified: false });
    expect(requester(undefined, undefined)).toEqual({ refused: 'say who is asking (user): the agent could not tell who connected' });
  });

  it('answers 403 when a member of staff asks in someone else\'s name', async () => {
    await api.close();
    api = new LocalApi(test.agent, createLogger('test', { write: () => true }), async () => ({ pid: 1, uid: 1001, user: 'jsmith' }));
    await api.listen(socketPath, 'users');
    const reply = await raw('POST', '/v1/requests', JSON.stringify({ device: '1-3', justification: 'coursework', user: 'head' }));
    expect(reply).toEqual({ status: 403, body: { ok: false, error: 'you can only ask for yourself (you are jsmith, not head)' } });
    const own = await callAgent<{ user: string; userVerified: boolean }>(client(), 'POST', '/v1/requests', { device: '1-3', justification: 'coursework' });
    expect(own).toEqual({ ok: true, value: expect.objectContaining({ user: 'jsmith', userVerified: true }) });
  });

  it('shows a member of staff only their own requests, root every one, and an unknown caller none', async () => {
    const ask = (user: string) => test.agent.requestApproval('1-3', `for ${user}'s lessons`, { user, verified: true }, 30);
    await ask('jsmith');
    await ask('agreen');
    const seenBy = async (peer: { pid: number; uid: number; user: string } | undefined): Promise<string[]> => {
      await api.close();
      api = new LocalApi(test.agent, createLogger('test', { write: () => true }), async () => peer);
      await api.listen(socketPath, 'users');
      const listed = await callAgent<Array<{ user: string }>>(client(), 'GET', '/v1/requests');
      return listed.ok ? listed.value.map((request) => request.user) : [listed.error];
    };
    expect(await seenBy({ pid: 1, uid: 1001, user: 'jsmith' })).toEqual(['jsmith']);
    expect(await seenBy({ pid: 1, uid: 0, user: 'root' })).toEqual(['jsmith', 'agreen']);
    expect(await seenBy(undefined)).toEqual([]);
    expect(maySeeRequest({ pid: 1, uid: 1002, user: 'agreen' }, { user: 'jsmith' })).toBe(false);
  });
});
