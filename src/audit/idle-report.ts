/** Idle locking per machine and local day, from the audit records whose hash checks: the evidence for spot checks of unattended sessions. */

import { stat } from 'node:fs/promises';
import type { Result } from '../policy/policy-document';
import type { AuditEvent } from './audit-event';
import { listRotatedFiles } from './audit-files';
import { readFileLines } from './audit-lines';
import { checkRecordLine, describeLineProblem, type AuditRecord } from './audit-record';

export interface IdleReportOptions {
  /** The time zone whose calendar days the rows are (the computer's own when absent). */
  timeZone?: string;
  /** First local day counted, `YYYY-MM-DD`, inclusive. */
  since?: string;
  /** Last local day counted, `YYYY-MM-DD`, inclusive. */
  until?: string;
}

/** One machine's idle locking on one local day. Durations are milliseconds; null when there was no idle lock. */
export interface IdleReportRow {
  machine: string;
  /** `YYYY-MM-DD` in the report's time zone. */
  day: string;
  idleLocks: number;
  logoffs: number;
  warningsDismissed: number;
  /** Presenting-mode sessions started. */
  presenting: number;
  /** Idle locks or logoffs that failed. */
  failed: number;
  /** How long sessions stood idle and unlocked before their idle lock: the median and the longest. */
  idleBeforeLockMedianMs: number | null;
  idleBeforeLockLongestMs: number | null;
}

type IdleEventType = Extract<AuditEvent['type'], `idle-${string}` | `presenting-${string}`>;

/** Every idle-locking event type, and the count (if any) it adds to. */
const IDLE_EVENT_COUNTS: Record<IdleEventType, 'idleLocks' | 'logoffs' | 'warningsDismissed' | 'presenting' | 'failed' | undefined> = {
  'idle-warning': undefined,
  'idle-warning-dismissed': 'warningsDismissed',
  'idle-locked': 'idleLocks',
  'idle-logged-off': 'logoffs',
  'idle-action-failed': 'failed',
  'presenting-started': 'presenting',
  'presenting-ended': undefined,
  'presenting-refused': undefined,
  'idle-exemption-applied': undefined,
};

function isIdleEventType(type: AuditEvent['type']): type is IdleEventType {
  return Object.hasOwn(IDLE_EVENT_COUNTS, type);
}

/** `YYYY-MM-DD`: a real calendar day (not 2026-02-30). */
export function isCalendarDay(text: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return false;
  const date = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === text;
}

/** The local day of an instant, `YYYY-MM-DD` (en-CA formats dates that way). */
function dayFormatter(timeZone: string | undefined): (iso: string) => string {
  const format = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
  return (iso) => format.format(new Date(iso));
}

interface Tally {
  row: Omit<IdleReportRow, 'idleBeforeLockMedianMs' | 'idleBeforeLockLongestMs'>;
  idleMs: number[];
}

function median(sorted: readonly number[]): number | null {
  if (sorted.length === 0) return null;
  const middle = Math.floor(sorted.length / 2);
  const upper = sorted[middle] ?? 0;
  return sorted.length % 2 === 1 ? upper : Math.round(((sorted[middle - 1] ?? 0) + upper) / 2);
}

/**
 * Counts idle-locking records into rows, one record at a time (a year of logs need not fit in
 * memory). A record seen twice (files read while the agent rotated them) counts once.
 */
export class IdleTally {
  private readonly dayOf: (iso: string) => string;
  private readonly tallies = new Map<string, Tally>();
  private readonly seen = new Set<string>();

  constructor(private readonly options: IdleReportOptions = {}) {
    this.dayOf = dayFormatter(options.timeZone);
  }

