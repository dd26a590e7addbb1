import { appendFile, open, readdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fakeClock, MACHINE, SAMPLE_EVENTS, STICK, useTempDir, writeLog } from '../../test/support/audit-fixtures';
import type { AuditEvent } from './audit-event';
import { AUDIT_FILE_MODE, AuditLog } from './audit-log';
import { checkRecordLine, GENESIS_PREV, type AuditRecord } from './audit-record';
import { verifyAuditFiles } from './verify-audit';
/** The real module object (not a namespace copy), so that spies reach the audit log's own calls. */
const fs: typeof import('node:fs') = jest.requireActual('node:fs');

const dir = useTempDir('audit-log-');
const livePath = (): string => join(dir.path, 'log', 'audit.jsonl');
const arrived: AuditEvent = { type: 'device-arrived', device: STICK };

async function fileLines(path = livePath()): Promise<string[]> {
  return (await readFile(path, 'utf8')).split('\n').filter((line) => line !== '');
}

async function verifyAll(): Promise<Awaited<ReturnType<typeof verifyAuditFiles>>> {
  const names = (await readdir(join(dir.path, 'log'))).filter((name) => name.startsWith('audit.jsonl'));
  const number = (name: string): number => Number(name.slice('audit.jsonl.'.length) || 0);
  return verifyAuditFiles(names.sort((a, b) => number(b) - number(a)).map((name) => join(dir.path, 'log', name)));
}

describe('AuditLog: records', () => {
  it('writes one JSON line per record, chained from the genesis value, with time, machine and user', async () => {
    const time = fakeClock('2026-11-28T10:02:11.000Z');
    const log = await AuditLog.open(livePath(), { machine: MACHINE, clock: time.clock });
    const first = await log.append(SAMPLE_EVENTS[0] as AuditEvent);
    time.advance(1000);
    const second = await log.append(arrived, 'jsmith');
    await log.close();
    expect(first).toMatchObject({ seq: 1, time: '2026-11-28T10:02:11.000Z', machine: 'ICT-07', prev: GENESIS_PREV });
    expect(first).not.toHaveProperty('user');
    expect(second).toMatchObject({ seq: 2, time: '2026-11-28T10:02:12.000Z', user: 'jsmith', prev: first.hash, event: arrived });
    const lines = await fileLines();
    expect(lines.map((line) => checkRecordLine(Buffer.from(line)))).toEqual([
      { status: 'ok', record: first },
      { status: 'ok', record: second },
    ]);
  });

  it('creates the file readable by owner and group only', async () => {
    await writeLog(livePath(), 1);
    expect((await stat(livePath())).mode & 0o777).toBe(AUDIT_FILE_MODE);
  });

  it('resolves an append only after the record is written and fsynced', async () => {
    const log = await AuditLog.open(livePath(), { machine: MACHINE, clock: fakeClock().clock });
    const order: string[] = [];
    const { writeSync: realWrite, fsyncSync: realSync } = fs;
    const writeSpy = jest.spyOn(fs, 'writeSync').mockImplementation((...args: unknown[]) => {
      order.push('write');
      return Reflect.apply(realWrite, fs, args) as number;
    });
    const syncSpy = jest.spyOn(fs, 'fsyncSync').mockImplementation((fd: number) => {
      order.push('sync');
      realSync(fd);
    });
    try {
      await log.append(arrived).then(() => order.push('resolved'));
    } finally {
      writeSpy.mockRestore();
      syncSpy.mockRestore();
    }
    expect(order).toEqual(['write', 'sync', 'resolved']);
    await log.close();
  });

  it('runs concurrent appends one at a time, in call order, without breaking the chain', async () => {
    const log = await AuditLog.open(livePath(), { machine: MACHINE, clock: fakeClock().clock });
    const events = Array.from({ length: 40 }, (_, i) => SAMPLE_EVENTS[i % SAMPLE_EVENTS.length] as AuditEvent);
    const records = await Promise.all(events.map((event) => log.append(event)));
    await log.close();
    expect(records.map((r) => r.seq)).toEqual(events.map((_, i) => i + 1));
    expect(records.map((r) => r.event)).toEqual(events);
    expect(await verifyAll()).toMatchObject({ ok: true, value: { records: 40 } });
  });

  it('refuses an event with fields the schema does not allow, and the chain carries on as if it was never asked', async () => {
    const log = await AuditLog.open(livePath(), { machine: MACHINE, clock: fakeClock().clock });
    await log.append(arrived);
    const leaky = { type: 'device-removed', device: STICK, fileNames: ['report.docx'] } as unknown as AuditEvent;
    await expect(log.append(leaky)).rejects.toThrow('not a valid audit record: event: unknown field "fileNames"');
    await expect(log.append(arrived, '')).rejects.toThrow(/not a valid audit record: user: expected a non-empty string/);
    expect(await log.append(arrived)).toMatchObject({ seq: 2 });
    await log.close();
    expect(await verifyAll()).toMatchObject({ ok: true, value: { records: 2 } });
  });

  it('cuts back a write that failed half way, so the chain carries on whole', async () => {
    const log = await AuditLog.open(livePath(), { machine: MACHINE, clock: fakeClock().clock });
    await log.append(arrived);
    const realWrite = fs.writeSync;
    const full = jest.spyOn(fs, 'writeSync').mockImplementationOnce((fd: number, data: unknown) => {
      realWrite(fd, (data as Buffer).subarray(0, 20));
      throw Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });
    });
    try {
      await expect(log.append(arrived)).rejects.toThrow(/ENOSPC/);
    } finally {
      full.mockRestore();
    }
    expect(await log.append(arrived)).toMatchObject({ seq: 2 });
    await log.close();
    expect(await verifyAll()).toMatchObject({ ok: true, value: { records: 2 } });
  });

  it('stops taking records when a failed write cannot be cut back, and still closes', async () => {
    const log = await AuditLog.open(livePath(), { machine: MACHINE, clock: fakeClock().clock });
    const probe = await open(livePath(), 'r');
    const fileHandle = Object.getPrototypeOf(probe) as { truncate(): Promise<void> };
    await probe.close();
    const write = jest.spyOn(fs, 'writeSync').mockImplementationOnce(() => {
      throw new Error('EIO: i/o error');
    });
    const truncate = jest.spyOn(fileHandle, 'truncate').mockRejectedValueOnce(new Error('EIO: i/o error'));
    try {
      await expect(log.append(arrived)).rejects.toThrow(/EIO/);
    } finally {
      write.mockRestore();
      truncate.mockRestore();
    }
    await expect(log.append(arrived)).rejects.toThrow(/the audit log stopped after a failed write \(EIO: i\/o error\); reopen it to repair it/);
    await expect(log.close()).resolves.toBeUndefined();
  });

  it('refuses appends once closed', async () => {
    const log = await AuditLog.open(livePath(), { machine: MACHINE, clock: fakeClock().clock });
    await log.close();
    await expect(log.append(arrived)).rejects.toThrow(/closed/);
  });

  it('refuses nonsensical options', async () => {
    await expect(AuditLog.open(livePath(), { machine: MACHINE, clock: fakeClock().clock, keep: 0 })).rejects.toThrow(RangeError);
    await expect(AuditLog.open(livePath(), { machine: MACHINE, clock: fakeClock().clock, maxBytes: 0 })).rejects.toThrow(RangeError);
  });
});

