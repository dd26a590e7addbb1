import { forEachDatabase } from '../../../../test/support/databases';
import type { Database } from '../database';
import { violatedConstraint, type ConstraintKind } from '../database-errors';

/** What the statement broke, as the server would read it from either engine. */
async function violation(statement: Promise<unknown>): Promise<ConstraintKind | 'nothing' | 'other'> {
  return statement.then(
    () => 'nothing',
    (error: unknown) => violatedConstraint(error) ?? 'other',
  );
}

const T = '2026-09-01T08:00:00.000Z';

async function addUser(db: Database, id: string, email: string, role = 'slt-approver'): Promise<void> {
  await db.run('INSERT INTO users (id, email, role, password_hash, display_name, created_at) VALUES (?, ?, ?, ?, ?, ?)', [id, email, role, null, 'A Person', T]);
}

async function addAgent(db: Database, id: string): Promise<void> {
  await db.run('INSERT INTO agents (id, machine, public_key, enrolled_at) VALUES (?, ?, ?, ?)', [id, 'ICT-SUITE-07', 'key', T]);
}

forEachDatabase((harness) => {
  let db: Database;

  beforeEach(async () => {
    ({ db } = await harness.migrated());
  });

  it('keeps emails unique whatever their case, and finds them by lower(email)', async () => {
    await addUser(db, 'u1', 'Head@School.example');
    expect(await violation(addUser(db, 'u2', 'head@school.EXAMPLE'))).toBe('unique');
    expect(await db.get('SELECT id, failed_logins, disabled_at FROM users WHERE lower(email) = lower(?)', ['HEAD@school.example'])).toEqual({ id: 'u1', failed_logins: 0, disabled_at: null });
  });

  it('accepts the four roles and nothing else', async () => {
    for (const [index, role] of ['slt-approver', 'it-admin', 'headteacher', 'dpo'].entries()) await addUser(db, `u${index}`, `${role}@school.example`, role);
    expect(await violation(addUser(db, 'u9', 'pupil@school.example', 'pupil'))).toBe('check');
    expect(await violation(db.run('INSERT INTO users (id, email, role) VALUES (?, ?, ?)', ['u10', 'x@school.example', 'dpo']))).toBe('not-null');
  });

  it('enforces foreign keys', async () => {
    expect(await violation(db.run('INSERT INTO sessions (id_hash, user_id, created_at, expires_at, csrf_token) VALUES (?, ?, ?, ?, ?)', ['h', 'nobody', T, T, 'c']))).toBe('foreign-key');
    await addUser(db, 'u1', 'a@school.example');
    await db.run('INSERT INTO sessions (id_hash, user_id, created_at, expires_at, csrf_token) VALUES (?, ?, ?, ?, ?)', ['h', 'u1', T, T, 'c']);
    await db.run('DELETE FROM users WHERE id = ?', ['u1']);
    expect(await db.all('SELECT id_hash FROM sessions')).toEqual([]);
  });

  it('keeps one audit record per agent and seq, seq a BIGINT', async () => {
    await addAgent(db, 'a1');
    const insert = 'INSERT INTO audit_records (agent_id, seq, time, machine, user_name, event_json, prev, hash, received_at, chain_ok) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)';
    const record = (seq: number | bigint) => ['a1', seq, T, 'ICT-SUITE-07', 'jsmith', '{}', '0'.repeat(64), 'f'.repeat(64), T, 1];
    await db.run(insert, record(1));
    await db.run(insert, record(2n ** 40n));
    expect(await violation(db.run(insert, record(1)))).toBe('unique');
    expect(await db.all('SELECT seq, chain_ok FROM audit_records ORDER BY seq')).toEqual([{ seq: 1, chain_ok: 1 }, { seq: 2 ** 40, chain_ok: 1 }]);
  });

  it('starts an approval request as pending, with nothing merged, and checks its status', async () => {
    await addAgent(db, 'a1');
    const insert = 'INSERT INTO approval_requests (id, agent_id, machine, requester, device_json, justification, duration_days, created_at, status) VALUES (?, ?, ?, ?, ?, ?, ?, ?, COALESCE(?, ?))';
    await db.run(insert, ['r1', 'a1', 'ICT-SUITE-07', 'jsmith', '{}', 'Year 11 coursework', 30, T, null, 'pending']);
    expect(await db.get('SELECT status, merged_count FROM approval_requests')).toEqual({ status: 'pending', merged_count: 0 });
    expect(await violation(db.run(insert, ['r2', 'a1', 'ICT-SUITE-07', 'jsmith', '{}', 'x', 30, T, 'maybe', 'pending']))).toBe('check');
  });

  it('keeps settings by key', async () => {
    await db.run('INSERT INTO settings (key, value) VALUES (?, ?)', ['school_name', 'Example Academy']);
    expect(await db.get('SELECT value FROM settings WHERE key = ?', ['school_name'])).toEqual({ value: 'Example Academy' });
  });
});
