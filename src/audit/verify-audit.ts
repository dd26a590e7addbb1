/** Verifies a set of audit files in chain order and names the first record that was edited, removed or reordered. */

import type { Result } from '../policy/policy-document';
import { readFileLines, type FileLine } from './audit-lines';
import type { AuditEvent } from './audit-event';
import { checkRecordLine, describeLineProblem, GENESIS_PREV, lineLabel, recordOf, type AuditRecord } from './audit-record';

/** A record saying which records were deleted, and so where a chain that starts after them may start. */
export type PrunedRecord = AuditRecord & { event: Extract<AuditEvent, { type: 'audit-pruned' }> };

export interface VerifyOptions {
  /** Accept a first record that chains to records not given, without a record of their pruning (`--from-pruned`). */
  fromPruned?: boolean;
}

/** How the verified chain begins. */
export type ChainStart =
  | { kind: 'empty' }
  /** At seq 1, whose `prev` is the genesis value. */
  | { kind: 'genesis' }
  /** After records deleted for retention or by rotation, as the `audit-pruned` record (verified in the same chain) says. */
  | { kind: 'pruned'; by: PrunedRecord }
  /** After records that are not here and not recorded as pruned, accepted because `fromPruned` was given. */
  | { kind: 'assumed' };

export interface ChainSummary {
  files: number;
  records: number;
  start: ChainStart;
  first?: AuditRecord;
  last?: AuditRecord;
}

export type ChainProblemKind = 'unreadable-file' | 'cut-off' | 'not-a-record' | 'edited' | 'missing-or-reordered' | 'broken-link' | 'unexplained-start';

export interface ChainProblem {
  kind: ChainProblemKind;
  file: string;
  /** 1-based line in `file`; absent when the file itself cannot be read. */
  line?: number;
  seq?: number;
  /** Plain words, starting with the line: `line 17 (seq 16) was edited: its hash does not match its contents`. */
  message: string;
}

interface Located {
  record: AuditRecord;
  file: string;
  line: number;
}

/** Whether `record` is an `audit-pruned` record that names exactly the record `start` follows. */
function explains(record: AuditRecord, start: AuditRecord): record is PrunedRecord {
  const { event } = record;
  return event.type === 'audit-pruned' && event.lastSeq === start.seq - 1 && event.lastHash === start.prev;
}

/** Reads the chain record by record, keeping the first problem; see verifyAuditFiles. */
class ChainVerifier {
  records = 0;
  first: Located | undefined;
  previous: Located | undefined;
  /** A first record that does not start at genesis, until something explains it. */
  unexplainedStart: Located | undefined;
  prunedBy: PrunedRecord | undefined;
  problem: ChainProblem | undefined;

  constructor(private readonly fromPruned: boolean) {}

  /** False once there is nothing more to learn from the rest of the files. */
  get wantsMore(): boolean {
    return this.problem === undefined || this.unexplainedStart !== undefined;
  }

  visit(file: string, line: FileLine): void {
    if (this.problem !== undefined) {
      // Past a problem, records are read only to find out whether the chain's start was pruned.
      const record = recordOf(checkRecordLine(line.bytes));
      if (record && this.unexplainedStart && explains(record, this.unexplainedStart.record)) this.unexplainedStart = undefined;
      return;
    }
    if (!line.terminated) {
      this.problem = { kind: 'cut-off', file, line: line.number, message: `line ${line.number} is cut off: the file ends in the middle of a record (a write was interrupted)` };
      return;
    }
    const check = checkRecordLine(line.bytes);
    if (check.status !== 'ok') {
      const seq = recordOf(check)?.seq ?? (check.status === 'not-record' ? check.seq : undefined);
      const kind = check.status === 'edited' ? 'edited' : 'not-a-record';
      this.problem = { kind, file, line: line.number, ...(seq === undefined ? {} : { seq }), message: describeLineProblem(line.number, check) };
      return;
    }
    const here: Located = { record: check.record, file, line: line.number };
    this.problem = this.previous === undefined ? this.checkStart(here) : this.checkLink(this.previous, here);
    if (this.unexplainedStart && explains(here.record, this.unexplainedStart.record)) {
      this.unexplainedStart = undefined;
      this.prunedBy = here.record;
    }
    this.records += 1;
    this.first ??= here;
    this.previous = here;
  }

