import { generateKeyPairSync } from 'node:crypto';
import { z } from 'zod';
import { captureLogger } from '../../../test/support/capture-logger';
import { reportedVersion } from '../../server/agent-protocol';
import { verifyAgentRequest } from '../../server/auth/agent-request-auth';
import { Reachability } from './reachability';
import { ServerCallError, ServerClient, type Fetch } from './server-client';

const { privateKey, publicKey } = generateKeyPairSync('ed25519');

function client(answer: (url: string, init: RequestInit) => Promise<Response>, version?: string) {
  const { logger, lines } = captureLogger();
  const seen: Array<{ url: string; init: RequestInit }> = [];
  const fetch = (async (url: string, init: RequestInit) => {
    seen.push({ url, init });
    return answer(url, init);
  }) as Fetch;
  const reachability = new Reachability('https://console.example', logger);
  return { lines, seen, client: new ServerClient({ server: new URL('https://console.example'), agentId: 'agt_1', privateKey, fetch, now: () => 1_790_000_000_000, reachability, ...(version === undefined ? {} : { version }) }) };
}

describe('ServerClient', () => {
  it('signs each call over the method, the exact target and the body, so the server accepts it', async () => {
    const { client: c, seen } = client(async () => new Response('{"ok":true}'));
    await c.json('POST', '/api/agent/requests?ids=a,b%20c', z.object({ ok: z.boolean() }), { x: 1 });
    const [{ url, init }] = seen as [{ url: string; init: RequestInit }];
    expect(url).toBe('https://console.example/api/agent/requests?ids=a,b%20c');
    const headers = new Headers(init.headers);
    expect(headers.get('content-type')).toBe('application/json');
    const verdict = await verifyAgentRequest({
      header: headers.get('authorization') ?? undefined,
      method: 'POST',
      path: '/api/agent/requests?ids=a,b%20c',
      body: init.body as string,
      publicKeyFor: () => ({ publicKey, revoked: false }),
      now: 1_790_000_000_000,
      seenNonce: () => false,
    });
    expect(verdict).toEqual({ ok: true, agentId: 'agt_1' });
  });

  it('tells the server which version it is, in words the server reads back', async () => {
    const { client: c, seen } = client(async () => new Response('{"ok":true}'), '0.2.0');
    await c.json('GET', '/api/agent/policy', z.object({ ok: z.boolean() }));
    const userAgent = new Headers(seen[0]?.init.headers).get('user-agent') ?? undefined;
    expect(reportedVersion(userAgent)).toBe('0.2.0');
  });

  it('counts no answer, or a 5xx, as the server unreachable, logged once until it answers again', async () => {
    let answer: () => Promise<Response> = async () => {
      throw new TypeError('fetch failed', { cause: { code: 'ECONNREFUSED' } });
    };
    const { client: c, lines } = client(() => answer());
    await expect(c.call('GET', '/api/agent/policy')).rejects.toMatchObject({ problem: 'unreachable', message: 'https://console.example/api/agent/policy: no answer (ECONNREFUSED)' });
    answer = async () => new Response('Bad Gateway', { status: 502 });
    await expect(c.call('GET', '/api/agent/policy')).rejects.toMatchObject({ problem: 'unreachable', status: 502 });
    expect(lines.map((l) => l.message)).toEqual(['console server unreachable; the last policy verified stays in force']);
    answer = async () => new Response(null, { status: 304 });
    expect((await c.call('GET', '/api/agent/policy')).status).toBe(304);
    expect(lines.map((l) => l.message)).toEqual(['console server unreachable; the last policy verified stays in force', 'console server reachable again']);
  });

  it("gives a refusal with the server's own words, and an answer that breaks the protocol naming the field", async () => {
    let answer = async () => new Response(JSON.stringify({ error: 'revoked-agent', message: 'agent agt_1 was revoked' }), { status: 401 });
    const { client: c } = client(() => answer());
    const refused = c.json('GET', '/api/agent/requests?ids=a', z.object({ requests: z.array(z.string()) }));
    await expect(refused).rejects.toThrow('https://console.example/api/agent/requests?ids=a: refused (401): agent agt_1 was revoked');
    await expect(refused).rejects.toBeInstanceOf(ServerCallError);
    answer = async () => new Response('{"requests":[1]}');
    await expect(c.json('GET', '/api/agent/requests?ids=a', z.object({ requests: z.array(z.string()) }))).rejects.toMatchObject({
      problem: 'bad-answer',
      message: 'https://console.example/api/agent/requests?ids=a: the answer: requests[0]: expected a string, got a number',
    });
    answer = async () => new Response('<html>');
    await expect(c.json('GET', '/x', z.object({}))).rejects.toThrow('https://console.example/x: the answer is not JSON');
  });
});
