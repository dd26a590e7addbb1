import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fakeClock, MACHINE, SAMPLE_EVENTS, useTempDir, writeLog } from '../../test/support/audit-fixtures';
import type { AuditEvent } from './audit-event';
import { AuditLog } from './audit-log';
import { GENESIS_PREV, sealRecord, type AuditRecord } from './audit-record';
import { verifyAuditFiles } from './verify-audit';

const dir = useTempDir('verify-audit-');
const live = (): string => join(dir.path, 'audit.jsonl');

async function lines(path = live()): Promise<string[]> {
  return (await readFile(path, 'utf8')).split('\n').slice(0, -1);
}

async function rewrite(path: string, change: (lines: string[]) => string[]): Promise<void> {
  await writeFile(path, change(await lines(path)).map((line) => `${line}\n`).join(''));
}

/** The record on a line, re-sealed after `change`: a forger who recomputes the hash. */
function reseal(line: string, change: (record: AuditRecord) => Omit<AuditRecord, 'hash'>): string {
  return sealRecord(change(JSON.parse(line) as AuditRecord)).line;
}

/** The files of a rotated log, oldest first. */
async function rotated(): Promise<string[]> {
  const number = (name: string): number => Number(name.slice('audit.jsonl.'.length) || 0);
  return (await readdir(dir.path)).sort((a, b) => number(b) - number(a)).map((name) => join(dir.path, name));
}

describe('verifyAuditFiles: one file', () => {
  let records: AuditRecord[];
  beforeEach(async () => {
    records = await writeLog(live(), 6);
  });

  it('accepts an intact log, from genesis, and gives its first and last records', async () => {
    expect(await verifyAuditFiles([live()])).toEqual({ ok: true, value: { files: 1, records: 6, start: { kind: 'genesis' }, first: records[0], last: records[5] } });
  });

  it.each<[string, (l: string[]) => string[], object]>([
    ['an edited record', (l) => l.map((line, i) => (i === 3 ? line.replace('ICT-07', 'ICT-08') : line)), { kind: 'edited', line: 4, seq: 4, message: 'line 4 (seq 4) was edited: its hash does not match its contents' }],
    ['a removed record', (l) => l.filter((_, i) => i !== 2), { kind: 'missing-or-reordered', line: 3, seq: 4, message: 'line 3 (seq 4): a record is missing or reordered between seq 2 and seq 4' }],
    ['two records swapped', (l) => [l[0], l[2], l[1], ...l.slice(3)] as string[], { line: 2, seq: 3, message: 'line 2 (seq 3): a record is missing or reordered between seq 1 and seq 3' }],
    ['a repeated record', (l) => [...l.slice(0, 3), l[2], ...l.slice(3)] as string[], { line: 4, seq: 3, message: 'line 4 (seq 3) is out of order or repeated: it comes after seq 3' }],
    ['a line that is not JSON', (l) => l.map((line, i) => (i === 2 ? 'hello' : line)), { kind: 'not-a-record', line: 3, message: 'line 3 is not valid JSON' }],
    ['an empty line', (l) => [l[0], '', ...l.slice(1)] as string[], { kind: 'not-a-record', line: 2, message: 'line 2 is empty' }],
    ['an edit whose hash was recomputed', (l) => l.map((line, i) => (i === 2 ? reseal(line, ({ hash: _, ...r }) => ({ ...r, user: 'someone-else' })) : line)), { kind: 'edited', line: 3, seq: 3, message: 'line 3 (seq 3) was edited: the next record (line 4) was chained to a different version of it' }],
    ['a first record renumbered', (l) => [reseal(l[0] ?? '', ({ hash: _, ...r }) => ({ ...r, seq: 5 })), ...l.slice(1)], { line: 1, seq: 5, message: 'line 1 (seq 5) begins a chain, so it should be seq 1: records before it are missing' }],
    ['a removed first record', (l) => l.slice(1), { kind: 'unexplained-start', line: 1, seq: 2, message: 'line 1 (seq 2) follows seq 1, which is not in the files given, and no record in them says it was pruned' }],
  ])('names the first bad record for %s', async (_what, change, problem) => {
    await rewrite(live(), change);
    expect(await verifyAuditFiles([live()])).toEqual({ ok: false, error: expect.objectContaining({ file: live(), ...problem }) });
  });

  it('names a last line cut off mid-write', async () => {
    await writeFile(live(), `${(await lines()).join('\n')}\n{"seq":7,"ti`);
    expect(await verifyAuditFiles([live()])).toMatchObject({ ok: false, error: { kind: 'cut-off', line: 7, message: 'line 7 is cut off: the file ends in the middle of a record (a write was interrupted)' } });
  });

  it('reports an unexplained start even when a later problem was found first', async () => {
    await rewrite(live(), (l) => l.slice(1).map((line, i) => (i === 3 ? 'x' : line)));
    expect(await verifyAuditFiles([live()])).toMatchObject({ ok: false, error: { kind: 'unexplained-start', line: 1 } });
    expect(await verifyAuditFiles([live()], { fromPruned: true })).toMatchObject({ ok: false, error: { kind: 'not-a-record', line: 4 } });
  });

  it('accepts a start after missing records with fromPruned, and says it assumed so', async () => {
    await rewrite(live(), (l) => l.slice(2));
    expect(await verifyAuditFiles([live()], { fromPruned: true })).toMatchObject({ ok: true, value: { records: 4, start: { kind: 'assumed' }, first: { seq: 3 } } });
  });

  it('names a file it cannot read', async () => {
    const missing = join(dir.path, 'missing.jsonl');
    expect(await verifyAuditFiles([live(), missing])).toEqual({ ok: false, error: { kind: 'unreadable-file', file: missing, message: 'cannot read (no such file)' } });
  });

  it('accepts empty files', async () => {
    const empty = join(dir.path, 'empty.jsonl');
    await writeFile(empty, '');
    expect(await verifyAuditFiles([empty])).toEqual({ ok: true, value: { files: 1, records: 0, start: { kind: 'empty' } } });
  });
});

