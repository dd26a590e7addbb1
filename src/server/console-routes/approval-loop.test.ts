import { approvalsServer, forwardedRequest, TERMS, valueOf, type ApprovalsServer } from '../../../test/support/approvals-server';
import { forEachDatabase } from '../../../test/support/databases';
import { sampleDevice } from '../../../test/support/sample-device';
import { engineFromPolicy } from '../../policy/decision-engine';
import type { RequestView } from '../console-protocol';
import { AGENT_PATHS } from '../agent-protocol';
import type { PolicyDocument } from '../../policy/policy-document';
import { idlePolicySchema } from '../../idle/idle-policy';
import { sampleDocument } from '../../../test/support/policy-fixtures';

const STICK = sampleDevice();
const OTHER_STICK = sampleDevice({ serial: '4C530001230317119999', hash: 'b1ZkgJlKKGlTiAuDh6uT1g5xVvM3mn4P3tbKVeX1J0g=' });

/** What the decision engine of `machine`, for `user`, decides about `device` under `document`. */
function decide(document: PolicyDocument, device = STICK, machine = 'ICT-SUITE-07', user = 'kteacher', at = new Date('2026-09-08T09:00:00Z')): string {
  return engineFromPolicy(document, { machine, user, groups: [] }, at).decide(device, { now: () => at, random: () => 0.5, allowedDevices: () => [] }).target;
}

