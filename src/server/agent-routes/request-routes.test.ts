import { forEachDatabase } from '../../../test/support/databases';
import { agentTestServer, enrolAgent, json, signed, USER_ID, type AgentTestServer, type TestAgent } from '../../../test/support/agent-server';
import { AGENT_PATHS, requestsAnswer, type ForwardedRequest } from '../agent-protocol';

function forwarded(localId: string, overrides: Partial<ForwardedRequest> = {}, hash = 'hash-cruzer'): ForwardedRequest {
  return {
    localId,
    viaPort: '1-2',
    device: { id: { vendor: '0781', product: '5567' }, serial: '4C53', name: 'Cruzer Blade', manufacturer: 'SanDisk', hash, kind: 'storage', interfaces: [{ classCode: 8, subclass: 6, protocol: 80 }], warnings: [] },
    user: 'jsmith',
    userVerified: true,
    justification: `coursework (${localId})`,
    durationDays: 30,
    requestedAt: '2026-11-28T10:00:00.000Z',
    ...overrides,
  };
}

forEachDatabase((harness) => {
  let server: AgentTestServer;
  let alice: TestAgent;
  let bob: TestAgent;
  let created: string[];

  beforeEach(async () => {
    created = [];
    server = await agentTestServer(harness, { onRequestsReceived: (_agent, ids) => void created.push(...ids) });
    alice = await enrolAgent(server, 'ICT-SUITE-07');
    bob = await enrolAgent(server, 'ICT-SUITE-08');
  });
  afterEach(() => server.app.close());

  async function post(agent: TestAgent, requests: unknown[]) {
    const response = await server.request(signed(server, agent, 'POST', AGENT_PATHS.requests, { requests }));
    if (response.statusCode !== 200) throw new Error(`${response.statusCode} ${response.body}`);
    return requestsAnswer.parse(json(response)).requests;
  }

  async function statuses(agent: TestAgent, ids: string) {
    const response = await server.request(signed(server, agent, 'GET', `${AGENT_PATHS.requests}?ids=${ids}`));
    return { status: response.statusCode, body: json(response) as { requests: unknown[] } };
  }

  it("stores a request as the agent's, on its enrolled machine, and answers its server id and status", async () => {
    const [answer] = await post(alice, [forwarded('q-1')]);
    expect(answer).toEqual({ localId: 'q-1', serverId: expect.any(String), status: 'pending' });
    expect(created).toEqual([answer?.serverId]);
    const row = await server.db.get<Record<string, unknown>>('SELECT agent_id, machine, requester, justification, duration_days, device_hash, merged_count, device_json FROM approval_requests');
    expect(row).toMatchObject({ agent_id: alice.agentId, machine: 'ICT-SUITE-07', requester: 'jsmith', justification: 'coursework (q-1)', duration_days: 30, device_hash: 'hash-cruzer', merged_count: 0 });
    expect(JSON.parse(String(row?.device_json))).toEqual(forwarded('q-1').device);
  });

  it('merges requests for the same device from the same agent while one is pending, keeping each justification', async () => {
    const [first] = await post(alice, [forwarded('q-1')]);
    const answers = await post(alice, [forwarded('q-2', { user: 'kteacher' }), forwarded('q-3', {}, 'hash-other')]);
    expect(answers[0]).toEqual({ localId: 'q-2', serverId: first?.serverId, status: 'pending' });
    expect(answers[1]?.serverId).not.toBe(first?.serverId);
    expect(await server.db.get('SELECT merged_count FROM approval_requests WHERE id = ?', [first?.serverId ?? ''])).toEqual({ merged_count: 1 });
    expect(await server.db.all('SELECT local_id, requester, justification FROM forwarded_requests WHERE request_id = ? ORDER BY local_id', [first?.serverId ?? ''])).toEqual([
      { local_id: 'q-1', requester: 'jsmith', justification: 'coursework (q-1)' },
      { local_id: 'q-2', requester: 'kteacher', justification: 'coursework (q-2)' },
    ]);
    expect(created).toHaveLength(2);
  });

  it('does not merge across agents, nor into a request already decided', async () => {
    const [fromAlice] = await post(alice, [forwarded('q-1')]);
    const [fromBob] = await post(bob, [forwarded('q-1')]);
    expect(fromBob?.serverId).not.toBe(fromAlice?.serverId);
    await server.db.run("UPDATE approval_requests SET status = 'refused', decision_reason = ? WHERE id = ?", ['not for personal sticks', fromAlice?.serverId ?? '']);
    const [again] = await post(alice, [forwarded('q-2')]);
    expect(again?.serverId).not.toBe(fromAlice?.serverId);
    expect(await server.db.get('SELECT COUNT(*) AS count FROM approval_requests')).toEqual({ count: 3 });
  });

  it('answers a resent request as before, without counting it again', async () => {
    const [first] = await post(alice, [forwarded('q-1')]);
    expect(await post(alice, [forwarded('q-1'), forwarded('q-1')])).toEqual([first, first]);
    expect(await server.db.get('SELECT COUNT(*) AS count, SUM(merged_count) AS merged FROM approval_requests')).toEqual({ count: 1, merged: 0 });
    expect(created).toHaveLength(1);
  });

  it("answers the statuses of the agent's own requests only, with the decision in words", async () => {
    const [refused, approved] = await post(alice, [forwarded('q-1'), forwarded('q-2', {}, 'hash-keyboard')]);
    await post(bob, [forwarded('q-9', {}, 'hash-bob'), forwarded('q-1', {}, 'hash-bob-2')]);
    await server.db.run("UPDATE approval_requests SET status = 'refused', decision_reason = ? WHERE id = ?", ['use the school drive', refused?.serverId ?? '']);
    await server.db.run("UPDATE approval_requests SET status = 'approved' WHERE id = ?", [approved?.serverId ?? '']);
    await server.db.run('INSERT INTO approvals (id, request_id, rule, scope_json, expires, approved_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)', ['ap-1', approved?.serverId ?? '', 'allow id 0781:5567', '{}', '2027-07-22', USER_ID, '2026-11-28T11:00:00.000Z']);
    expect(await statuses(alice, 'q-1,q-2,q-9,q-404')).toEqual({
      status: 200,
      body: {
        requests: [
          { localId: 'q-1', serverId: refused?.serverId, status: 'refused', detail: 'use the school drive' },
          { localId: 'q-2', serverId: approved?.serverId, status: 'approved', detail: 'approved until 2027-07-22' },
        ],
      },
    });
    const bobs = await statuses(bob, 'q-1,q-2');
    expect(bobs.body.requests).toEqual([{ localId: 'q-1', serverId: expect.not.stringMatching(refused?.serverId ?? ''), status: 'pending' }]);
  });

  it('refuses a malformed body or query with 400 naming the field, and an oversized body with 413', async () => {
    const badBody = await server.request(signed(server, alice, 'POST', AGENT_PATHS.requests, { requests: [{ ...forwarded('q-1'), machine: 'SOMEWHERE-ELSE' }] }));
    expect([badBody.statusCode, json(badBody)]).toEqual([400, { error: 'invalid-body', message: 'body: requests[0]: unknown field "machine"' }]);
    const empty = await server.request(signed(server, alice, 'POST', AGENT_PATHS.requests, { requests: [] }));
    expect((json(empty) as { message: string }).message).toMatch(/^body: requests: /);
    const notJson = await server.request(signed(server, alice, 'POST', AGENT_PATHS.requests, '{"requests": ['));
    expect([notJson.statusCode, (json(notJson) as { message: string }).message]).toEqual([400, expect.stringMatching(/^body: not valid JSON/)]);
    for (const query of ['', '?ids=', '?ids=a,,b', `?ids=${Array(101).fill('x').join(',')}`, '?ids=a&other=1']) {
      const response = await server.request(signed(server, alice, 'GET', `${AGENT_PATHS.requests}${query}`));
      expect([query, response.statusCode, (json(response) as { error: string }).error]).toEqual([query, 400, 'invalid-query']);
    }
    const huge = await server.request(signed(server, alice, 'POST', AGENT_PATHS.requests, { requests: [forwarded('q-1', { justification: 'x'.repeat(3 * 1024 * 1024) })] }));
    expect([huge.statusCode, (json(huge) as { error: string }).error]).toEqual([413, 'body-too-large']);
    expect(await server.db.get('SELECT COUNT(*) AS count FROM approval_requests')).toEqual({ count: 0 });
  });
});
