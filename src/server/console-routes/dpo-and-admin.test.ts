import { approvalsServer, forwardedRequest, TERMS, valueOf, type ApprovalsServer, type LoopAgent } from '../../../test/support/approvals-server';
import { forEachDatabase } from '../../../test/support/databases';
import { sampleDevice } from '../../../test/support/sample-device';
import { deviceIdentity } from '../../audit/audit-event';
import { UsedOfflineCodes, verifyOfflineCode } from '../auth/offline-codes';
import { AGENT_PATHS } from '../agent-protocol';
import { CONSOLE_ROUTES, type SubjectAccessExport } from '../console-protocol';
import type { SignedIn } from '../../../test/support/console-server';
import { ROLES, type Role } from '../users/roles';

const STICK = sampleDevice();
const WHO: Record<Role, 'slt' | 'head' | 'it' | 'dpo'> = { 'slt-approver': 'slt', headteacher: 'head', 'it-admin': 'it', dpo: 'dpo' };

forEachDatabase((harness) => {
  let loop: ApprovalsServer;
  let agent: LoopAgent;

  beforeEach(async () => {
    loop = await approvalsServer(harness);
    agent = await loop.enrol('ICT-SUITE-07');
  });
  afterEach(() => loop.close());

  it('lets each route be called by its roles only (403 naming them), after a session (401)', async () => {
    const [status] = await loop.forward(agent, [forwardedRequest('local-1')]);
    const signedIn = Object.fromEntries(await Promise.all(ROLES.map(async (role) => [role, await loop.signIn(WHO[role])] as const))) as Record<Role, SignedIn>;
    const sample: Record<keyof typeof CONSOLE_ROUTES, { url: string; body?: object }> = {
      listRequests: { url: '/api/requests' },
      approveRequest: { url: `/api/requests/${status?.serverId}/approve`, body: { decision: { deviceScope: { by: 'colour' } } } },
      refuseRequest: { url: `/api/requests/${status?.serverId}/refuse`, body: {} },
      listApprovals: { url: '/api/approvals' },
      approvalsCsv: { url: '/api/approvals.csv' },
      revokeApproval: { url: '/api/approvals/none/revoke', body: {} },
      listEvents: { url: '/api/events' },
      listDevices: { url: '/api/devices' },
      report: { url: '/api/reports/summary' },
      subjectAccessExport: { url: '/api/staff/kteacher/export' },
      getRetention: { url: '/api/settings/retention' },
      setRetention: { url: '/api/settings/retention', body: {} },
      getTermDates: { url: '/api/settings/term-dates' },
      setTermDates: { url: '/api/settings/term-dates', body: {} },
      createEnrolToken: { url: '/api/enrol-tokens', body: { hours: 0 } },
      listAgents: { url: '/api/agents' },
      revokeAgent: { url: '/api/agents/none/revoke', body: { extra: 1 } },
      issueOfflineCode: { url: '/api/offline-codes', body: {} },
      getBasePolicy: { url: '/api/policy/base' },
      setBasePolicy: { url: '/api/policy/base', body: { text: '{' } },
    };
    for (const [name, route] of Object.entries(CONSOLE_ROUTES) as Array<[keyof typeof CONSOLE_ROUTES, (typeof CONSOLE_ROUTES)[keyof typeof CONSOLE_ROUTES]]>) {
      const { url, body } = sample[name];
      const anonymous = await loop.server.call({ method: route.method, url, ...(body === undefined ? {} : { payload: body }) });
      expect([name, anonymous.statusCode]).toEqual([name, 401]);
      for (const role of ROLES) {
        const answer = await loop.as(signedIn[role], route.method, url, body);
        const allowed = (route.roles as readonly Role[]).includes(role);
        // Allowed callers get past the role check: their deliberately bad bodies are refused as such (400/404), never 403.
        if (allowed) expect([name, role, answer.statusCode === 403]).toEqual([name, role, false]);
        else expect([name, role, answer.statusCode, (answer.json() as { error: string }).error]).toEqual([name, role, 403, expect.stringMatching(/^This needs (the role|one of the roles) .*; you are signed in as /)]);
      }
    }
    // In plain words: the head cannot approve, the DPO cannot revoke agents.
    expect((await loop.as(signedIn.headteacher, 'POST', `/api/requests/${status?.serverId}/approve`, { decision: { deviceScope: { by: 'hash' }, machineScope: 'every', userScope: 'anyone' } })).json()).toEqual({ ok: false, error: 'This needs the role slt-approver; you are signed in as headteacher.' });
    expect((await loop.as(signedIn.dpo, 'POST', `/api/agents/${agent.agentId}/revoke`, {})).statusCode).toBe(403);
    expect(await loop.db.get('SELECT status FROM approval_requests WHERE id = ?', [status?.serverId ?? ''])).toEqual({ status: 'pending' });
    expect(await loop.db.get('SELECT revoked_at FROM agents WHERE id = ?', [agent.agentId])).toEqual({ revoked_at: null });
  });

  it('needs the CSRF token on changes, and refuses malformed, oversized and non-JSON bodies cleanly', async () => {
    const [status] = await loop.forward(agent, [forwardedRequest('local-1')]);
    const slt = await loop.signIn('slt');
    const url = `/api/requests/${status?.serverId}/refuse`;
    const without = await loop.server.call({ method: 'POST', url, headers: { cookie: slt.cookie }, payload: { reason: 'x' } });
    expect(without.statusCode).toBe(403);
    expect((without.json() as { error: string }).error).toMatch(/X-CSRF-Token/);
    expect((await loop.server.call({ method: 'POST', url, headers: { cookie: slt.cookie, 'x-csrf-token': 'forged' }, payload: { reason: 'x' } })).statusCode).toBe(403);
    const broken = await loop.server.call({ method: 'POST', url, headers: { cookie: slt.cookie, 'x-csrf-token': slt.csrfToken, 'content-type': 'application/json' }, payload: '{"reason": ' });
    expect(broken.json()).toEqual({ ok: false, error: 'body: not valid JSON' });
    expect(broken.statusCode).toBe(400);
    const huge = await loop.as(slt, 'POST', url, { reason: 'x'.repeat(70 * 1024) });
    expect(huge.statusCode).toBe(413);
    expect(huge.json()).toEqual({ ok: false, error: 'the request body is larger than 64 KiB' });
    const long = await loop.as(slt, 'POST', url, { reason: 'x'.repeat(1001) });
    expect(long.json()).toEqual({ ok: false, error: expect.stringMatching(/^reason: .*1000 characters$/) });
    const text = await loop.server.call({ method: 'POST', url, headers: { cookie: slt.cookie, 'x-csrf-token': slt.csrfToken, 'content-type': 'text/plain' }, payload: '{"reason":"x"}' });
    expect(text.statusCode).toBe(415);
    expect(await loop.db.get('SELECT status FROM approval_requests WHERE id = ?', [status?.serverId ?? ''])).toEqual({ status: 'pending' });
  });

  it("exports a member of staff's records for the DPO, and nothing of anyone else's", async () => {
    const other = sampleDevice({ serial: 'OTHER', hash: 'other-hash' });
    const [mine, merged] = await loop.forward(agent, [forwardedRequest('k-1', { justification: 'KT coursework' }), forwardedRequest('j-1', { user: 'jsmith', justification: 'JS secret plans' })]);
    expect(merged?.serverId).toBe(mine?.serverId);
    await loop.forward(agent, [forwardedRequest('j-2', { user: 'jsmith', justification: 'JS own request' }, other)]);
    await loop.audit(agent, [
      { event: { type: 'device-arrived', device: deviceIdentity(STICK) }, user: 'KTeacher' },
      { event: { type: 'device-arrived', device: deviceIdentity(other) }, user: 'jsmith' },
      { event: { type: 'idle-locked', session: '2', idleMs: 1000, by: 'tray' }, user: 'jsmith' },
    ]);
    const slt = await loop.signIn('slt');
    await loop.as(slt, 'PUT', '/api/settings/term-dates', { terms: TERMS });
    const it = await loop.signIn('it');
    await loop.as(it, 'PUT', '/api/settings/term-dates', { terms: TERMS });
    valueOf(await loop.as(slt, 'POST', `/api/requests/${mine?.serverId}/approve`, { decision: { deviceScope: { by: 'serial' }, machineScope: 'every', userScope: 'requester' } }));

    const dpo = await loop.signIn('dpo');
    const answer = await loop.as(dpo, 'GET', '/api/staff/kteacher/export');
    expect(answer.statusCode).toBe(200);
    const document = valueOf<SubjectAccessExport>(answer);
    expect(document).toMatchObject({ subject: 'kteacher', generatedAt: '2026-09-07T08:00:00.000Z', generatedBy: 'Test Person' });
    expect(document.summary).toEqual({ requests: 1, forwardedRequests: 1, auditRecords: 1, approvals: 1, machines: ['ICT-SUITE-07'], firstRecord: expect.any(String), lastRecord: expect.any(String) });
    expect(document.requests[0]).toMatchObject({ id: mine?.serverId, justification: 'KT coursework', status: 'approved', decidedBy: 'Test Person' });
    expect(document.approvals[0]).toMatchObject({ scope: 'on every machine, for kteacher' });
    const text = JSON.stringify(document);
    expect(text).not.toMatch(/jsmith|JS secret|JS own|idle-locked|other-hash/);

    const theirs = valueOf<SubjectAccessExport>(await loop.as(dpo, 'GET', '/api/staff/jsmith/export'));
    expect(theirs.summary).toMatchObject({ requests: 1, forwardedRequests: 2, auditRecords: 2, approvals: 0 });
    expect(theirs.forwardedRequests.map((f) => f.justification).sort()).toEqual(['JS own request', 'JS secret plans']);
    expect(JSON.stringify(theirs)).not.toMatch(/kteacher|KT coursework/i);
    expect(await loop.db.all("SELECT actor FROM server_events WHERE type = 'subject-access-export'")).toEqual([{ actor: loop.users.dpo.id }, { actor: loop.users.dpo.id }]);
    expect((await loop.as(dpo, 'GET', '/api/staff/%20%20/export')).json()).toEqual({ ok: false, error: expect.stringMatching(/^user: /) });
    // Fastify itself refuses a path parameter over 100 characters (414), before the route.
    expect((await loop.as(dpo, 'GET', `/api/staff/${'x'.repeat(101)}/export`)).statusCode).toBe(414);
  });

  it('keeps term dates checked by parseTermDates, naming the term and field at fault', async () => {
    const it = await loop.signIn('it');
    const saved = valueOf<{ terms: unknown[]; endOfCurrentTerm: string | null }>(await loop.as(it, 'PUT', '/api/settings/term-dates', { terms: [TERMS[1], TERMS[0]] }));
    expect(saved).toEqual({ terms: TERMS, endOfCurrentTerm: '2026-12-18' });
    const slt = await loop.signIn('slt');
    expect(valueOf(await loop.as(slt, 'GET', '/api/settings/term-dates'))).toEqual(saved);
    const bad = await loop.as(it, 'PUT', '/api/settings/term-dates', { terms: [{ name: 'Autumn', start: '2026-09-03', end: '2026-09-01' }, { name: 'x', start: 'soon', end: '2026-01-01' }] });
    expect(bad.statusCode).toBe(400);
    expect((bad.json() as { error: string }).error).toBe('terms[0].end: 2026-09-01 is before the term starts (2026-09-03); terms[1].start: expected an ISO 8601 date (2026-09-02); terms[1].end: 2026-01-01 is before the term starts (soon)');
    expect(valueOf(await loop.as(slt, 'GET', '/api/settings/term-dates'))).toEqual(saved);
    // Without term dates for today, an approval needs an explicit expiry.
    await loop.as(it, 'PUT', '/api/settings/term-dates', { terms: [] });
    const [status] = await loop.forward(agent, [forwardedRequest('local-1')]);
    const refused = await loop.as(slt, 'POST', `/api/requests/${status?.serverId}/approve`, { decision: { deviceScope: { by: 'hash' }, machineScope: 'every', userScope: 'anyone' } });
    expect((refused.json() as { error: string }).error).toBe('decision.expires: no term dates known after 2026-09-07, so there is no end of term to default to: give an expiry date');
  });

  it('issues enrolment tokens, lists agents and revokes one, for IT', async () => {
    const it = await loop.signIn('it');
    const token = await loop.as(it, 'POST', '/api/enrol-tokens', { hours: 2 });
    expect(token.statusCode).toBe(201);
    expect(valueOf(token)).toEqual({ token: expect.stringMatching(/^pce_/), expiresAt: '2026-09-07T10:00:00.000Z' });
    expect((await loop.as(it, 'POST', '/api/enrol-tokens', { hours: 24 * 15 })).statusCode).toBe(400);
    const listed = valueOf<{ agents: Array<{ id: string; machine: string; revokedAt: string | null }> }>(await loop.as(it, 'GET', '/api/agents'));
    expect(listed.agents).toEqual([expect.objectContaining({ id: agent.agentId, machine: 'ICT-SUITE-07', revokedAt: null, auditChainOk: true })]);
    expect(valueOf(await loop.as(it, 'POST', `/api/agents/${agent.agentId}/revoke`))).toEqual({ agentId: agent.agentId, revokedAt: '2026-09-07T08:00:00.000Z' });
    expect((await loop.agentCall(agent, 'GET', AGENT_PATHS.policy)).statusCode).toBe(401);
    expect((await loop.as(it, 'POST', `/api/agents/${agent.agentId}/revoke`, {})).statusCode).toBe(409);
    expect((await loop.as(it, 'POST', '/api/agents/agt_nobody/revoke', {})).statusCode).toBe(404);
    const after = valueOf<{ agents: Array<{ revokedBy: string | null }> }>(await loop.as(it, 'GET', '/api/agents'));
    expect(after.agents[0]?.revokedBy).toBe('Test Person');
  });

  it("issues offline codes for a request's device and PC that the agent's secret verifies, each with its own counter", async () => {
    const [status, refusedOne] = await loop.forward(agent, [forwardedRequest('local-1'), forwardedRequest('local-2', {}, sampleDevice({ serial: 'R', hash: 'refused-hash' }))]);
    const slt = await loop.signIn('slt');
    const first = await loop.as(slt, 'POST', '/api/offline-codes', { requestId: status?.serverId, hours: 4 });
    expect(first.statusCode).toBe(201);
    const code = valueOf<{ code: string; expiresAt: string; machine: string; device: string }>(first);
    expect(code).toEqual({ code: expect.stringMatching(/^[0-9A-Z]{4}(-[0-9A-Z]{4}){3}$/), expiresAt: '2026-09-07T12:00:00.000Z', machine: 'ICT-SUITE-07', device: 'SanDisk Cruzer Blade (0781:5567), serial 4C530001230317116462' });
    const secret = Buffer.from(agent.offlineSecret, 'base64url');
    const used = new UsedOfflineCodes();
    const now = Date.parse('2026-09-07T09:00:00Z');
    expect(verifyOfflineCode({ code: code.code, secret, deviceHash: STICK.hash, machineName: 'ict-suite-07', now, used })).toEqual({ ok: true, counter: 0, expiresAt: Date.parse(code.expiresAt) });
    expect(verifyOfflineCode({ code: code.code, secret, deviceHash: 'another', machineName: 'ICT-SUITE-07', now, used: new UsedOfflineCodes() })).toMatchObject({ ok: false, reason: 'wrong-code' });
    const second = valueOf<{ code: string }>(await loop.as(slt, 'POST', '/api/offline-codes', { requestId: status?.serverId }));
    expect(verifyOfflineCode({ code: second.code, secret, deviceHash: STICK.hash, machineName: 'ICT-SUITE-07', now, used })).toMatchObject({ ok: true, counter: 1 });
    expect(await loop.db.get('SELECT offline_code_counter FROM agents WHERE id = ?', [agent.agentId])).toEqual({ offline_code_counter: 2 });

    await loop.as(slt, 'POST', `/api/requests/${refusedOne?.serverId}/refuse`, { reason: 'No' });
    expect((await loop.as(slt, 'POST', '/api/offline-codes', { requestId: refusedOne?.serverId })).statusCode).toBe(409);
    expect((await loop.as(slt, 'POST', '/api/offline-codes', { requestId: 'missing' })).statusCode).toBe(404);
    expect((await loop.as(slt, 'POST', '/api/offline-codes', { requestId: status?.serverId, hours: 24 * 31 })).statusCode).toBe(400);
    expect(await loop.db.get('SELECT offline_code_counter FROM agents WHERE id = ?', [agent.agentId])).toEqual({ offline_code_counter: 2 });
  });

  it('lists every console route of the contract in the OpenAPI document, with its roles', async () => {
    const document = (await loop.server.call({ method: 'GET', url: '/openapi.json' })).json() as { paths: Record<string, Record<string, { 'x-portcullis-roles'?: string[] }>> };
    for (const route of Object.values(CONSOLE_ROUTES)) {
      const path = route.path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
      expect([path, document.paths[path]?.[route.method.toLowerCase()]?.['x-portcullis-roles']]).toEqual([path, route.roles]);
    }
  });
});