forEachDatabase((harness) => {
  let loop: ApprovalsServer;

  beforeEach(async () => {
    loop = await approvalsServer(harness, { mail: true });
    const it = await loop.signIn('it');
    expect((await loop.as(it, 'PUT', '/api/settings/term-dates', { terms: TERMS })).statusCode).toBe(200);
  });
  afterEach(() => loop.close());

  it('runs the whole loop: a PC asks, SLT approve with a scope, the PC fetches a signed policy allowing exactly that device', async () => {
    const agent = await loop.enrol('ICT-SUITE-07');
    const [status] = await loop.forward(agent, [forwardedRequest('local-1')]);
    expect(status).toMatchObject({ localId: 'local-1', status: 'pending' });
    const requestId = status?.serverId ?? '';

    const slt = await loop.signIn('slt');
    const queue = valueOf<{ requests: RequestView[] }>(await loop.as(slt, 'GET', '/api/requests'));
    expect(queue.requests).toHaveLength(1);
    expect(queue.requests[0]).toMatchObject({ id: requestId, status: 'pending', machine: 'ICT-SUITE-07', requester: 'kteacher', requesterVerified: true, durationDays: 30, hasSerial: true, mergedCount: 0 });
    expect(queue.requests[0]?.explanation.headline).toBe('kteacher asks to use a USB storage device (SanDisk Cruzer Blade) on ICT-SUITE-07');

    const approve = await loop.as(slt, 'POST', `/api/requests/${requestId}/approve`, { decision: { deviceScope: { by: 'serial' }, machineScope: { machines: 'this' }, userScope: 'requester', conditions: { virusChecked: true } } });
    expect(approve.statusCode).toBe(200);
    const approved = valueOf<{ approvalId: string; policyVersion: number; expires: string }>(approve);
    expect(approved).toEqual({ approvalId: expect.any(String), policyVersion: 1, expires: '2026-12-18' });

    const policy = await loop.policy(agent);
    expect(policy.version).toBe(1);
    const rule = policy.rules.find((entry) => entry.requestId === requestId);
    expect(rule).toMatchObject({ scope: { machines: ['ICT-SUITE-07'], users: ['kteacher'] }, expires: '2026-12-18', approvedBy: 'Test Person (SLT)' });
    expect(rule?.rule).toContain('serial "4C530001230317116462"');
    // Exactly that device, there, for them: not another stick of the model, another PC or another person.
    expect(decide(policy)).toBe('allow');
    expect(decide(policy, OTHER_STICK)).toBe('block');
    expect(decide(policy, STICK, 'LIBRARY-01')).toBe('block');
    expect(decide(policy, STICK, 'ICT-SUITE-07', 'other')).toBe('block');
    // The built-in base rules come first, so keyboards keep working.
    expect(decide(policy, sampleDevice({ id: { vendor: '046d', product: 'c31c' }, interfaces: [{ classCode: 3, subclass: 1, protocol: 1 }], serial: '', hash: 'k' }))).toBe('allow');
    expect(decide(policy, STICK, 'ICT-SUITE-07', 'kteacher', new Date('2026-12-19T09:00:00Z'))).toBe('block');

    // The PC learns its request was approved; the requester is emailed; the register explains the version.
    const statuses = await loop.agentCall(agent, 'GET', `${AGENT_PATHS.requests}?ids=local-1`);
    expect(statuses.json()).toEqual({ requests: [{ localId: 'local-1', serverId: requestId, status: 'approved', detail: 'approved until 2026-12-18' }] });
    expect(loop.sent).toHaveLength(1);
    expect(loop.sent[0]).toMatchObject({ to: ['kteacher@school.example'], subject: "Approved: USB storage device 'Cruzer Blade' on ICT-SUITE-07" });
    expect(await loop.db.all('SELECT id, policy_version, approved_by FROM approvals')).toEqual([{ id: approved.approvalId, policy_version: 1, approved_by: loop.users.slt.id }]);
    expect(await loop.db.get('SELECT status, decided_by FROM approval_requests WHERE id = ?', [requestId])).toEqual({ status: 'approved', decided_by: loop.users.slt.id });
    expect(await loop.db.all("SELECT type, actor FROM server_events WHERE type = 'request-approved'")).toEqual([{ type: 'request-approved', actor: loop.users.slt.id }]);

    // Deciding it again is refused, and nothing changes.
    const again = await loop.as(slt, 'POST', `/api/requests/${requestId}/refuse`, { reason: 'no' });
    expect(again.statusCode).toBe(409);
    expect((again.json() as { error: string }).error).toMatch(new RegExp(`^request ${requestId} was already approved by Test Person on 2026-09-07`));
    expect((await loop.as(slt, 'POST', `/api/requests/${requestId}/approve`, { decision: { deviceScope: { by: 'model' }, machineScope: 'every', userScope: 'anyone' } })).statusCode).toBe(409);
    expect(await loop.publisher.latestVersion()).toBe(1);
  });

  it('pushes the new version to a connected PC at once', async () => {
    const agent = await loop.enrol();
    const [status] = await loop.forward(agent, [forwardedRequest('local-1')]);
    const announced: number[] = [];
    loop.publisher.onPublished((version) => announced.push(version));
    const slt = await loop.signIn('slt');
    await loop.as(slt, 'POST', `/api/requests/${status?.serverId}/approve`, { decision: { deviceScope: { by: 'hash' }, machineScope: 'every', userScope: 'anyone' } });
    expect(announced).toEqual([1]);
  });

  it('refuses a request with a reason, which the PC and the requester are told', async () => {
    const agent = await loop.enrol();
    const [status] = await loop.forward(agent, [forwardedRequest('local-1')]);
    const slt = await loop.signIn('slt');
    const refused = await loop.as(slt, 'POST', `/api/requests/${status?.serverId}/refuse`, { reason: 'Use the school OneDrive instead.' });
    expect(valueOf(refused)).toEqual({ requestId: status?.serverId, status: 'refused' });
    const statuses = await loop.agentCall(agent, 'GET', `${AGENT_PATHS.requests}?ids=local-1`);
    expect(statuses.json()).toMatchObject({ requests: [{ status: 'refused', detail: 'Use the school OneDrive instead.' }] });
    expect(loop.sent[0]).toMatchObject({ to: ['kteacher@school.example'], subject: "Not approved: USB storage device 'Cruzer Blade' on ICT-SUITE-07" });
    expect(await loop.publisher.latestVersion()).toBeUndefined();
    const listed = valueOf<{ requests: RequestView[] }>(await loop.as(slt, 'GET', '/api/requests?status=refused'));
    expect(listed.requests[0]).toMatchObject({ status: 'refused', decidedBy: 'Test Person', decisionReason: 'Use the school OneDrive instead.' });
  });

  it('revokes an approval: a new version without it, the request withdrawn with the reason', async () => {
    const agent = await loop.enrol();
    const [first, second] = await loop.forward(agent, [forwardedRequest('local-1'), forwardedRequest('local-2', {}, OTHER_STICK)]);
    const slt = await loop.signIn('slt');
    const decision = { deviceScope: { by: 'serial' }, machineScope: { machines: 'this' }, userScope: 'anyone' };
    const a = valueOf<{ approvalId: string }>(await loop.as(slt, 'POST', `/api/requests/${first?.serverId}/approve`, { decision }));
    valueOf(await loop.as(slt, 'POST', `/api/requests/${second?.serverId}/approve`, { decision }));
    expect(decide(await loop.policy(agent))).toBe('allow');
    expect(decide(await loop.policy(agent), OTHER_STICK)).toBe('allow');

    const revoked = valueOf<{ policyVersion: number }>(await loop.as(slt, 'POST', `/api/approvals/${a.approvalId}/revoke`, { reason: 'Lost on a school trip' }));
    expect(revoked.policyVersion).toBe(3);
    const policy = await loop.policy(agent);
    expect(policy.version).toBe(3);
    expect(decide(policy)).toBe('block');
    expect(decide(policy, OTHER_STICK)).toBe('allow');
    expect(policy.rules.some((entry) => entry.requestId === first?.serverId)).toBe(false);
    const statuses = await loop.agentCall(agent, 'GET', `${AGENT_PATHS.requests}?ids=local-1`);
    expect(statuses.json()).toMatchObject({ requests: [{ status: 'withdrawn', detail: 'the approval was revoked by Test Person on 2026-09-07: Lost on a school trip' }] });
    expect((await loop.as(slt, 'POST', `/api/approvals/${a.approvalId}/revoke`, { reason: 'again' })).statusCode).toBe(409);
    expect((await loop.as(slt, 'POST', '/api/approvals/nope/revoke', { reason: 'x' })).statusCode).toBe(404);
  });

  it('refuses a decision the device cannot take, naming the field, and writes nothing', async () => {
    const agent = await loop.enrol();
    const [status] = await loop.forward(agent, [forwardedRequest('local-1', {}, sampleDevice({ serial: '' }))]);
    const slt = await loop.signIn('slt');
    const answer = await loop.as(slt, 'POST', `/api/requests/${status?.serverId}/approve`, { decision: { deviceScope: { by: 'serial' }, machineScope: 'every', userScope: 'anyone' } });
    expect(answer.statusCode).toBe(400);
    expect((answer.json() as { error: string }).error).toMatch(/^decision\.deviceScope: SanDisk Cruzer Blade \(0781:5567\) reports no serial number/);
    const malformed = await loop.as(slt, 'POST', `/api/requests/${status?.serverId}/approve`, { decision: { deviceScope: { by: 'colour' }, machineScope: 'every', userScope: 'anyone', extra: 1 } });
    expect(malformed.statusCode).toBe(400);
    expect((malformed.json() as { error: string }).error).toContain('decision.deviceScope');
    expect((malformed.json() as { error: string }).error).toContain('unknown field "extra"');
    const past = await loop.as(slt, 'POST', `/api/requests/${status?.serverId}/approve`, { decision: { deviceScope: { by: 'hash' }, machineScope: 'every', userScope: 'anyone', expires: '2026-01-01' } });
    expect((past.json() as { error: string }).error).toBe('decision.expires: 2026-01-01 has already passed');
    expect((await loop.as(slt, 'POST', '/api/requests/missing/approve', { decision: { deviceScope: { by: 'hash' }, machineScope: 'every', userScope: 'anyone' } })).statusCode).toBe(404);
    expect(await loop.db.all('SELECT id FROM approvals')).toEqual([]);
    expect(await loop.db.all('SELECT version FROM policy_versions')).toEqual([]);
    expect(await loop.db.get('SELECT status FROM approval_requests WHERE id = ?', [status?.serverId ?? ''])).toEqual({ status: 'pending' });
  });

  it('leaves nothing half-written when publishing fails: no approval, no version, the request still pending', async () => {
    const agent = await loop.enrol();
    const [status] = await loop.forward(agent, [forwardedRequest('local-1')]);
    const slt = await loop.signIn('slt');
    const storeIn = jest.spyOn(loop.publisher, 'storeIn').mockRejectedValueOnce(new Error('disk full'));
    const answer = await loop.as(slt, 'POST', `/api/requests/${status?.serverId}/approve`, { decision: { deviceScope: { by: 'hash' }, machineScope: 'every', userScope: 'anyone' } });
    expect(answer.statusCode).toBe(500);
    storeIn.mockRestore();
    expect(await loop.db.all('SELECT id FROM approvals')).toEqual([]);
    expect(await loop.db.all('SELECT version FROM policy_versions')).toEqual([]);
    expect(await loop.db.get('SELECT status, decided_by FROM approval_requests WHERE id = ?', [status?.serverId ?? ''])).toEqual({ status: 'pending', decided_by: null });
    expect((await loop.as(slt, 'POST', `/api/requests/${status?.serverId}/approve`, { decision: { deviceScope: { by: 'hash' }, machineScope: 'every', userScope: 'anyone' } })).statusCode).toBe(200);
  });

  it('takes two SLT members approving the same request at once one after the other: one approval, one version', async () => {
    const agent = await loop.enrol();
    const [status] = await loop.forward(agent, [forwardedRequest('local-1')]);
    const [a, b] = [await loop.signIn('slt'), await loop.signIn('slt')];
    const decision = { deviceScope: { by: 'hash' }, machineScope: 'every', userScope: 'anyone' };
    const answers = await Promise.all([a, b].map((who) => loop.as(who, 'POST', `/api/requests/${status?.serverId}/approve`, { decision })));
    expect(answers.map((answer) => answer.statusCode).sort()).toEqual([200, 409]);
    expect(await loop.db.all('SELECT version FROM policy_versions')).toEqual([{ version: 1 }]);
    expect(await loop.db.all('SELECT id FROM approvals')).toHaveLength(1);
  });

  it('keeps the base rules of the published policy and every approval in force across versions, concurrent approvals included', async () => {
    const agent = await loop.enrol();
    const devices = [0, 1, 2, 3].map((i) => sampleDevice({ serial: `SERIAL-${i}`, hash: `hash-${i}` }));
    const statuses = await loop.forward(agent, devices.map((device, i) => forwardedRequest(`local-${i}`, {}, device)));
    const slt = await loop.signIn('slt');
    const decision = { deviceScope: { by: 'serial' }, machineScope: 'every', userScope: 'anyone' };
    const answers = await Promise.all(statuses.map((status) => loop.as(slt, 'POST', `/api/requests/${status.serverId}/approve`, { decision })));
    expect(answers.map((answer) => answer.statusCode)).toEqual([200, 200, 200, 200]);
    const policy = await loop.policy(agent);
    expect(policy.version).toBe(4);
    for (const device of devices) expect(decide(policy, device)).toBe('allow');
    expect(policy.rules.filter((entry) => entry.id.startsWith('built-in-'))).toHaveLength(2);
  });

  it("builds on the school's published policy: its base rules, mode, implicit target and idle settings stay, its version goes up", async () => {
    const idle = idlePolicySchema.parse({ lockAfter: '5m', logoffAfter: '30m' });
    const base = sampleDocument({ version: 7, mode: 'audit', idle, rules: [sampleDocument().rules[0] as PolicyDocument['rules'][number]] });
    expect((await loop.publisher.publishPolicy(base, loop.users.it.id)).ok).toBe(true);
    const agent = await loop.enrol();
    const [status] = await loop.forward(agent, [forwardedRequest('local-1')]);
    const slt = await loop.signIn('slt');
    valueOf(await loop.as(slt, 'POST', `/api/requests/${status?.serverId}/approve`, { decision: { deviceScope: { by: 'model' }, machineScope: 'every', userScope: 'anyone', expires: '2027-07-22' } }));
    const policy = await loop.policy(agent);
    expect(policy).toMatchObject({ version: 8, mode: 'audit', implicitTarget: 'block', idle: { lockAfter: 300_000, logoffAfter: 1_800_000 } });
    expect(policy.rules.map((entry) => entry.id)).toEqual(['r-keyboards', expect.stringMatching(/^approval-/)]);
    const text = (await loop.db.get<{ document_text: string }>('SELECT document_text FROM policy_versions WHERE version = 8'))?.document_text ?? '';
    expect(text).toContain('"lockAfter": "5m"');
  });
});
