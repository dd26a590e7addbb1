import { appendFile, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fakeClock, MACHINE, STICK, useTempDir } from '../../../test/support/audit-fixtures';
import { AuditLog } from '../../audit/audit-log';
import { readAuditAfter, seqOf } from './audit-batch';

const dir = useTempDir('audit-batch-');
const livePath = () => join(dir.path, 'audit.jsonl');
const limits = (lines: number, bytes = 1 << 30) => ({ lines, bytes });

/** A log of `count` records whose files rotate every few records. */
async function writeRecords(count: number, maxBytes = 2_000): Promise<AuditLog> {
  const log = await AuditLog.open(livePath(), { machine: MACHINE, clock: fakeClock().clock, maxBytes, keep: 50 });
  for (let i = 0; i < count; i += 1) await log.append({ type: 'device-arrived', device: STICK });
  return log;
}

/** Every line of every file, oldest first, as on disk. */
async function allLines(): Promise<string[]> {
  const names = (await readdir(dir.path)).filter((n) => n.startsWith('audit.jsonl'));
  const number = (name: string) => Number(name.slice('audit.jsonl.'.length) || 0);
  const ordered = names.sort((a, b) => number(b) - number(a));
  const texts = await Promise.all(ordered.map((name) => readFile(join(dir.path, name), 'utf8')));
  return texts.flatMap((text) => text.split('\n').filter((line) => line !== ''));
}

describe('readAuditAfter', () => {
  it('reads the lines after a seq in chain order across rotated files, exactly as on disk', async () => {
    await (await writeRecords(40)).close();
    expect((await readdir(dir.path)).length).toBeGreaterThan(3);
    const lines = await allLines();
    const batch = await readAuditAfter(livePath(), 0, limits(500));
    expect(batch).toMatchObject({ lines, more: false, gapBefore: false });
    expect(batch.seqs).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    const later = await readAuditAfter(livePath(), 33, limits(500));
    expect(later.lines).toEqual(lines.slice(33));
  });

  it('stops at the batch size, and by characters, but always sends at least one line', async () => {
    await (await writeRecords(12)).close();
    const first = await readAuditAfter(livePath(), 0, limits(5));
    expect([first.seqs, first.more]).toEqual([[1, 2, 3, 4, 5], true]);
    const next = await readAuditAfter(livePath(), 5, limits(5));
    expect(next.seqs).toEqual([6, 7, 8, 9, 10]);
    const oneLine = (first.lines[0] ?? '').length;
    expect((await readAuditAfter(livePath(), 0, limits(500, oneLine * 2 + 1))).seqs).toEqual([1, 2]);
    expect((await readAuditAfter(livePath(), 0, limits(500, 10))).seqs).toEqual([1]);
  });

  it('leaves a record still being written (no newline yet) for next time', async () => {
    await (await writeRecords(3, 1 << 20)).close();
    await appendFile(livePath(), '{"seq":4,"time":"2026-11-28T10:02:11.000Z","mach');
    expect((await readAuditAfter(livePath(), 0, limits(500))).seqs).toEqual([1, 2, 3]);
  });

  it('reads on from its cursor in the live file, and the rotated file and the new live one after a rotation', async () => {
    const log = await writeRecords(3, 1_200);
    const first = await readAuditAfter(livePath(), 0, limits(500));
    expect(first.cursor).toMatchObject({ seq: 3 });
    await log.append({ type: 'device-removed', device: STICK });
    const second = await readAuditAfter(livePath(), 3, limits(500), first.cursor);
    expect(second.seqs).toEqual([4]);
    expect(second.cursor?.offset).toBeGreaterThan(first.cursor?.offset ?? 0);
    const before = (await readdir(dir.path)).length;
    for (let i = 0; i < 4; i += 1) await log.append({ type: 'device-removed', device: STICK });
    await log.close();
    expect((await readdir(dir.path)).length).toBeGreaterThan(before);
    const third = await readAuditAfter(livePath(), 4, limits(500), second.cursor);
    expect(third.seqs).toEqual([5, 6, 7, 8]);
    expect(third.cursor?.ino).not.toBe(second.cursor?.ino);
  });

  it('sends what follows a gap (records deleted before they were shipped), marked, and ends a batch at a gap inside it', async () => {
    await (await writeRecords(40)).close();
    const rotated = (await readdir(dir.path)).filter((n) => /\.\d+$/.test(n)).sort((a, b) => Number(b.split('.').pop()) - Number(a.split('.').pop()));
    const oldest = rotated[0] as string;
    const removed = (await readFile(join(dir.path, oldest), 'utf8')).split('\n').filter(Boolean).map((l) => seqOf(l));
    await rm(join(dir.path, oldest));
    const batch = await readAuditAfter(livePath(), 0, limits(500));
    expect(batch.gapBefore).toBe(true);
    expect(batch.seqs[0]).toBe((removed.at(-1) ?? 0) + 1);
    const middle = rotated[2] as string;
    const middleSeqs = (await readFile(join(dir.path, middle), 'utf8')).split('\n').filter(Boolean).map((l) => seqOf(l) ?? 0);
    await rm(join(dir.path, middle));
    const upToGap = await readAuditAfter(livePath(), 0, limits(500));
    expect([upToGap.seqs.at(-1), upToGap.more]).toEqual([(middleSeqs[0] ?? 0) - 1, true]);
  });

  it('reads the seq of a record line, fast or not', () => {
    expect(seqOf('{"seq":17,"time":"x"}')).toBe(17);
    expect(seqOf('{ "time": "x", "seq": 18 }')).toBe(18);
    expect(seqOf('not json')).toBeUndefined();
    expect(seqOf('{"seq":-1}')).toBeUndefined();
  });
});
