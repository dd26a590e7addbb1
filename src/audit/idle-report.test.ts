import { appendFile, chmod, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { IDLE_EVENTS, SAMPLE_EVENTS, useTempDir, writeEvents, type TimedEvent } from '../../test/support/audit-fixtures';
import type { AuditEvent } from './audit-event';
import { GENESIS_PREV, sealRecord, type AuditRecord } from './audit-record';
import { idleReport, idleReportFromLog, isCalendarDay, readCheckedRecords } from './idle-report';

let seq = 0;
function record(time: string, event: AuditEvent, machine = 'ICT-07'): AuditRecord {
  seq += 1;
  return sealRecord({ seq, time, machine, event, prev: GENESIS_PREV }).record;
}

const locked = (idleMs: number): AuditEvent => ({ type: 'idle-locked', session: '3', idleMs, by: 'tray' });
const loggedOff: AuditEvent = { type: 'idle-logged-off', session: '3', lockedForMs: 1_800_000, by: 'service' };
const dismissed: AuditEvent = { type: 'idle-warning-dismissed', action: 'lock', session: '3', by: 'input' };
const presenting: AuditEvent = { type: 'presenting-started', session: '3', until: '2026-11-28T11:00:00Z' };
const failed: AuditEvent = { type: 'idle-action-failed', action: 'lock', session: '3', error: 'no session bus' };

const row = (machine: string, day: string, counts: Partial<Record<string, number | null>> = {}): Record<string, unknown> => ({
  machine,
  day,
  idleLocks: 0,
  logoffs: 0,
  warningsDismissed: 0,
  presenting: 0,
  failed: 0,
  idleBeforeLockMedianMs: null,
  idleBeforeLockLongestMs: null,
  ...counts,
});

describe('idleReport', () => {
  it('counts each kind of idle record per machine and day, with the median and longest idle time before a lock', () => {
    const records = [
      record('2026-11-28T09:00:00Z', locked(300_000)),
      record('2026-11-28T10:00:00Z', locked(900_000)),
      record('2026-11-28T11:00:00Z', locked(360_000)),
      record('2026-11-28T11:05:00Z', loggedOff),
      record('2026-11-28T12:00:00Z', dismissed),
      record('2026-11-28T12:01:00Z', dismissed),
      record('2026-11-28T13:00:00Z', presenting),
      record('2026-11-28T14:00:00Z', failed),
      record('2026-11-29T09:00:00Z', locked(301_000)),
      record('2026-11-29T09:30:00Z', locked(600_000)),
      record('2026-11-28T09:00:00Z', locked(420_000), 'Staff Room 2'),
    ];
    expect(idleReport(records, { timeZone: 'Europe/London' })).toEqual([
      row('ICT-07', '2026-11-28', { idleLocks: 3, logoffs: 1, warningsDismissed: 2, presenting: 1, failed: 1, idleBeforeLockMedianMs: 360_000, idleBeforeLockLongestMs: 900_000 }),
      row('ICT-07', '2026-11-29', { idleLocks: 2, idleBeforeLockMedianMs: 450_500, idleBeforeLockLongestMs: 600_000 }),
      row('Staff Room 2', '2026-11-28', { idleLocks: 1, idleBeforeLockMedianMs: 420_000, idleBeforeLockLongestMs: 420_000 }),
    ]);
  });

  it('ignores records that are not about idle locking, and shows a day with only uncounted idle records as zeros', () => {
    const records = [...SAMPLE_EVENTS.map((event) => record('2026-11-28T09:00:00Z', event)), record('2026-11-30T09:00:00Z', IDLE_EVENTS[0] as AuditEvent)];
    expect(idleReport(records, { timeZone: 'UTC' })).toEqual([row('ICT-07', '2026-11-30')]);
  });

  it("puts each record on the PC's local day, British Summer Time included", () => {
    const lateEvening = [record('2026-07-01T23:30:00Z', locked(1000)), record('2026-11-28T23:30:00Z', locked(2000))];
    expect(idleReport(lateEvening, { timeZone: 'Europe/London' }).map((r) => r.day)).toEqual(['2026-07-02', '2026-11-28']);
    expect(idleReport(lateEvening, { timeZone: 'UTC' }).map((r) => r.day)).toEqual(['2026-07-01', '2026-11-28']);
  });

  it('counts only the local days from --since to --until, both included', () => {
    const records = ['2026-11-26', '2026-11-27', '2026-11-28', '2026-11-29'].map((day) => record(`${day}T00:30:00Z`, locked(1000)));
    const days = (options: { since?: string; until?: string }): string[] => idleReport(records, { timeZone: 'Europe/London', ...options }).map((r) => r.day);
    expect(days({ since: '2026-11-27' })).toEqual(['2026-11-27', '2026-11-28', '2026-11-29']);
    expect(days({ until: '2026-11-27' })).toEqual(['2026-11-26', '2026-11-27']);
    expect(days({ since: '2026-11-27', until: '2026-11-28' })).toEqual(['2026-11-27', '2026-11-28']);
    expect(days({ since: '2026-12-01' })).toEqual([]);
  });

  it('counts a record read twice (files listed while the agent rotated them) once', () => {
    const once = record('2026-11-28T09:00:00Z', locked(1000));
    expect(idleReport([once, once, record('2026-11-28T09:10:00Z', locked(3000))], { timeZone: 'UTC' })).toEqual([
      row('ICT-07', '2026-11-28', { idleLocks: 2, idleBeforeLockMedianMs: 2000, idleBeforeLockLongestMs: 3000 }),
    ]);
  });
});

describe('isCalendarDay', () => {
  it.each([
    ['2026-11-28', true],
    ['2028-02-29', true],
    ['2026-02-29', false],
    ['2026-13-01', false],
    ['2026-11-28T00:00:00Z', false],
    ['28/11/2026', false],
    ['2026-1-5', false],
    ['', false],
  ])('%j is %s', (text, expected) => {
    expect(isCalendarDay(text)).toBe(expected);
  });
});

describe('reading a log for the report', () => {
  const dir = useTempDir('idle-report-');
  const live = (): string => join(dir.path, 'audit.jsonl');

  /** A week of school days on ICT-07, ten idle records a day, enough to rotate the log several times. */
  function week(): TimedEvent[] {
    const entries: TimedEvent[] = [];
    for (const day of ['23', '24', '25', '26', '27']) {
      for (let i = 0; i < 10; i++) entries.push({ time: `2026-11-${day}T${String(9 + i).padStart(2, '0')}:00:00Z`, event: i % 2 === 0 ? locked(300_000 + i * 1000) : dismissed, user: 'jsmith' });
    }
    return entries;
  }

  it('reads the rotated files oldest first and then the live file, counting every record', async () => {
    const written = await writeEvents(live(), week(), { maxBytes: 2000 });
    const seen: number[] = [];
    const read = await readCheckedRecords(live(), (r) => seen.push(r.seq));
    expect(read.ok).toBe(true);
    if (!read.ok) return;
    expect(read.value.files.length).toBeGreaterThan(3);
    expect(read.value.files.at(-1)).toBe(live());
    expect(read.value).toMatchObject({ records: written.length, skipped: [] });
    expect(seen).toEqual(written.map((r) => r.seq));
  });

  it('leaves out and names an edited line and a record cut off mid-write, counting the rest', async () => {
    await writeEvents(live(), week(), { maxBytes: 2000 });
    const rotated = join(dir.path, 'audit.jsonl.1');
    const lines = (await readFile(rotated, 'utf8')).split('\n');
    const edited = lines.findIndex((line) => line.includes('"idle-locked"'));
    lines[edited] = (lines[edited] ?? '').replace(/"idleMs":\d+/, '"idleMs":1');
    await writeFile(rotated, lines.join('\n'));
    await appendFile(live(), '{"seq":99,"time":"2026-11-27T');
    const report = await idleReportFromLog(live(), { timeZone: 'UTC' });
    expect(report.ok).toBe(true);
    if (!report.ok) return;
    const liveLines = (await readFile(live(), 'utf8')).split('\n').length;
    expect(report.value.skipped).toEqual([
      { file: rotated, line: edited + 1, reason: expect.stringMatching(new RegExp(`^line ${edited + 1} \\(seq \\d+\\) was edited: its hash does not match its contents$`)) },
      { file: live(), line: liveLines, reason: `line ${liveLines} is cut off: the file ends in the middle of a record (being written, or a write was interrupted)` },
    ]);
    expect(report.value.records).toBe(49);
    expect(report.value.rows.reduce((sum, r) => sum + r.idleLocks, 0)).toBe(24);
    expect(report.value.rows.every((r) => (r.idleBeforeLockMedianMs ?? 0) >= 300_000)).toBe(true);
  });

  it('names the live file when it is missing, and a rotated file it cannot read', async () => {
    const missing = join(dir.path, 'nope.jsonl');
    expect(await readCheckedRecords(missing, () => undefined)).toEqual({ ok: false, error: `${missing}: cannot read (no such file)` });
    await writeEvents(live(), week().slice(0, 3));
    await writeFile(`${live()}.1`, '');
    await chmod(`${live()}.1`, 0o000);
    const read = await readCheckedRecords(live(), () => undefined);
    const unreadable = process.getuid?.() === 0 ? [] : [{ file: `${live()}.1`, reason: 'cannot read (permission denied)' }];
    expect(read).toEqual({ ok: true, value: { files: [`${live()}.1`, live()], records: 3, skipped: unreadable } });
  });
});