  private checkStart(here: Located): ChainProblem | undefined {
    const { record } = here;
    if (record.prev !== GENESIS_PREV) {
      if (!this.fromPruned) this.unexplainedStart = here;
      return undefined;
    }
    if (record.seq === 1) return undefined;
    return problemAt(here, 'missing-or-reordered', `${lineLabel(here.line, record.seq)} begins a chain, so it should be seq 1: records before it are missing`);
  }

  private checkLink(previous: Located, here: Located): ChainProblem | undefined {
    const { record } = here;
    const crossing = previous.file === here.file ? '' : ` (seq ${previous.record.seq} is the last record of ${previous.file})`;
    if (record.prev === GENESIS_PREV) {
      return problemAt(here, 'broken-link', `${lineLabel(here.line, record.seq)} begins a new chain after seq ${previous.record.seq}${crossing}: the log was restarted or files were mixed`);
    }
    if (record.seq > previous.record.seq + 1) {
      return problemAt(here, 'missing-or-reordered', `${lineLabel(here.line, record.seq)}: a record is missing or reordered between seq ${previous.record.seq} and seq ${record.seq}${crossing}`);
    }
    if (record.seq <= previous.record.seq) {
      return problemAt(here, 'missing-or-reordered', `${lineLabel(here.line, record.seq)} is out of order or repeated: it comes after seq ${previous.record.seq}${crossing}`);
    }
    if (record.prev === previous.record.hash) return undefined;
    if (crossing !== '') {
      return problemAt(here, 'broken-link', `${lineLabel(here.line, record.seq)} does not chain to the last record of ${previous.file} (seq ${previous.record.seq}): the files are not one log, or that record was replaced`);
    }
    // Both records hash correctly, so the earlier one was rewritten with a new hash after the later one was chained to it.
    return problemAt(previous, 'edited', `${lineLabel(previous.line, previous.record.seq)} was edited: the next record (line ${here.line}) was chained to a different version of it`);
  }
}

function problemAt(at: Located, kind: ChainProblemKind, message: string): ChainProblem {
  return { kind, file: at.file, line: at.line, seq: at.record.seq, message };
}

function unexplainedStartProblem(start: Located): ChainProblem {
  const { record } = start;
  const message = `${lineLabel(start.line, record.seq)} follows seq ${record.seq - 1}, which is not in the files given, and no record in them says it was pruned`;
  return problemAt(start, 'unexplained-start', message);
}

function summaryStart(verifier: ChainVerifier): ChainStart {
  if (verifier.first === undefined) return { kind: 'empty' };
  if (verifier.first.record.prev === GENESIS_PREV) return { kind: 'genesis' };
  return verifier.prunedBy ? { kind: 'pruned', by: verifier.prunedBy } : { kind: 'assumed' };
}

/**
 * Verifies audit files given oldest first (`audit.jsonl.2`, `audit.jsonl.1`, `audit.jsonl`) as
 * one chain: every line a record whose hash matches its bytes, seq rising by one, each `prev`
 * the hash of the record before, across files too. The answer is the first problem in chain
 * order. A chain may start after seq 1 only if an `audit-pruned` record in it names the record
 * it starts after, or with `fromPruned`. The end of the chain cannot be proved from the files
 * alone: compare the last record's seq and hash with the console server's copy.
 */
export async function verifyAuditFiles(paths: readonly string[], options: VerifyOptions = {}): Promise<Result<ChainSummary, ChainProblem>> {
  const verifier = new ChainVerifier(options.fromPruned === true);
  for (const file of paths) {
    if (!verifier.wantsMore) break;
    try {
      for await (const line of readFileLines(file)) {
        verifier.visit(file, line);
        if (!verifier.wantsMore) break;
      }
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
      verifier.problem ??= { kind: 'unreadable-file', file, message: `cannot read (${code === 'ENOENT' ? 'no such file' : code})` };
    }
  }
  if (verifier.unexplainedStart) return { ok: false, error: unexplainedStartProblem(verifier.unexplainedStart) };
  if (verifier.problem) return { ok: false, error: verifier.problem };
  const summary: ChainSummary = { files: paths.length, records: verifier.records, start: summaryStart(verifier) };
  if (verifier.first) summary.first = verifier.first.record;
  if (verifier.previous) summary.last = verifier.previous.record;
  return { ok: true, value: summary };
}