  add(record: AuditRecord): void {
    const { event } = record;
    if (!isIdleEventType(event.type)) return;
    const day = this.dayOf(record.time);
    const { since, until } = this.options;
    if ((since !== undefined && day < since) || (until !== undefined && day > until) || this.seen.has(record.hash)) return;
    this.seen.add(record.hash);
    const key = JSON.stringify([record.machine, day]);
    let tally = this.tallies.get(key);
    if (tally === undefined) {
      tally = { row: { machine: record.machine, day, idleLocks: 0, logoffs: 0, warningsDismissed: 0, presenting: 0, failed: 0 }, idleMs: [] };
      this.tallies.set(key, tally);
    }
    const counted = IDLE_EVENT_COUNTS[event.type];
    if (counted !== undefined) tally.row[counted] += 1;
    if (event.type === 'idle-locked') tally.idleMs.push(event.idleMs);
  }

  /** The rows, by machine and then day. */
  rows(): IdleReportRow[] {
    return [...this.tallies.values()]
      .sort((a, b) => compare(a.row.machine, b.row.machine) || compare(a.row.day, b.row.day))
      .map(({ row, idleMs }) => {
        const sorted = [...idleMs].sort((a, b) => a - b);
        return { ...row, idleBeforeLockMedianMs: median(sorted), idleBeforeLockLongestMs: sorted.at(-1) ?? null };
      });
  }
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The report over records already read and checked. */
export function idleReport(records: Iterable<AuditRecord>, options: IdleReportOptions = {}): IdleReportRow[] {
  const tally = new IdleTally(options);
  for (const record of records) tally.add(record);
  return tally.rows();
}

/** A line left out of a report because it is not a record whose hash checks. */
export interface SkippedLine {
  file: string;
  /** 1-based; absent when the whole file could not be read. */
  line?: number;
  /** Plain words, starting with the line: `line 4 (seq 4) was edited: its hash does not match its contents`. */
  reason: string;
}

export interface CheckedLog {
  /** The files read, oldest first. */
  files: string[];
  /** Records whose hash checks, all of which were passed on. */
  records: number;
  skipped: SkippedLine[];
}

function cannotRead(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
  return `cannot read (${code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code})`;
}

/**
 * Reads a live log and its rotated files oldest first, passing each record whose hash checks
 * to `onRecord`; every other line is skipped and named. Only hashes are checked, not the chain
 * between records (`portcullis audit verify` does that). Fails, naming the file, only when the
 * live file cannot be read.
 */
export async function readCheckedRecords(livePath: string, onRecord: (record: AuditRecord) => void): Promise<Result<CheckedLog, string>> {
  let files: string[];
  try {
    await stat(livePath);
    files = [...(await listRotatedFiles(livePath)).map((file) => file.path), livePath];
  } catch (error) {
    return { ok: false, error: `${livePath}: ${cannotRead(error)}` };
  }
  const log: CheckedLog = { files, records: 0, skipped: [] };
  for (const file of files) {
    try {
      for await (const line of readFileLines(file)) {
        if (!line.terminated) {
          log.skipped.push({ file, line: line.number, reason: `line ${line.number} is cut off: the file ends in the middle of a record (being written, or a write was interrupted)` });
          continue;
        }
        const check = checkRecordLine(line.bytes);
        if (check.status === 'ok') {
          log.records += 1;
          onRecord(check.record);
        } else {
          log.skipped.push({ file, line: line.number, reason: describeLineProblem(line.number, check) });
        }
      }
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === undefined) throw error;
      log.skipped.push({ file, reason: cannotRead(error) });
    }
  }
  return { ok: true, value: log };
}

export interface IdleReport extends CheckedLog {
  rows: IdleReportRow[];
}

/** The idle report of a live log and its rotated files. */
export async function idleReportFromLog(livePath: string, options: IdleReportOptions = {}): Promise<Result<IdleReport, string>> {
  const tally = new IdleTally(options);
  const read = await readCheckedRecords(livePath, (record) => tally.add(record));
  return read.ok ? { ok: true, value: { ...read.value, rows: tally.rows() } } : read;
}
