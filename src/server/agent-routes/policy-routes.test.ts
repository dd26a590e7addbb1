import { forEachDatabase, silentLogger } from '../../../test/support/databases';
import { agentTestServer, enrolAgent, json, openStream, signed, streamHeaders, USER_ID, type AgentTestServer, type TestAgent } from '../../../test/support/agent-server';
import { sampleDocument } from '../../../test/support/policy-fixtures';
import { AGENT_PATHS } from '../agent-protocol';
import { revokeAgent } from '../agent-store';
import { PolicyPublisher } from '../policy-publisher';
import { trustedKeyFromPem } from '../../policy/policy-keys';
import { verifySignedPolicy } from '../../policy/policy-signing';
import { etagMatches } from './policy-routes';

forEachDatabase((harness) => {
  let server: AgentTestServer;
  let agent: TestAgent;

  beforeEach(async () => {
    server = await agentTestServer(harness, { heartbeatMs: 40 });
    agent = await enrolAgent(server);
  });
  afterEach(() => server.app.close());

  const getPolicy = (headers: Record<string, string> = {}) => {
    const options = signed(server, agent, 'GET', AGENT_PATHS.policy);
    return server.request({ ...options, headers: { ...options.headers, ...headers } });
  };

  async function publish(overrides = {}): Promise<number> {
    const published = await server.publisher.publishPolicy(sampleDocument(overrides), USER_ID);
    if (!published.ok) throw new Error(published.error);
    return published.value.version;
  }

  it('answers 404 with a clear message before any policy is published', async () => {
    const response = await getPolicy();
    expect(response.statusCode).toBe(404);
    expect(json(response)).toEqual({ error: 'no-policy', message: expect.stringMatching(/no policy has been published yet/) });
  });

  it('answers the newest signed policy with its ETag, which the key given at enrolment verifies', async () => {
    expect(await publish()).toBe(3);
    expect(await publish({ rules: [] })).toBe(4);
    const response = await getPolicy();
    expect(response.statusCode).toBe(200);
    expect(response.headers.get('etag')).toBe('"v4"');
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    const trusted = trustedKeyFromPem(agent.policyKey, 'enrolment');
    if (!trusted.ok) throw new Error(trusted.error);
    const verified = verifySignedPolicy(response.body, 'policy', { trustedKeys: [trusted.value], replay: { highestVersion: 3 } });
    expect(verified.ok && verified.value.document).toMatchObject({ version: 4, rules: [], issuedAt: expect.stringMatching(/Z$/) });
    expect(await server.db.get('SELECT created_by FROM policy_versions WHERE version = 4')).toEqual({ created_by: USER_ID });
  });

  it('answers 304 when If-None-Match holds the current ETag, and the policy again once a newer one exists', async () => {
    await publish();
    const notModified = await getPolicy({ 'if-none-match': '"v3"' });
    expect([notModified.statusCode, notModified.body, notModified.headers.get('etag')]).toEqual([304, '', '"v3"']);
    expect((await getPolicy({ 'if-none-match': 'W/"v2", "v3"' })).statusCode).toBe(304);
    await publish();
    const changed = await getPolicy({ 'if-none-match': '"v3"' });
    expect([changed.statusCode, changed.headers.get('etag')]).toEqual([200, '"v4"']);
  });

  it('numbers versions after the newest stored, never below the document’s own, and refuses an invalid document naming the field', async () => {
    expect(await publish({ version: 12 })).toBe(12);
    expect(await publish({ version: 2 })).toBe(13);
    const invalid = await server.publisher.publishPolicy(sampleDocument({ mode: 'loud' as never }), USER_ID);
    expect(invalid).toEqual({ ok: false, error: expect.stringMatching(/^policy version 14: mode: expected "enforce" or "audit"/) });
    expect(await server.publisher.latestVersion()).toBe(13);
  });

  it('numbers versions from publishers racing on one database without a gap or a clash', async () => {
    const other = new PolicyPublisher({ db: server.db, keys: server.keys, logger: silentLogger });
    const versions = await Promise.all([0, 1, 2, 3].map((i) => (i % 2 === 0 ? server.publisher : other).publishPolicy(sampleDocument({ version: 1 }), null)));
    expect(versions.map((result) => result.ok && result.value.version).sort()).toEqual([1, 2, 3, 4]);
  });

  it('streams each published version to every connected agent, with heartbeats', async () => {
    const second = await enrolAgent(server, 'ICT-SUITE-08');
    const streams = await Promise.all([openStream(server.port, streamHeaders(server, agent)), openStream(server.port, streamHeaders(server, second))]);
    try {
      for (const stream of streams) {
        expect(stream.status).toBe(200);
        expect(stream.headers['content-type']).toBe('text/event-stream; charset=utf-8');
        await stream.waitFor(/^: connected\n\n/);
      }
      const version = await publish();
      for (const stream of streams) await stream.waitFor(new RegExp(`event: policy\ndata: \\{"version":${version}\\}\n\n`));
      for (const stream of streams) await stream.waitFor(/: heartbeat\n\n/);
    } finally {
      streams.forEach((stream) => stream.close());
    }
  });

  it('sends the newest version on connecting, and versions another publisher stored on the next heartbeat', async () => {
    await publish();
    const stream = await openStream(server.port, streamHeaders(server, agent));
    try {
      await stream.waitFor(/^event: policy\ndata: \{"version":3\}\n\n/);
      // Another server (or the CLI) sharing the database: its listeners are not this server's.
      const elsewhere = new PolicyPublisher({ db: server.db, keys: server.keys, logger: silentLogger });
      await elsewhere.publishPolicy(sampleDocument(), null);
      await stream.waitFor(/data: \{"version":4\}/);
    } finally {
      stream.close();
    }
  });

  it('ends the stream of an agent revoked while connected, on the next heartbeat', async () => {
    const stream = await openStream(server.port, streamHeaders(server, agent));
    await stream.waitFor(/connected/);
    await revokeAgent(server.agents, agent.agentId, USER_ID);
    await stream.ended();
  });

  it('closes open streams when the app closes', async () => {
    const stream = await openStream(server.port, streamHeaders(server, agent));
    await stream.waitFor(/connected/);
    const started = Date.now();
    await server.app.close();
    expect(Date.now() - started).toBeLessThan(1000);
  });
});

describe('etagMatches', () => {
  it('reads lists, weak tags and *', () => {
    expect(etagMatches(undefined, '"v1"')).toBe(false);
    expect(etagMatches('"v1"', '"v1"')).toBe(true);
    expect(etagMatches('"v2", W/"v1"', '"v1"')).toBe(true);
    expect(etagMatches('*', '"v1"')).toBe(true);
    expect(etagMatches('"v11"', '"v1"')).toBe(false);
  });
});
