import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { useTempDir } from '../../test/support/audit-fixtures';
import { sampleDevice } from '../../test/support/sample-device';
import type { ApprovalRequest } from './agent-events';
import { RequestQueue, requestStatusWords } from './request-queue';

const dir = useTempDir('request-queue-');

function request(id: string): ApprovalRequest {
  const { id: deviceId, serial, name, manufacturer, hash, kind, interfaces, warnings } = sampleDevice();
  return {
    id,
    viaPort: '1-2',
    device: { id: deviceId, serial, name, manufacturer, hash, kind, interfaces, warnings },
    user: 'jsmith',
    userVerified: true,
    machine: 'ICT-07',
    justification: 'Year 11 coursework',
    durationDays: 30,
    requestedAt: '2026-11-02T09:15:00.000Z',
    status: 'pending',
  };
}

const now = new Date('2026-11-02T09:20:00.000Z');

describe('RequestQueue', () => {
  it('reads a file from before the console server as requests not yet forwarded', async () => {
    await writeFile(join(dir.path, 'requests.json'), JSON.stringify([request('a'), request('b')]));
    const queue = await RequestQueue.open(dir.path);
    expect(queue.pending().map((r) => r.id)).toEqual(['a', 'b']);
    expect(queue.unforwarded().map((r) => r.id)).toEqual(['a', 'b']);
    expect(queue.awaitingAnswer()).toEqual([]);
    expect(requestStatusWords(queue.pending()[0] as never)).toBe('waiting to be sent to SLT');
  });

  it("keeps the server's id and status per request, across a restart, in a 0600 file", async () => {
    const queue = await RequestQueue.open(dir.path);
    await queue.add(request('a'));
    await queue.add(request('b'));
    const changed = await queue.recordAnswers([{ localId: 'a', serverId: 'srv-1', status: 'pending' }, { localId: 'zzz', serverId: 'srv-9', status: 'approved' }], now);
    expect(changed.map((r) => r.id)).toEqual(['a']);
    expect(queue.unforwarded().map((r) => r.id)).toEqual(['b']);
    expect(queue.awaitingAnswer().map((r) => r.id)).toEqual(['a']);
    const later = new Date('2026-11-03T10:00:00.000Z');
    await queue.recordAnswers([{ localId: 'a', serverId: 'srv-1', status: 'refused', detail: 'Use the school OneDrive instead' }], later);
    const reopened = await RequestQueue.open(dir.path);
    const [a] = reopened.pending();
    expect(a?.server).toEqual({ serverId: 'srv-1', status: 'refused', detail: 'Use the school OneDrive instead', forwardedAt: now.toISOString(), checkedAt: later.toISOString() });
    expect(requestStatusWords(a as never)).toBe('refused: Use the school OneDrive instead');
    expect(reopened.awaitingAnswer()).toEqual([]);
    expect((await stat(join(dir.path, 'requests.json'))).mode & 0o777).toBe(0o600);
  });

  it('reports only the requests whose answer changed', async () => {
    const queue = await RequestQueue.open(dir.path);
    await queue.add(request('a'));
    await queue.recordAnswers([{ localId: 'a', serverId: 'srv-1', status: 'pending' }], now);
    expect(await queue.recordAnswers([{ localId: 'a', serverId: 'srv-1', status: 'pending' }], now)).toEqual([]);
    const approved = await queue.recordAnswers([{ localId: 'a', serverId: 'srv-1', status: 'approved', detail: 'approved until 2026-12-18' }], now);
    expect(approved.map((r) => requestStatusWords(r))).toEqual(['approved until 2026-12-18']);
  });

  it('never lets an older list overwrite a newer one when writes overlap', async () => {
    const queue = await RequestQueue.open(dir.path);
    await Promise.all([queue.add(request('a')), queue.add(request('b')), queue.recordAnswers([{ localId: 'a', serverId: 's', status: 'pending' }], now), queue.add(request('c'))]);
    const saved = JSON.parse(await readFile(join(dir.path, 'requests.json'), 'utf8')) as Array<{ id: string }>;
    expect(saved.map((r) => r.id)).toEqual(['a', 'b', 'c']);
  });

  it('refuses a damaged file rather than trusting or losing it', async () => {
    await writeFile(join(dir.path, 'requests.json'), '[{"id": 1}]');
    await expect(RequestQueue.open(dir.path)).rejects.toThrow(/requests\.json: not a list of approval requests/);
  });
});
