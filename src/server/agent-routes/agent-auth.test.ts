import { forEachDatabase } from '../../../test/support/databases';
import { agentKeyPair, agentTestServer, enrolAgent, json, openStream, signed, USER_ID, type AgentTestServer, type CallOptions, type TestAgent } from '../../../test/support/agent-server';
import { AGENT_PATHS } from '../agent-protocol';
import { revokeAgent } from '../agent-store';
import { sealRecord, GENESIS_PREV } from '../../audit/audit-record';

const forwarded = {
  localId: 'q-1',
  viaPort: '1-2',
  device: { id: { vendor: '0781', product: '5567' }, serial: '4C53', name: 'Cruzer Blade', manufacturer: 'SanDisk', hash: 'h1', kind: 'storage', interfaces: [{ classCode: 8, subclass: 6, protocol: 80 }], warnings: [] },
  user: 'jsmith',
  userVerified: true,
  justification: 'Year 11 coursework',
  durationDays: 30,
  requestedAt: '2026-11-28T10:00:00.000Z',
};
const record = sealRecord({ seq: 1, time: '2026-11-28T10:00:00.000Z', machine: 'ICT-SUITE-07', event: { type: 'service-stopped', reason: 'test' }, prev: GENESIS_PREV }).line;

interface Route {
  name: string;
  method: 'GET' | 'POST';
  url: string;
  body?: unknown;
  /** What the route answers a good request here (no policy is published: 404). */
  ok: number;
  /** The route answers a stream that does not end. */
  stream?: boolean;
}

const ROUTES: Route[] = [
  { name: 'GET policy', method: 'GET', url: AGENT_PATHS.policy, ok: 404 },
  { name: 'GET policy stream', method: 'GET', url: AGENT_PATHS.policyStream, ok: 200, stream: true },
  { name: 'POST requests', method: 'POST', url: AGENT_PATHS.requests, body: { requests: [forwarded] }, ok: 200 },
  { name: 'GET requests', method: 'GET', url: `${AGENT_PATHS.requests}?ids=q-1,q-2`, ok: 200 },
  { name: 'POST audit', method: 'POST', url: AGENT_PATHS.audit, body: { lines: [record] }, ok: 200 },
];

const SIX_MINUTES = 6 * 60_000;

forEachDatabase((harness) => {
  let server: AgentTestServer;
  let alice: TestAgent;
  let bob: TestAgent;

  // Per test, not per block: test/support/databases.ts closes a database opened in a beforeAll
  // after the first test when jest's current test name is left over from the previous block.
  beforeEach(async () => {
    server = await agentTestServer(harness, { lastSeenEveryMs: 0 });
    alice = await enrolAgent(server, 'ICT-SUITE-07');
    bob = await enrolAgent(server, 'ICT-SUITE-08');
  });
  afterEach(() => server.app.close());

  /** The status of a request the server lets through (a stream is opened, read, and closed). */
  async function passedStatus(route: Route, options: CallOptions): Promise<number> {
    if (route.stream !== true) return (await server.request(options)).statusCode;
    const stream = await openStream(server.port, options.headers ?? {});
    stream.close();
    return stream.status;
  }

  async function refusal(options: CallOptions): Promise<{ status: number; error: unknown; scheme: string | null }> {
    const response = await server.request(options);
    return { status: response.statusCode, error: (json(response) as { error: unknown }).error, scheme: response.headers.get('www-authenticate') };
  }

  describe.each(ROUTES.map((route) => [route.name, route] as const))('%s', (_name, route) => {
    const sign = (agent: TestAgent, options = {}) => signed(server, agent, route.method, route.url, route.body, options);

    it('lets a signed request through, and records when the agent was last seen', async () => {
      await server.db.run('UPDATE agents SET last_seen_at = NULL');
      expect(await passedStatus(route, sign(alice))).toBe(route.ok);
      const seen = await server.db.get<{ last_seen_at: string | null }>('SELECT last_seen_at FROM agents WHERE id = ?', [alice.agentId]);
      expect(seen?.last_seen_at).toMatch(/^\d{4}-\d\d-\d\dT/);
    });

    it('records the version an upgraded agent reports, and ignores any other User-Agent', async () => {
      const withAgent = (userAgent: string): CallOptions => {
        const options = sign(alice);
        return { ...options, headers: { ...options.headers, 'user-agent': userAgent } };
      };
      const version = async () => (await server.db.get<{ agent_version: string | null }>('SELECT agent_version FROM agents WHERE id = ?', [alice.agentId]))?.agent_version;
      expect(await passedStatus(route, withAgent('portcullis-agent/9.9.9'))).toBe(route.ok);
      expect(await version()).toBe('9.9.9');
      expect(await passedStatus(route, withAgent('curl/8.0.1'))).toBe(route.ok);
      expect(await passedStatus(route, withAgent('portcullis-agent/<script>'))).toBe(route.ok);
      expect(await version()).toBe('9.9.9');
    });

    it('refuses unsigned, wrongly signed, impersonating, replayed, skewed, unknown and altered requests, each with its reason', async () => {
      const now = server.clock.now().getTime();
      const json: Record<string, string> = route.body === undefined ? {} : { 'content-type': 'application/json' };
      const replayed = sign(alice);
      expect(await passedStatus(route, replayed)).toBe(route.ok);
      const original = sign(alice);
      const altered =
        route.body === undefined
          ? { ...original, url: `${route.url}${route.url.includes('?') ? '&' : '?'}x=1` }
          : { ...original, payload: JSON.stringify(route.body).replace('}', ' }') };
      const cases: Array<[string, CallOptions, string]> = [
        ['unsigned', { ...sign(alice), headers: json }, 'malformed-header'],
        ['another scheme', { ...sign(alice), headers: { ...json, authorization: 'Bearer abc' } }, 'malformed-header'],
        ['signed with another key', sign({ ...alice, privateKey: agentKeyPair().privateKey }), 'bad-signature'],
        ["alice's key, bob's id", sign(alice, { agentId: bob.agentId }), 'bad-signature'],
        ['replayed', replayed, 'replayed-nonce'],
        ['six minutes behind', sign(alice, { now: now - SIX_MINUTES }), 'clock-skew'],
        ['six minutes ahead', sign(alice, { now: now + SIX_MINUTES }), 'clock-skew'],
        ['unknown agent', sign(alice, { agentId: 'agt_0000000000000000' }), 'unknown-agent'],
        [route.body === undefined ? 'query changed' : 'body changed', altered, route.body === undefined ? 'bad-signature' : 'body-changed'],
      ];
      for (const [name, options, reason] of cases) {
        expect({ case: name, ...(await refusal(options)) }).toEqual({ case: name, status: 401, error: reason, scheme: 'Portcullis-Agent' });
      }
    });
  });

  it('refuses every route to a revoked agent, with the reason', async () => {
    const carol = await enrolAgent(server, 'ICT-SUITE-09');
    await revokeAgent(server.agents, carol.agentId, USER_ID);
    for (const route of ROUTES) {
      const response = await refusal(signed(server, carol, route.method, route.url, route.body));
      expect({ route: route.name, ...response }).toEqual({ route: route.name, status: 401, error: 'revoked-agent', scheme: 'Portcullis-Agent' });
    }
  });

  it('checks the signature before reading the body: a malformed body from a stranger is 401, not 400', async () => {
    const response = await server.request({ method: 'POST', url: AGENT_PATHS.audit, payload: '{"lines": [', headers: { 'content-type': 'application/json' } });
    expect(response.statusCode).toBe(401);
  });
});
