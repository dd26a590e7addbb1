import { createPublicKey } from 'node:crypto';
import { forEachDatabase } from '../../../test/support/databases';
import { addUser, agentKeyPair, agentTestServer, enrolAgent, json, USER_ID, type AgentTestServer } from '../../../test/support/agent-server';
import { AGENT_PATHS, enrolAnswer } from '../agent-protocol';
import { createEnrolToken, revokeAgent } from '../agent-store';

const MACHINE = 'ICT-SUITE-07';

forEachDatabase((harness) => {
  let server: AgentTestServer;

  beforeEach(async () => {
    server = await agentTestServer(harness);
  });
  afterEach(() => server.app.close());

  const enrol = (payload: unknown, headers: Record<string, string> = {}) =>
    server.request({ method: 'POST', url: AGENT_PATHS.enrol, payload: typeof payload === 'string' ? payload : JSON.stringify(payload), headers: { 'content-type': 'application/json', ...headers } });

  const body = async (overrides: Record<string, unknown> = {}) => ({ token: (await createEnrolToken(server.agents, USER_ID)).token, machine: MACHINE, publicKey: agentKeyPair().publicKey, version: '0.1.0', ...overrides });

  it('enrols an agent: its id, the policy key and its offline secret; the token is used and the agent stored', async () => {
    const request = await body();
    const response = await enrol(request);
    expect(response.statusCode).toBe(200);
    const answer = enrolAnswer.parse(json(response));
    expect(answer.agentId).toMatch(/^agt_[0-9a-z]{16}$/);
    expect(answer.policyKey).toBe(server.publisher.publicKeyPem);
    expect(Buffer.from(answer.offlineSecret, 'base64url')).toHaveLength(32);
    expect(await server.db.get('SELECT machine, public_key, agent_version, offline_secret, revoked_at FROM agents WHERE id = ?', [answer.agentId])).toEqual({
      machine: MACHINE,
      public_key: request.publicKey,
      agent_version: '0.1.0',
      offline_secret: answer.offlineSecret,
      revoked_at: null,
    });
    expect(await server.db.get('SELECT used_by_agent FROM enrol_tokens')).toEqual({ used_by_agent: answer.agentId });
  });

  it('takes the public key as SPKI DER in base64 too, and stores the raw key', async () => {
    const { publicKey } = agentKeyPair();
    const der = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: publicKey }, format: 'jwk' }).export({ format: 'der', type: 'spki' }).toString('base64');
    const response = await enrol(await body({ publicKey: der }));
    expect(response.statusCode).toBe(200);
    expect(await server.db.get('SELECT public_key FROM agents')).toEqual({ public_key: publicKey });
  });

  it('refuses a token used once already, with 403 and the reason', async () => {
    const request = await body();
    expect((await enrol(request)).statusCode).toBe(200);
    const again = await enrol({ ...request, publicKey: agentKeyPair().publicKey });
    expect(again.statusCode).toBe(403);
    expect(json(again)).toEqual({ error: 'used-token', message: expect.stringMatching(/already used/) });
  });

  it('refuses an unknown, a malformed and an expired token with 403', async () => {
    const unknown = await enrol(await body({ token: 'pce_' + '0'.repeat(32) }));
    expect([unknown.statusCode, (json(unknown) as { error: string }).error]).toEqual([403, 'unknown-token']);
    const malformed = await enrol(await body({ token: 'not-a-token' }));
    expect([malformed.statusCode, (json(malformed) as { error: string }).error]).toEqual([403, 'malformed-token']);
    const { token } = await createEnrolToken(server.agents, USER_ID, 60_000);
    server.clock.advance(60_001);
    const expired = await enrol(await body({ token }));
    expect([expired.statusCode, (json(expired) as { error: string }).error]).toEqual([403, 'expired-token']);
    expect(await server.db.get('SELECT COUNT(*) AS count FROM agents')).toEqual({ count: 0 });
  });

  it('refuses a bad public key or machine name with 400, leaving the token unused', async () => {
    const request = await body();
    const badKey = await enrol({ ...request, publicKey: 'AAAA' });
    expect([badKey.statusCode, (json(badKey) as { error: string }).error]).toEqual([400, 'bad-public-key']);
    const badMachine = await enrol({ ...request, machine: 'ICT SUITE/07' });
    expect([badMachine.statusCode, (json(badMachine) as { error: string }).error]).toEqual([400, 'bad-machine-name']);
    expect((await enrol(request)).statusCode).toBe(200);
  });

  it('refuses malformed bodies with 400 naming the field, other media types with 415, and oversized bodies with 413', async () => {
    const request = await body();
    const notJson = await enrol('{"token": ');
    expect(json(notJson)).toEqual({ error: 'invalid-body', message: expect.stringMatching(/^body: not valid JSON/) });
    const missing = await enrol({ ...request, machine: undefined });
    expect([missing.statusCode, json(missing)]).toEqual([400, { error: 'invalid-body', message: 'body: machine: required, but missing' }]);
    const extra = await enrol({ ...request, admin: true });
    expect((json(extra) as { message: string }).message).toBe('body: unknown field "admin"');
    const wrongType = await enrol({ ...request, version: 1 });
    expect((json(wrongType) as { message: string }).message).toBe('body: version: expected a string, got a number');
    const empty = await server.request({ method: 'POST', url: AGENT_PATHS.enrol });
    expect([empty.statusCode, (json(empty) as { error: string }).error]).toEqual([400, 'invalid-body']);
    const text = await enrol(JSON.stringify(request), { 'content-type': 'text/plain' });
    expect([text.statusCode, (json(text) as { error: string }).error]).toEqual([415, 'unsupported-media-type']);
    const huge = await enrol({ ...request, version: 'x'.repeat(20_000) });
    expect([huge.statusCode, (json(huge) as { error: string }).error]).toEqual([413, 'body-too-large']);
    expect((await enrol(request)).statusCode).toBe(200);
  });

  it('enrols exactly one of several agents racing with one token', async () => {
    const { token } = await createEnrolToken(server.agents, USER_ID);
    const responses = await Promise.all(Array.from({ length: 8 }, () => enrol({ token, machine: MACHINE, publicKey: agentKeyPair().publicKey, version: '0.1.0' })));
    expect(responses.map((response) => response.statusCode).sort()).toEqual([200, 403, 403, 403, 403, 403, 403, 403]);
    expect(responses.filter((response) => response.statusCode === 403).map((response) => (json(response) as { error: string }).error)).toEqual(Array(7).fill('used-token'));
    expect(await server.db.get('SELECT COUNT(*) AS count FROM agents')).toEqual({ count: 1 });
  });

  it('enrols exactly one agent when the store is raced directly (the transactions overlap in the database)', async () => {
    const { token } = await createEnrolToken(server.agents, USER_ID);
    const results = await Promise.all(Array.from({ length: 8 }, () => server.agents.enrol({ token, machine: MACHINE, publicKey: agentKeyPair().publicKey, version: '0.1.0' })));
    expect(results.filter((result) => result.ok)).toHaveLength(1);
    expect(results.filter((result) => !result.ok).map((result) => !result.ok && result.error.code)).toEqual(Array(7).fill('used-token'));
    expect(await server.db.get('SELECT COUNT(*) AS count FROM agents')).toEqual({ count: 1 });
  });

  it('issues tokens only for a known user, and revokes an agent once', async () => {
    await expect(createEnrolToken(server.agents, 'nobody')).rejects.toThrow(/no user has that id/);
    const agent = await enrolAgent(server);
    await addUser(server.db, 'u-other');
    expect(await revokeAgent(server.agents, agent.agentId, 'u-other')).toBe('revoked');
    expect(await revokeAgent(server.agents, agent.agentId, USER_ID)).toBe('already-revoked');
    expect(await revokeAgent(server.agents, 'agt_none', USER_ID)).toBe('unknown-agent');
    expect(await server.db.get('SELECT revoked_by FROM agents WHERE id = ?', [agent.agentId])).toEqual({ revoked_by: 'u-other' });
    const [listed] = await server.agents.list();
    expect(listed).toMatchObject({ id: agent.agentId, machine: MACHINE, revokedBy: 'u-other', auditChainOk: true, auditChainBreak: null });
  });
});
