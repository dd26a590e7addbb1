import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fakeClock, MACHINE, SAMPLE_EVENTS, useTempDir } from '../../test/support/audit-fixtures';
import type { AuditEvent } from './audit-event';
import { AuditLog } from './audit-log';
import { expiredAuditFiles, retentionCutoff } from './audit-retention';
import { verifyAuditFiles } from './verify-audit';

const dir = useTempDir('audit-retention-');
const live = (): string => join(dir.path, 'audit.jsonl');
const DAY = 24 * 60 * 60 * 1000;

/** A log written over `days` days, one record a day, rotating every few records. */
async function logOverDays(days: number, time = fakeClock('2025-01-01T09:00:00.000Z')): Promise<AuditLog> {
  const log = await AuditLog.open(live(), { machine: MACHINE, clock: time.clock, maxBytes: 1500, keep: 100 });
  for (let day = 0; day < days; day++) {
    await log.append(SAMPLE_EVENTS[day % SAMPLE_EVENTS.length] as AuditEvent);
    time.advance(DAY);
  }
  return log;
}

async function chain(): Promise<string[]> {
  const names = await readdir(dir.path);
  const number = (name: string): number => Number(name.slice('audit.jsonl.'.length) || 0);
  return names.sort((a, b) => number(b) - number(a)).map((name) => join(dir.path, name));
}

describe('retentionCutoff', () => {
  it('is 12 calendar months back by default', () => {
    expect(retentionCutoff(new Date('2026-11-28T10:00:00Z')).toISOString()).toBe('2025-11-28T10:00:00.000Z');
    expect(retentionCutoff(new Date('2026-11-28T10:00:00Z'), 6).toISOString()).toBe('2026-05-28T10:00:00.000Z');
  });
});

describe('AuditLog.prune', () => {
  it('deletes the rotated files whose last record is older than the limit, after recording the seq range it deletes', async () => {
    const log = await logOverDays(60);
    const filesBefore = await chain();
    const cutoff = new Date('2025-01-20T00:00:00.000Z');
    const expired = await expiredAuditFiles(live(), cutoff);
    expect(expired.length).toBeGreaterThan(0);
    const record = await log.prune(cutoff);
    await log.close();
    expect(record?.event).toMatchObject({ type: 'audit-pruned', reason: 'retention', files: expired.length, firstSeq: 1 });
    const after = await chain();
    expect(after).toEqual(filesBefore.filter((path) => !expired.includes(path)));
    const verified = await verifyAuditFiles(after);
    expect(verified).toMatchObject({ ok: true, value: { start: { kind: 'pruned', by: record } } });
    if (record?.event.type !== 'audit-pruned' || !verified.ok) throw new Error('unreachable');
    expect(verified.value.first?.seq).toBe((record.event.lastSeq ?? 0) + 1);
    expect(Date.parse(record.event.lastTime ?? '')).toBeLessThan(cutoff.getTime());
  });

  it('deletes nothing, and records nothing, when no rotated file is old enough', async () => {
    const log = await logOverDays(20);
    const before = await chain();
    expect(await log.prune(new Date('2024-01-01T00:00:00Z'))).toBeUndefined();
    await log.close();
    expect(await chain()).toEqual(before);
  });

  it('never deletes the live file, however old', async () => {
    const log = await logOverDays(2);
    expect(await chain()).toEqual([live()]);
    expect(await log.prune(new Date('2030-01-01T00:00:00Z'))).toBeUndefined();
    await log.close();
    expect(await chain()).toEqual([live()]);
  });

  it('stops at a rotated file it cannot read the age of, and deletes nothing newer', async () => {
    const log = await logOverDays(60);
    const files = await chain();
    await writeFile(files[1] ?? '', 'damaged\n');
    expect(await expiredAuditFiles(live(), new Date('2026-01-01T00:00:00Z'))).toEqual([files[0]]);
    await log.close();
  });

  it('is accepted by verification again after a second pruning deletes the record of the first', async () => {
    const time = fakeClock('2025-01-01T09:00:00.000Z');
    const log = await logOverDays(40, time);
    const first = await log.prune(new Date('2025-01-10T00:00:00Z'));
    for (let day = 0; day < 40; day++) {
      await log.append(SAMPLE_EVENTS[day % SAMPLE_EVENTS.length] as AuditEvent);
      time.advance(DAY);
    }
    const second = await log.prune(new Date('2025-02-15T00:00:00Z'));
    await log.close();
    expect(second).toBeDefined();
    const verified = await verifyAuditFiles(await chain());
    expect(verified).toMatchObject({ ok: true, value: { start: { kind: 'pruned', by: second } } });
    expect(verified.ok && verified.value.first?.seq).toBeGreaterThan(first?.seq ?? Infinity);
  });
});