describe('AuditLog: reopening', () => {
  it('continues the chain of an existing file', async () => {
    const before = await writeLog(livePath(), 3);
    const log = await AuditLog.open(livePath(), { machine: MACHINE, clock: fakeClock().clock });
    expect(await log.append(arrived)).toMatchObject({ seq: 4, prev: before[2]?.hash });
    await log.close();
    expect(await verifyAll()).toMatchObject({ ok: true, value: { records: 4 } });
  });

  it('cuts off a record torn by a crash mid-write and says so in the next record', async () => {
    const before = await writeLog(livePath(), 3);
    await appendFile(livePath(), '{"seq":4,"time":"2026-11-28T10:');
    const log = await AuditLog.open(livePath(), { machine: MACHINE, clock: fakeClock().clock });
    const next = await log.append(arrived);
    await log.close();
    const lines = await fileLines();
    expect(lines).toHaveLength(5);
    expect(JSON.parse(lines[3] ?? '')).toMatchObject({ seq: 4, prev: before[2]?.hash, event: { type: 'audit-repaired', lostBytes: 31, afterSeq: 3 } });
    expect(next.seq).toBe(5);
    expect(await verifyAll()).toMatchObject({ ok: true, value: { records: 5 } });
  });

  it('repairs a file whose only line was torn, starting the chain afresh', async () => {
    await writeLog(livePath(), 0);
    await appendFile(livePath(), '{"seq":1');
    const log = await AuditLog.open(livePath(), { machine: MACHINE, clock: fakeClock().clock });
    await log.close();
    const [line] = await fileLines();
    expect(JSON.parse(line ?? '')).toMatchObject({ seq: 1, prev: GENESIS_PREV, event: { type: 'audit-repaired', lostBytes: 8 } });
    expect(JSON.parse(line ?? '').event).not.toHaveProperty('afterSeq');
  });

  it('will not continue a chain whose last record was altered', async () => {
    await writeLog(livePath(), 2);
    const text = await readFile(livePath(), 'utf8');
    await writeFile(livePath(), text.replace(/ICT-07(?=[^\n]*\n$)/, 'ICT-99'));
    await expect(AuditLog.open(livePath(), { machine: MACHINE, clock: fakeClock().clock })).rejects.toThrow(
      /audit\.jsonl: the log cannot continue its chain: the last record was edited: its hash does not match its contents/,
    );
  });

  it('continues from the newest rotated file when the live file is missing (a crash during rotation)', async () => {
    const before = await writeLog(livePath(), 2);
    await rename(livePath(), `${livePath()}.1`);
    const log = await AuditLog.open(livePath(), { machine: MACHINE, clock: fakeClock().clock });
    expect(await log.append(arrived)).toMatchObject({ seq: 3, prev: before[1]?.hash });
    await log.close();
    expect(await verifyAll()).toMatchObject({ ok: true, value: { records: 3, files: 2 } });
  });
});

