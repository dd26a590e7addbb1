import { approvalsServer, forwardedRequest, TERMS, valueOf, type ApprovalsServer } from '../../../test/support/approvals-server';
import { forEachDatabase } from '../../../test/support/databases';
import { parseBasePolicy } from '../approvals/base-policy';

const OWN_BASE = {
  mode: 'audit',
  implicitTarget: 'block',
  rules: [
    { id: 'hubs', rule: 'allow with-interface equals { 09:00:* }', reason: 'hubs' },
    { id: 'visualiser', rule: 'allow id 1234:5678', reason: 'the classroom visualisers' },
  ],
  idle: { lockAfter: '10m', logoffAfter: 'never', warnFor: '30s' },
};

forEachDatabase((harness) => {
  let loop: ApprovalsServer;

  beforeEach(async () => {
    loop = await approvalsServer(harness);
    const it = await loop.signIn('it');
    expect((await loop.as(it, 'PUT', '/api/settings/term-dates', { terms: TERMS })).statusCode).toBe(200);
  });
  afterEach(() => loop.close());

  /** Approves a request for the sample stick on ICT-SUITE-07; the version it published. */
  async function approveStick(): Promise<number> {
    const agent = await loop.enrol('ICT-SUITE-07');
    const [status] = await loop.forward(agent, [forwardedRequest('local-1')]);
    const slt = await loop.signIn('slt');
    const answer = await loop.as(slt, 'POST', `/api/requests/${status?.serverId ?? ''}/approve`, { decision: { deviceScope: { by: 'serial' }, machineScope: { machines: 'this' }, userScope: 'requester' } });
    return valueOf<{ policyVersion: number }>(answer).policyVersion;
  }

  it('shows the built-in base before anything is published, as text that reads back', async () => {
    const slt = await loop.signIn('slt');
    const shown = valueOf<{ text: string; version: number | null }>(await loop.as(slt, 'GET', '/api/policy/base'));
    expect(shown.version).toBeNull();
    const parsed = parseBasePolicy(shown.text, 'shown');
    expect(parsed.ok && parsed.value).toMatchObject({ mode: 'enforce', implicitTarget: 'block' });
    expect(parsed.ok && parsed.value.rules.map((entry) => entry.id)).toContain('built-in-1');
  });

  it("publishes IT's base with every approval still in force, pushes it to the PCs, and shows it back", async () => {
    const approvedIn = await approveStick();
    const it = await loop.signIn('it');
    const answer = await loop.as(it, 'PUT', '/api/policy/base', { text: JSON.stringify(OWN_BASE) });
    expect(answer.statusCode).toBe(200);
    const { policyVersion } = valueOf<{ policyVersion: number }>(answer);
    expect(policyVersion).toBe(approvedIn + 1);

    const agent = await loop.enrol('LIBRARY-01');
    const policy = await loop.policy(agent);
    expect(policy.version).toBe(policyVersion);
    expect(policy.mode).toBe('audit');
    expect(policy.idle?.lockAfter).toBe(10 * 60_000);
    // The base rules first, then the approval, which IT's base did not touch.
    expect(policy.rules.map((entry) => entry.id).slice(0, 2)).toEqual(['hubs', 'visualiser']);
    expect(policy.rules.filter((entry) => entry.requestId !== undefined)).toHaveLength(1);
    expect(policy.rules.some((entry) => entry.id.startsWith('built-in-'))).toBe(false);

    const shown = valueOf<{ text: string; version: number }>(await loop.as(it, 'GET', '/api/policy/base'));
    expect(shown.version).toBe(policyVersion);
    const reread = parseBasePolicy(shown.text, 'shown');
    expect(reread.ok && reread.value.rules.map((entry) => entry.id)).toEqual(['hubs', 'visualiser']);
    expect(shown.text).toContain('"lockAfter": "10m"');
    expect(await loop.db.get("SELECT type, actor FROM server_events WHERE type = 'base-policy-published'")).toEqual({ type: 'base-policy-published', actor: loop.users.it.id });

    // An approval published after it keeps IT's base.
    const later = await approveStickAgain();
    const after = await loop.policy(agent);
    expect(after.version).toBe(later);
    expect(after.mode).toBe('audit');
    expect(after.rules.map((entry) => entry.id).slice(0, 2)).toEqual(['hubs', 'visualiser']);
  });

  /** A second request (another PC) approved for every PC; the version it published. */
  async function approveStickAgain(): Promise<number> {
    const agent = await loop.enrol('ICT-SUITE-08');
    const [status] = await loop.forward(agent, [forwardedRequest('local-2', { user: 'other' })]);
    const slt = await loop.signIn('slt');
    const answer = await loop.as(slt, 'POST', `/api/requests/${status?.serverId ?? ''}/approve`, { decision: { deviceScope: { by: 'serial' }, machineScope: 'every', userScope: 'anyone' } });
    return valueOf<{ policyVersion: number }>(answer).policyVersion;
  }

  it('refuses a base that is not valid, naming the field, and changes nothing', async () => {
    const approvedIn = await approveStick();
    const it = await loop.signIn('it');
    const cases: Array<[string, RegExp]> = [
      ['{"mode": "enforce",', /^text: not valid JSON/],
      [JSON.stringify({ ...OWN_BASE, rules: [{ id: 'x', rule: 'allow id 1234:zz' }] }), /^text: rules\[0\]\.rule: /],
      [JSON.stringify({ ...OWN_BASE, rules: [{ id: 'x', rule: 'allow', requestId: 'r1' }] }), /^text: rules\[0\]\.requestId: a base rule answers no request/],
      [JSON.stringify({ ...OWN_BASE, version: 7 }), /^text: /],
      [JSON.stringify({ ...OWN_BASE, idle: { lockAfter: '1m', warnFor: '2m' } }), /warnFor/],
    ];
    for (const [text, error] of cases) {
      const answer = await loop.as(it, 'PUT', '/api/policy/base', { text });
      expect([text, answer.statusCode]).toEqual([text, 400]);
      expect((answer.json() as { error: string }).error).toMatch(error);
    }
    // A base rule whose id an approval uses cannot be combined with it: refused, nothing published.
    const [approval] = await loop.db.all<{ entry_json: string }>('SELECT entry_json FROM approvals');
    const approvalId = (JSON.parse(approval?.entry_json ?? '{}') as { id: string }).id;
    const clash = await loop.as(it, 'PUT', '/api/policy/base', { text: JSON.stringify({ ...OWN_BASE, rules: [{ id: approvalId, rule: 'allow id 1111:2222' }] }) });
    expect(clash.statusCode).toBe(409);
    expect((clash.json() as { error: string }).error).toContain(`rule id "${approvalId}" is already used by a rule of the new base policy`);
    expect(await loop.db.get<{ latest: number }>('SELECT MAX(version) AS latest FROM policy_versions')).toEqual({ latest: approvedIn });
  });
});
