import { forEachDatabase } from '../../../../test/support/databases';
import type { Database } from '../database';

const T = '2026-11-28T10:00:00.000Z';

forEachDatabase((harness) => {
  let db: Database;

  beforeEach(async () => {
    ({ db } = await harness.migrated());
    await db.run('INSERT INTO agents (id, machine, public_key, enrolled_at) VALUES (?, ?, ?, ?)', ['a1', 'PC-1', 'k', T]);
  });

  it("reads each audit record's event type and device hash from its JSON, whoever wrote it", async () => {
    const insert = (seq: number, event: object) =>
      db.run("INSERT INTO audit_records (agent_id, seq, time, machine, event_json, prev, hash, received_at, chain_ok) VALUES ('a1', ?, ?, 'PC-1', ?, 'p', 'h', ?, 1)", [seq, T, JSON.stringify(event), T]);
    await insert(1, { type: 'device-arrived', device: { id: '0781:5567', hash: 'abc=' } });
    await insert(2, { type: 'idle-locked', session: '3', idleMs: 5, by: 'tray' });
    expect(await db.all('SELECT seq, event_type, device_hash FROM audit_records ORDER BY seq')).toEqual([
      { seq: 1, event_type: 'device-arrived', device_hash: 'abc=' },
      { seq: 2, event_type: 'idle-locked', device_hash: null },
    ]);
    expect(await db.all("SELECT seq FROM audit_records WHERE event_type = 'idle-locked'")).toEqual([{ seq: 2 }]);
  });

  it('keeps server events with their actor, and approvals with their rule entry', async () => {
    await db.run("INSERT INTO server_events (id, time, type, actor, detail_json) VALUES ('e1', ?, 'retention-purge', NULL, '{}')", [T]);
    expect(await db.all('SELECT id, actor FROM server_events')).toEqual([{ id: 'e1', actor: null }]);
    expect(await db.all('SELECT entry_json, device_text, machine, revoke_reason, policy_version FROM approvals')).toEqual([]);
  });
});
