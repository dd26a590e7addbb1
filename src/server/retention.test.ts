import { approvalsServer, forwardedRequest, valueOf, type ApprovalsServer } from '../../test/support/approvals-server';
import { forEachDatabase, silentLogger } from '../../test/support/databases';
import { FakeScheduler } from '../../test/support/fake-scheduler';
import { sampleDevice } from '../../test/support/sample-device';
import { deviceIdentity } from '../audit/audit-event';
import { purgeOldRecords, RetentionJob, RETENTION_INTERVAL_MS, retentionCutoff } from './retention';

describe('retentionCutoff', () => {
  it('goes back whole calendar months, to the last day of a shorter month', () => {
    expect(retentionCutoff(new Date('2026-09-07T08:00:00Z'), 12).toISOString()).toBe('2025-09-07T08:00:00.000Z');
    expect(retentionCutoff(new Date('2026-03-31T10:00:00Z'), 1).toISOString()).toBe('2026-02-28T10:00:00.000Z');
    expect(retentionCutoff(new Date('2026-01-15T00:00:00Z'), 14).toISOString()).toBe('2024-11-15T00:00:00.000Z');
  });
});

forEachDatabase((harness) => {
  let loop: ApprovalsServer;
  const count = async (table: string): Promise<number> => Number((await loop.db.get<{ n: number }>(`SELECT COUNT(*) AS n FROM ${table}`))?.n);

  beforeEach(async () => {
    loop = await approvalsServer(harness);
  });
  afterEach(() => loop.close());

  /** Two years of a PC's life: old and new audit records, an old decided request, an old revoked approval, a recent pending one. */
  async function history(): Promise<{ oldRequest: string; recentRequest: string }> {
    const agent = await loop.enrol();
    const stick = deviceIdentity(sampleDevice());
    await loop.audit(agent, [
      { event: { type: 'device-arrived', device: stick }, user: 'kteacher', time: '2024-10-01T09:00:00.000Z' },
      { event: { type: 'device-arrived', device: stick }, user: 'kteacher', time: '2025-09-06T09:00:00.000Z' },
      { event: { type: 'device-arrived', device: stick }, user: 'kteacher', time: '2025-09-08T09:00:00.000Z' },
      { event: { type: 'device-arrived', device: stick }, user: 'kteacher', time: '2026-09-01T09:00:00.000Z' },
    ]);
    const [old, refused, recent] = await loop.forward(agent, [
      forwardedRequest('old'),
      forwardedRequest('refused', {}, sampleDevice({ serial: 'R', hash: 'refused' })),
      forwardedRequest('recent', {}, sampleDevice({ serial: 'N', hash: 'new' })),
    ]);
    const slt = await loop.signIn('slt');
    const approved = valueOf<{ approvalId: string }>(await loop.as(slt, 'POST', `/api/requests/${old?.serverId}/approve`, { decision: { deviceScope: { by: 'hash' }, machineScope: 'every', userScope: 'anyone', expires: '2026-10-01' } }));
    await loop.as(slt, 'POST', `/api/approvals/${approved.approvalId}/revoke`, { reason: 'Lost' });
    await loop.as(slt, 'POST', `/api/requests/${refused?.serverId}/refuse`, { reason: 'No' });
    // Decided (and revoked) a year and more ago.
    await loop.db.run('UPDATE approval_requests SET decided_at = ?, created_at = ? WHERE id IN (?, ?)', ['2025-06-01T09:00:00.000Z', '2025-06-01T08:00:00.000Z', old?.serverId ?? '', refused?.serverId ?? '']);
    await loop.db.run('UPDATE approvals SET created_at = ?, revoked_at = ?', ['2025-06-01T09:00:00.000Z', '2025-06-02T09:00:00.000Z']);
    return { oldRequest: old?.serverId ?? '', recentRequest: recent?.serverId ?? '' };
  }

  it('deletes audit records, decided requests and ended approvals older than the retention period, for real', async () => {
    const { recentRequest } = await history();
    await loop.db.run("INSERT INTO server_events (id, time, type, actor, detail_json) VALUES ('old-sar', '2025-01-10T10:00:00.000Z', 'subject-access-export', ?, '{\"subject\":\"kteacher\"}')", [loop.users.dpo.id]);
    await loop.db.run("UPDATE server_events SET time = '2025-06-01T09:00:00.000Z' WHERE type IN ('request-approved', 'approval-revoked', 'request-refused')");
    const kept = await count('server_events') - 4;
    const summary = await purgeOldRecords(loop.db, new Date('2026-09-07T08:00:00Z'));
    expect(summary).toEqual({ at: '2026-09-07T08:00:00.000Z', cutoff: '2025-09-07T08:00:00.000Z', auditRecords: 2, requests: 2, approvals: 1 });
    expect(await loop.db.all('SELECT time FROM audit_records ORDER BY time')).toEqual([{ time: '2025-09-08T09:00:00.000Z' }, { time: '2026-09-01T09:00:00.000Z' }]);
    expect(await loop.db.all('SELECT id FROM approval_requests')).toEqual([{ id: recentRequest }]);
    expect(await count('approvals')).toBe(0);
    expect(await count('forwarded_requests')).toBe(1);
    const events = await loop.db.all<{ actor: string | null; detail_json: string }>("SELECT actor, detail_json FROM server_events WHERE type = 'retention-purge'");
    expect(events.map((event) => ({ actor: event.actor, detail: JSON.parse(event.detail_json) as unknown }))).toEqual([
      { actor: null, detail: { months: 12, cutoff: '2025-09-07T08:00:00.000Z', auditRecords: 2, requests: 2, approvals: 1, serverEvents: 4 } },
    ]);
    // The server's own events from before the cutoff are gone too (the export naming kteacher among them); the purge's own is kept.
    expect(await loop.db.get("SELECT id FROM server_events WHERE id = 'old-sar'")).toBeUndefined();
    expect(await count('server_events')).toBe(kept + 1);
    const dpo = await loop.signIn('dpo');
    expect(valueOf(await loop.as(dpo, 'GET', '/api/settings/retention'))).toEqual({ months: 12, lastPurge: summary });
    // The policy still verifies and the audit chain goes on from the records kept.
    expect(await loop.publisher.latestVersion()).toBe(2);
  });

  it("follows the DPO's setting, and runs at start and then every 24 hours on the injected scheduler", async () => {
    await history();
    const dpo = await loop.signIn('dpo');
    const agent = await loop.enrol('LIBRARY-01');
    expect((await loop.policy(agent)).auditRetentionMonths).toBe(12);
    expect(valueOf(await loop.as(dpo, 'PUT', '/api/settings/retention', { months: 6 }))).toMatchObject({ months: 6 });
    // A new version tells the PCs to keep their own records no longer.
    const told = await loop.policy(agent);
    expect(told).toMatchObject({ version: 3, auditRetentionMonths: 6 });
    expect((await loop.as(dpo, 'PUT', '/api/settings/retention', { months: 0 })).statusCode).toBe(400);
    expect((await loop.as(await loop.signIn('it'), 'PUT', '/api/settings/retention', { months: 1 })).statusCode).toBe(403);
    expect(await loop.publisher.latestVersion()).toBe(3);
    const scheduler = new FakeScheduler();
    let now = new Date('2026-09-07T08:00:00Z');
    const job = new RetentionJob({ db: loop.db, scheduler, now: () => now, logger: silentLogger });
    job.start();
    const first = await job.runNow();
    expect(first).toMatchObject({ cutoff: '2026-03-07T08:00:00.000Z', auditRecords: 3 });
    expect(scheduler.pending()).toEqual([RETENTION_INTERVAL_MS]);
    now = new Date('2027-03-02T08:00:00Z');
    scheduler.advance(RETENTION_INTERVAL_MS);
    const second = await job.runNow();
    expect(second).toMatchObject({ cutoff: '2026-09-02T08:00:00.000Z', auditRecords: 1 });
    await job.stop();
    expect(scheduler.pending()).toEqual([]);
    expect(await count('audit_records')).toBe(0);
    expect(Number((await loop.db.get<{ n: number }>("SELECT COUNT(*) AS n FROM server_events WHERE type = 'retention-purge'"))?.n)).toBe(2);
    expect(await loop.db.all("SELECT detail_json FROM server_events WHERE type = 'retention-changed'")).toEqual([{ detail_json: JSON.stringify({ from: 12, to: 6 }) }]);
  });

  it('keeps an approval whose rule is still in the newest published policy, so the policy stays explained', async () => {
    const agent = await loop.enrol();
    const [status] = await loop.forward(agent, [forwardedRequest('kept')]);
    const slt = await loop.signIn('slt');
    valueOf(await loop.as(slt, 'POST', `/api/requests/${status?.serverId}/approve`, { decision: { deviceScope: { by: 'hash' }, machineScope: 'every', userScope: 'anyone', expires: '2026-10-01' } }));
    await loop.db.run("UPDATE approvals SET expires = '2025-01-01', created_at = '2024-12-01T09:00:00.000Z'");
    await loop.db.run("UPDATE approval_requests SET decided_at = '2024-12-01T09:00:00.000Z'");
    expect(await purgeOldRecords(loop.db, new Date('2026-09-07T08:00:00Z'))).toMatchObject({ approvals: 0, requests: 0 });
    expect(await count('approvals')).toBe(1);
  });
});