describe('verifyAuditFiles: rotated files', () => {
  beforeEach(async () => {
    await writeLog(live(), 30, { maxBytes: 2500 });
  });

  it('accepts the whole set oldest first as one chain', async () => {
    const files = await rotated();
    expect(files.length).toBeGreaterThanOrEqual(3);
    expect(await verifyAuditFiles(files)).toMatchObject({ ok: true, value: { files: files.length, records: 30, start: { kind: 'genesis' } } });
  });

  it('names the first record of a file when the last record of the file before it was removed', async () => {
    const [, second, third] = await rotated();
    await rewrite(second ?? '', (l) => l.slice(0, -1));
    const lastSeq = (await lines(second)).length === 0 ? 0 : (JSON.parse((await lines(second)).at(-1) ?? '') as AuditRecord).seq;
    const firstOfThird = JSON.parse((await lines(third))[0] ?? '') as AuditRecord;
    expect(await verifyAuditFiles(await rotated())).toMatchObject({
      ok: false,
      error: { file: third, line: 1, message: `line 1 (seq ${firstOfThird.seq}): a record is missing or reordered between seq ${lastSeq} and seq ${firstOfThird.seq} (seq ${lastSeq} is the last record of ${second})` },
    });
  });

  it('names the first record of a file that does not chain to the file before it', async () => {
    const files = await rotated();
    const last = files.at(-1) ?? '';
    await rewrite(last, (l) => [reseal(l[0] ?? '', ({ hash: _, ...r }) => ({ ...r, prev: 'a'.repeat(64) })), ...l.slice(1)]);
    expect(await verifyAuditFiles(files)).toMatchObject({ ok: false, error: { kind: 'broken-link', file: last, line: 1, message: expect.stringMatching(/^line 1 \(seq \d+\) does not chain to the last record of .*audit\.jsonl\.1 \(seq \d+\)/) } });
  });

  it('names a second chain appended to the first', async () => {
    const other = join(dir.path, 'other', 'audit.jsonl');
    await writeLog(other, 2);
    expect(await verifyAuditFiles([...(await rotated()).filter((f) => !f.includes('other')), other])).toMatchObject({
      ok: false,
      error: { kind: 'broken-link', file: other, line: 1, message: expect.stringMatching(/^line 1 \(seq 1\) begins a new chain after seq 30 \(seq 30 is the last record of /) },
    });
  });

  it('wants the older files when given only the newer ones', async () => {
    const files = await rotated();
    expect(await verifyAuditFiles(files.slice(1))).toMatchObject({ ok: false, error: { kind: 'unexplained-start', file: files[1], line: 1 } });
  });
});

describe('verifyAuditFiles: after pruning', () => {
  it('reports a tampered record rather than the start, when a record of the pruning comes later', async () => {
    const time = fakeClock('2025-01-01T00:00:00Z');
    const log = await AuditLog.open(live(), { machine: MACHINE, clock: time.clock, maxBytes: 2000 });
    for (let i = 0; i < 40; i++) {
      await log.append(SAMPLE_EVENTS[i % SAMPLE_EVENTS.length] as AuditEvent);
      time.advance(24 * 60 * 60 * 1000);
    }
    expect(await log.prune(new Date('2025-01-15T00:00:00Z'))).toBeDefined();
    await log.close();
    const files = await rotated();
    expect(await verifyAuditFiles(files)).toMatchObject({ ok: true, value: { start: { kind: 'pruned' } } });
    await rewrite(files[0] ?? '', (l) => l.map((line, i) => (i === 1 ? line.replace('ICT-07', 'ICT-01') : line)));
    expect(await verifyAuditFiles(files)).toMatchObject({ ok: false, error: { kind: 'edited', file: files[0], line: 2 } });
  });
});

it('GENESIS_PREV is 64 zeros', () => {
  expect(GENESIS_PREV).toMatch(/^0{64}$/);
});
