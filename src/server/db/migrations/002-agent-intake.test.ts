import { forEachDatabase } from '../../../../test/support/databases';
import type { Database } from '../database';
import { violatedConstraint } from '../database-errors';

const T = '2026-11-28T10:00:00.000Z';

async function violation(statement: Promise<unknown>): Promise<string> {
  return statement.then(
    () => 'nothing',
    (error: unknown) => violatedConstraint(error) ?? 'other',
  );
}

forEachDatabase((harness) => {
  let db: Database;

  beforeEach(async () => {
    ({ db } = await harness.migrated());
    await db.run('INSERT INTO agents (id, machine, public_key, enrolled_at) VALUES (?, ?, ?, ?), (?, ?, ?, ?)', ['a1', 'PC-1', 'k', T, 'a2', 'PC-2', 'k', T]);
  });

  const request = (id: string, agent: string, status = 'pending', hash: string | null = 'h') =>
    db.run("INSERT INTO approval_requests (id, agent_id, machine, requester, device_json, justification, duration_days, created_at, status, device_hash) VALUES (?, ?, 'PC', 'u', '{}', 'j', 1, ?, ?, ?)", [id, agent, T, status, hash]);

  it('gives agents a whole audit chain, no offline-code counter used, and no version until told', async () => {
    expect(await db.get('SELECT audit_chain_ok, audit_chain_break, offline_code_counter, agent_version, revoked_by FROM agents WHERE id = ?', ['a1'])).toEqual({
      audit_chain_ok: 1,
      audit_chain_break: null,
      offline_code_counter: 0,
      agent_version: null,
      revoked_by: null,
    });
    expect(await violation(db.run('UPDATE agents SET audit_chain_ok = 2'))).toBe('check');
    expect(await violation(db.run("UPDATE agents SET revoked_by = 'nobody'"))).toBe('foreign-key');
  });

  it('allows one pending request per agent and device, any number decided, and none without a hash merged', async () => {
    await request('r1', 'a1');
    expect(await violation(request('r2', 'a1'))).toBe('unique');
    await request('r3', 'a2');
    await request('r4', 'a1', 'refused');
    await request('r5', 'a1', 'approved');
    await request('r6', 'a1', 'pending', null);
    await request('r7', 'a1', 'pending', null);
    expect(await db.get('SELECT COUNT(*) AS count FROM approval_requests')).toEqual({ count: 6 });
  });

  it('keeps one forwarded request per agent and local id, tied to a stored request', async () => {
    await request('r1', 'a1');
    const forward = (agent: string, localId: string, requestId = 'r1') =>
      db.run('INSERT INTO forwarded_requests (agent_id, local_id, request_id, requester, user_verified, via_port, justification, duration_days, requested_at, received_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)', [agent, localId, requestId, 'u', 1, '1-2', 'j', 30, T, T]);
    await forward('a1', 'q1');
    await forward('a2', 'q1');
    expect(await violation(forward('a1', 'q1'))).toBe('unique');
    expect(await violation(forward('a1', 'q2', 'r-none'))).toBe('foreign-key');
  });
});