describe('AuditLog: rotation', () => {
  it('starts a new file before one would pass maxBytes, chained to the last record of the old one', async () => {
    const records: AuditRecord[] = await writeLog(livePath(), 30, { maxBytes: 2000 });
    const files = (await readdir(join(dir.path, 'log'))).sort();
    expect(files.length).toBeGreaterThan(3);
    for (const name of files) expect((await stat(join(dir.path, 'log', name))).size).toBeLessThanOrEqual(2000);
    const first = JSON.parse((await fileLines())[0] ?? '') as AuditRecord;
    expect(first.prev).toBe(records[first.seq - 2]?.hash);
    expect(await verifyAll()).toMatchObject({ ok: true, value: { records: 30, files: files.length, start: { kind: 'genesis' } } });
  });

  it('keeps `keep` rotated files, recording which records it deletes, and the chain still verifies', async () => {
    await writeLog(livePath(), 40, { maxBytes: 2000, keep: 2 });
    const files = (await readdir(join(dir.path, 'log'))).sort();
    expect(files).toEqual(['audit.jsonl', 'audit.jsonl.1', 'audit.jsonl.2']);
    const all = [...(await fileLines(`${livePath()}.2`)), ...(await fileLines(`${livePath()}.1`)), ...(await fileLines())].map((line) => JSON.parse(line) as AuditRecord);
    const pruned = all.filter((r) => r.event.type === 'audit-pruned');
    expect(pruned.length).toBeGreaterThan(0);
    const oldest = all[0] as AuditRecord;
    expect(pruned.at(-1)?.event).toMatchObject({ type: 'audit-pruned', reason: 'rotation', files: 1, lastSeq: oldest.seq - 1, lastHash: oldest.prev });
    const verified = await verifyAll();
    expect(verified).toMatchObject({ ok: true, value: { start: { kind: 'pruned' } } });
  });
});

describe('AuditLog: several records at once', () => {
  it('chains them as separate appends would, in one write', async () => {
    const time = fakeClock('2026-11-28T10:02:11.000Z');
    const log = await AuditLog.open(livePath(), { machine: MACHINE, clock: time.clock });
    const first = await log.append(SAMPLE_EVENTS[0] as AuditEvent);
    const [a, b] = await log.appendAll([arrived, SAMPLE_EVENTS[1] as AuditEvent], 'jsmith');
    const after = await log.append(arrived);
    await log.close();
    expect([a?.seq, b?.seq, after.seq]).toEqual([2, 3, 4]);
    expect([a?.prev, b?.prev, after.prev]).toEqual([first.hash, a?.hash, b?.hash]);
    expect(await fileLines()).toHaveLength(4);
    expect((await verifyAll()).ok).toBe(true);
  });

  it('writes none of them when one is not a valid record', async () => {
    const log = await AuditLog.open(livePath(), { machine: MACHINE, clock: fakeClock('2026-11-28T10:02:11.000Z').clock });
    await log.append(arrived);
    const bad = { type: 'device-arrived', device: { ...STICK, fileName: 'secret.docx' } } as unknown as AuditEvent;
    await expect(log.appendAll([arrived, bad])).rejects.toThrow(/not a valid audit record/);
    const next = await log.append(arrived);
    await log.close();
    expect(next.seq).toBe(2);
    expect(await fileLines()).toHaveLength(2);
    expect((await verifyAll()).ok).toBe(true);
  });

  it('rotates as single appends do when the batch would pass the size limit', async () => {
    const log = await AuditLog.open(livePath(), { machine: MACHINE, clock: fakeClock('2026-11-28T10:02:11.000Z').clock, maxBytes: 900 });
    await log.append(arrived);
    await log.appendAll([arrived, arrived, arrived]);
    await log.close();
    expect((await readdir(join(dir.path, 'log'))).filter((n) => n.startsWith('audit.jsonl')).length).toBeGreaterThan(1);
    expect(await verifyAll()).toMatchObject({ ok: true, value: { records: expect.any(Number) } });
  });
});
