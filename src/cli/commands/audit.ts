/** `portcullis audit verify|tail`: check an audit log's hash chain; read its latest records and follow new ones. */

import { chainOrder } from '../../audit/audit-files';
import { checkRecordLine, describeLineProblem, recordOf } from '../../audit/audit-record';
import { formatLocalTime, formatRecordForPeople, printable } from '../../audit/audit-summary';
import { tailLines, watchForChanges, type ChangeWaiter } from '../../audit/tail-audit';
import { verifyAuditFiles, type ChainSummary } from '../../audit/verify-audit';
import { assertNever } from '../../util/assert-never';
import { UsageError, type CliIo, type Command } from '../command';
import { parseCommandLine } from '../parse-command-line';

export interface AuditCommandDeps {
  /** The time zone times are shown in (the computer's own when absent). */
  timeZone?: string;
  /** What wakes `tail --follow` when the file may have grown: tests script it. */
  watchChanges?: (path: string) => ChangeWaiter;
}

function describeStart(summary: ChainSummary): string | undefined {
  const { start, first } = summary;
  switch (start.kind) {
    case 'empty':
    case 'genesis':
      return undefined;
    case 'pruned': {
      const { event, seq } = start.by;
      return `It starts after records seq ${event.firstSeq ?? '?'}..${event.lastSeq ?? '?'}, deleted for ${event.reason} as the record at seq ${seq} says.`;
    }
    case 'assumed':
      return `It starts at seq ${first?.seq ?? '?'}: the records before it are not here and no record says they were pruned (accepted with --from-pruned).`;
    default:
      return assertNever(start);
  }
}

function report(summary: ChainSummary, files: readonly string[], timeZone: string | undefined): string {
  const { first, last, records } = summary;
  if (first === undefined || last === undefined) return `OK: 0 records (${files.length === 1 ? 'the file is' : 'the files are'} empty)\n`;
  const lines = [`OK: ${records} record${records === 1 ? '' : 's'}, seq ${first.seq}..${last.seq}, chain intact`];
  if (files.length > 1) lines.push(`Files, oldest first: ${files.join(', ')}`);
  const start = describeStart(summary);
  if (start !== undefined) lines.push(start);
  lines.push(`Last record: seq ${last.seq} at ${formatLocalTime(last.time, timeZone)}, hash ${last.hash}`);
  lines.push("(The files cannot show that no records were cut off after it: compare with the console server's copy.)");
  return `${lines.join('\n')}\n`;
}

function verifyCommand(deps: AuditCommandDeps): Command {
  return {
    path: ['audit', 'verify'],
    summary: "Check an audit log's hash chain and name the first record edited, removed or reordered",
    usage: 'portcullis audit verify [--from-pruned] FILE [FILE...]   (rotated files too, in any order: audit.jsonl*)',
    async run(args, io) {
      const { values, positionals } = parseCommandLine({ args, options: { 'from-pruned': { type: 'boolean', default: false } }, allowPositionals: true });
      if (positionals.length === 0) throw new UsageError('expected at least one FILE');
      const files = chainOrder(positionals);
      const verified = await verifyAuditFiles(files, { fromPruned: values['from-pruned'] === true });
      if (verified.ok) {
        io.out(report(verified.value, files, deps.timeZone));
        return 0;
      }
      const problem = verified.error;
      io.err(`${printable(`${problem.file}: ${problem.message}`)}\n`);
      if (problem.kind === 'unexplained-start') io.err('Give the older files too, or --from-pruned if they were deleted.\n');
      return 1;
    },
  };
}

function parseCount(text: string | undefined): number {
  if (text === undefined) return 10;
  if (!/^\d+$/.test(text)) throw new UsageError(`-n expects a whole number, not "${text}"`);
  return Number(text);
}

/** Prints each line as a record; a line that is not a good record is named on stderr. Returns how many were not. */
async function printLines(lines: AsyncIterable<{ bytes: Buffer; number: number }>, file: string, json: boolean, io: CliIo, timeZone: string | undefined): Promise<number> {
  let problems = 0;
  for await (const line of lines) {
    const check = checkRecordLine(line.bytes);
    if (check.status !== 'ok') {
      problems += 1;
      io.err(`${printable(`${file}: ${describeLineProblem(line.number, check)}`)}\n`);
    }
    const record = recordOf(check);
    if (record) io.out(json ? `${line.bytes.toString('utf8')}\n` : `${formatRecordForPeople(record, timeZone)}\n`);
  }
  return problems;
}

function tailCommand(deps: AuditCommandDeps): Command {
  const watchChanges = deps.watchChanges ?? ((path: string) => watchForChanges(path));
  return {
    path: ['audit', 'tail'],
    summary: 'Show the latest audit records, one line each; --follow keeps showing new ones',
    usage: 'portcullis audit tail [-n N] [-f|--follow] [--json] FILE',
    async run(args, io) {
      const { values, positionals } = parseCommandLine({
        args,
        options: { n: { type: 'string', short: 'n' }, follow: { type: 'boolean', short: 'f', default: false }, json: { type: 'boolean', default: false } },
        allowPositionals: true,
      });
      if (positionals.length !== 1) throw new UsageError('expected one FILE');
      const file = positionals[0] ?? '';
      const count = parseCount(values.n);
      let changes: ChangeWaiter | undefined;
      try {
        if (values.follow === true) changes = watchChanges(file);
        const problems = await printLines(tailLines(file, count, changes), file, values.json === true, io, deps.timeZone);
        return problems > 0 ? 1 : 0;
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === undefined) throw error;
        io.err(`${file}: cannot read (${code === 'ENOENT' ? 'no such file' : code})\n`);
        return 1;
      } finally {
        changes?.close();
      }
    },
  };
}

export function createAuditCommands(deps: AuditCommandDeps = {}): Command[] {
  return [verifyCommand(deps), tailCommand(deps)];
}

export const auditCommands: readonly Command[] = createAuditCommands();
