/** `portcullis report idle`: idle locks, logoffs and warnings per machine and day, from an audit log, as a table, JSON or CSV. */

import { agentConfigSchema } from '../../agent/agent-config';
import { formatDuration, printable } from '../../audit/audit-summary';
import { idleReportFromLog, isCalendarDay, type IdleReportRow, type SkippedLine } from '../../audit/idle-report';
import { assertNever } from '../../util/assert-never';
import { textTable } from '../../util/text-table';
import { fail, UsageError, type Command } from '../command';
import { parseCommandLine } from '../parse-command-line';

export interface ReportCommandDeps {
  /** The time zone whose days the rows are (the computer's own when absent). */
  timeZone?: string;
  /** The log read without --audit-log: the agent's own (agentConfigSchema's default). */
  auditLog?: string;
}

/** The agent's audit log when its config does not name another. */
export const DEFAULT_AUDIT_LOG: string = agentConfigSchema.shape.auditLog.parse(undefined);

const FORMATS = ['table', 'json', 'csv'] as const;
type Format = (typeof FORMATS)[number];

/** Skipped lines named one by one, up to this many; the rest are counted. */
const SKIPPED_SHOWN = 20;

const HEADERS = ['Machine', 'Day', 'Idle locks', 'Logoffs', 'Warnings dismissed', 'Presenting', 'Failed', 'Idle before lock (median)', 'Idle before lock (longest)'];

function parseFormat(text: string | undefined): Format {
  const format = FORMATS.find((f) => f === (text ?? 'table'));
  if (!format) throw new UsageError(`--format must be one of ${FORMATS.join(', ')}, not "${text}"`);
  return format;
}

function parseDay(flag: string, text: string | undefined): string | undefined {
  if (text === undefined || isCalendarDay(text)) return text;
  throw new UsageError(`${flag} expects a date as YYYY-MM-DD, not "${text}"`);
}

function counts(row: IdleReportRow): number[] {
  return [row.idleLocks, row.logoffs, row.warningsDismissed, row.presenting, row.failed];
}

function formatTable(rows: readonly IdleReportRow[]): string {
  const duration = (ms: number | null): string => (ms === null ? '-' : formatDuration(ms));
  const cells = rows.map((row) => [printable(row.machine), row.day, ...counts(row).map(String), duration(row.idleBeforeLockMedianMs), duration(row.idleBeforeLockLongestMs)]);
  return textTable(HEADERS, cells, ['left', 'left', 'right', 'right', 'right', 'right', 'right', 'right', 'right']);
}

/** One CSV field, quoted as RFC 4180 says when it holds a comma, a quote or a line break. */
export function csvField(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** RFC 4180: a header row, then one row per line, each ended by CRLF; durations in milliseconds, empty when there was no lock. */
function formatCsv(rows: readonly IdleReportRow[]): string {
  const headers = [...HEADERS.slice(0, -2), 'Idle before lock (median, ms)', 'Idle before lock (longest, ms)'];
  const ms = (value: number | null): string => (value === null ? '' : String(value));
  const lines = [headers, ...rows.map((row) => [row.machine, row.day, ...counts(row).map(String), ms(row.idleBeforeLockMedianMs), ms(row.idleBeforeLockLongestMs)])];
  return lines.map((fields) => `${fields.map(csvField).join(',')}\r\n`).join('');
}

function formatRows(format: Format, rows: readonly IdleReportRow[], nothing: string): string {
  switch (format) {
    case 'table':
      return rows.length === 0 ? `${nothing}\n` : formatTable(rows);
    case 'json':
      return `${JSON.stringify(rows, null, 2)}\n`;
    case 'csv':
      return formatCsv(rows);
    default:
      return assertNever(format);
  }
}

function describeSkipped(skipped: readonly SkippedLine[]): string {
  const count = skipped.length;
  const lines = [`Left out ${count} line${count === 1 ? '' : 's'} that ${count === 1 ? 'is' : 'are'} not a record whose hash checks (not counted; run 'portcullis audit verify' on the files):`];
  for (const line of skipped.slice(0, SKIPPED_SHOWN)) lines.push(`  ${printable(`${line.file}: ${line.reason}`)}`);
  if (count > SKIPPED_SHOWN) lines.push(`  ... and ${count - SKIPPED_SHOWN} more`);
  return `${lines.join('\n')}\n`;
}

function range(since: string | undefined, until: string | undefined): string {
  if (since !== undefined && until !== undefined) return ` from ${since} to ${until}`;
  return since !== undefined ? ` since ${since}` : until !== undefined ? ` until ${until}` : '';
}

function idleCommand(deps: ReportCommandDeps): Command {
  const defaultLog = deps.auditLog ?? DEFAULT_AUDIT_LOG;
  return {
    path: ['report', 'idle'],
    summary: 'Idle locks, logoffs, dismissed warnings and presenting mode per machine and day, from the audit log (exit 1 if lines were left out)',
    usage: `portcullis report idle [--since YYYY-MM-DD] [--until YYYY-MM-DD] [--audit-log FILE (default ${defaultLog})] [--format table|json|csv]`,
    async run(args, io) {
      const { values } = parseCommandLine({
        args,
        options: { since: { type: 'string' }, until: { type: 'string' }, 'audit-log': { type: 'string' }, format: { type: 'string' } },
      });
      const format = parseFormat(values.format);
      const since = parseDay('--since', values.since);
      const until = parseDay('--until', values.until);
      if (since !== undefined && until !== undefined && until < since) throw new UsageError(`--until ${until} is before --since ${since}`);
      const file = values['audit-log'] ?? defaultLog;
      const report = await idleReportFromLog(file, { timeZone: deps.timeZone, since, until });
      if (!report.ok) return fail(io, printable(report.error));
      io.out(formatRows(format, report.value.rows, `No idle locking recorded in ${printable(file)}${range(since, until)}.`));
      if (report.value.skipped.length === 0) return 0;
      io.err(describeSkipped(report.value.skipped));
      return 1;
    },
  };
}

export function createReportCommands(deps: ReportCommandDeps = {}): Command[] {
  return [idleCommand(deps)];
}

export const reportCommands: readonly Command[] = createReportCommands();
