/** The agent's append-only, hash-chained audit log: durable appends in order, crash repair, rotation that keeps the chain, pruning that says so. */

import { fsyncSync, writeSync } from 'node:fs';
import { mkdir, open, rename, rm, stat, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { fieldPath, plainIssueMessages } from '../policy/zod-issues';
import { writeFileAtomic } from '../util/atomic-write';
import type { AuditEvent } from './audit-event';
import { listRotatedFiles, rotatedPath } from './audit-files';
import { readFileTail } from './audit-lines';
import { checkRecordLine, GENESIS_PREV, lineProblemWords, sealRecord, unsealedRecordSchema, type AuditRecord } from './audit-record';
import { expiredAuditFiles, prunedEvent } from './audit-retention';

/** Readable by the owner (root) and its group (adm), as other system logs; never by everyone. */
export const AUDIT_FILE_MODE = 0o640;

export interface AuditLogOptions {
  /** This PC's name, in every record. */
  machine: string;
  clock: () => Date;
  /** Rotate before a record would take the live file past this many bytes (default DEFAULT_MAX_BYTES, 10 MiB). */
  maxBytes?: number;
  /** How many rotated files to keep (default DEFAULT_KEEP, 10); rotation deletes older ones and records that it did. */
  keep?: number;
}

/** The last record of the chain so far: what the next record follows. */
interface ChainEnd {
  seq: number;
  hash: string;
}

export const DEFAULT_MAX_BYTES = 10 * 1024 * 1024;
export const DEFAULT_KEEP = 10;

const GENESIS: ChainEnd = { seq: 0, hash: GENESIS_PREV };

interface Draft {
  record: AuditRecord;
  bytes: Buffer;
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return false;
      throw error;
    },
  );
}

/** The chain end a file's last whole line gives; a damaged last record is an error, never silently skipped. */
function chainEndOf(path: string, line: Buffer): ChainEnd {
  const check = checkRecordLine(line);
  if (check.status === 'ok') return { seq: check.record.seq, hash: check.record.hash };
  throw new Error(`${path}: the log cannot continue its chain: the last record ${lineProblemWords(check)} (run 'portcullis audit verify ${path}')`);
}

/** Where the chain ends when the live file is empty: the newest rotated file's last record, or nothing yet. */
async function previousFileEnd(livePath: string): Promise<ChainEnd> {
  const newest = (await listRotatedFiles(livePath)).at(-1);
  if (newest === undefined) return GENESIS;
  const handle = await open(newest.path, 'r');
  try {
    const tail = await readFileTail(handle);
    if (tail.wholeEnd < tail.size) throw new Error(`${newest.path}: the file ends in the middle of a record (run 'portcullis audit verify')`);
    return tail.lastLine === undefined ? GENESIS : chainEndOf(newest.path, tail.lastLine);
  } finally {
    await handle.close();
  }
}

/** The size limits, defaulted and checked. */
function limitsOf({ keep = DEFAULT_KEEP, maxBytes = DEFAULT_MAX_BYTES }: AuditLogOptions): { keep: number; maxBytes: number } {
  if (!Number.isSafeInteger(keep) || keep < 1) throw new RangeError(`keep must be a whole number of 1 or more, not ${keep}`);
  if (!(maxBytes > 0)) throw new RangeError(`maxBytes must be more than 0, not ${maxBytes}`);
  return { keep, maxBytes };
}

export class AuditLog {
  private queue: Promise<unknown> = Promise.resolve();
  /** Set when the file can no longer be trusted to be whole lines (a failed write could not be undone), or on close. */
  private failure: Error | undefined;
  private closed = false;

  private constructor(
    readonly path: string,
    private readonly options: AuditLogOptions,
    private readonly limits: { keep: number; maxBytes: number },
    private handle: FileHandle,
    private size: number,
    private end: ChainEnd,
  ) {}

  /**
   * Opens (or creates) the log and continues its chain. A record cut off mid-write is removed,
   * and the first new record says so (`audit-repaired`). A last record that does not verify is
   * an error: the log does not continue a chain it cannot vouch for.
   */
  static async open(path: string, options: AuditLogOptions): Promise<AuditLog> {
    const limits = limitsOf(options);
    await mkdir(dirname(path), { recursive: true, mode: 0o750 });
    if (!(await exists(path))) await writeFileAtomic(path, '', AUDIT_FILE_MODE);
    const handle = await open(path, 'a+');
    try {
      await handle.chmod(AUDIT_FILE_MODE);
      const tail = await readFileTail(handle);
      const end = tail.lastLine === undefined ? await previousFileEnd(path) : chainEndOf(path, tail.lastLine);
      const log = new AuditLog(path, options, limits, handle, tail.wholeEnd, end);
      if (tail.wholeEnd < tail.size) {
        await handle.truncate(tail.wholeEnd);
        await handle.sync();
        const lost = { type: 'audit-repaired', lostBytes: tail.size - tail.wholeEnd } as const;
        await log.append(end.seq === 0 ? lost : { ...lost, afterSeq: end.seq });
      }
      return log;
    } catch (error) {
      await handle.close();
      throw error;
    }
  }

  /**
   * Appends one record and resolves only when it is on disk (written and fsynced), so the
   * caller may act on it. Appends run one at a time in call order; a failed append leaves the
   * chain as it was.
   */
  append(event: AuditEvent, user?: string): Promise<AuditRecord> {
    return this.serially(() => this.record(event, user));
  }

  /**
   * Appends several records with one write and one fsync (the agent's hot path: a device's
   * arrival and its decision), with the same guarantees as `append`: all are on disk when this
   * resolves, or none is.
   */
  appendAll(events: readonly AuditEvent[], user?: string): Promise<AuditRecord[]> {
    return this.serially(async () => {
      const start = this.end;
      const drafts: Draft[] = [];
      try {
        for (const event of events) {
          const draft = this.draft(event, user);
          drafts.push(draft);
          this.end = { seq: draft.record.seq, hash: draft.record.hash };
        }
      } finally {
        this.end = start;
      }
      const bytes = Buffer.concat(drafts.map((d) => d.bytes));
      if (this.size > 0 && this.size + bytes.length > this.limits.maxBytes) {
        const records: AuditRecord[] = [];
        for (const event of events) records.push(await this.record(event, user));
        return records;
      }
      const last = drafts.at(-1);
      if (!last) return [];
      await this.commit({ record: last.record, bytes });
      return drafts.map((d) => d.record);
    });
  }

  /**
   * Deletes the rotated files whose last record is older than `olderThan` (oldest first; never
   * the live file), after recording an `audit-pruned` record that names the seq range deleted.
   * Resolves to that record, or undefined when nothing was old enough.
   */
  prune(olderThan: Date): Promise<AuditRecord | undefined> {
    return this.serially(async () => {
      const expired = await expiredAuditFiles(this.path, olderThan);
      return expired.length === 0 ? undefined : this.removeRecorded(expired, 'retention');
    });
  }

  /** Waits for pending appends, then closes the file; later appends are refused. */
  close(): Promise<void> {
    const closing = this.queue.then(async () => {
      if (this.closed) return;
      this.closed = true;
      this.failure = new Error(`${this.path}: the audit log is closed`);
      await this.handle.close();
    });
    this.queue = closing.catch(() => undefined);
    return closing;
  }

  private serially<T>(operation: () => Promise<T>): Promise<T> {
    const run = this.queue.then(() => {
      if (this.failure) throw this.failure;
      return operation();
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async record(event: AuditEvent, user: string | undefined): Promise<AuditRecord> {
    const draft = this.draft(event, user);
    if (this.size === 0 || this.size + draft.bytes.length <= this.limits.maxBytes) return this.commit(draft);
    await this.rotate();
    return this.commit(this.draft(event, user));
  }

  /** The next record, validated: an event with fields the schema does not know (a file name, say) is refused. */
  private draft(event: AuditEvent, user: string | undefined): Draft {
    const unsealed = {
      seq: this.end.seq + 1,
      time: this.options.clock().toISOString(),
      machine: this.options.machine,
      ...(user === undefined ? {} : { user }),
      event,
      prev: this.end.hash,
    };
    const checked = unsealedRecordSchema.safeParse(unsealed, { error: plainIssueMessages });
    if (!checked.success) {
      const issue = checked.error.issues[0];
      throw new Error(`not a valid audit record: ${issue ? `${fieldPath(issue.path)}: ${issue.message}` : 'rejected'}`);
    }
    const { record, line } = sealRecord(checked.data);
    return { record, bytes: Buffer.from(`${line}\n`) };
  }

  private async commit(draft: Draft): Promise<AuditRecord> {
    try {
      // Synchronous on purpose: the device waits on this record before it is enforced, and the
      // write and fsync as two thread-pool round trips took longer than the work itself (bench/vm).
      for (let written = 0; written < draft.bytes.length; ) written += writeSync(this.handle.fd, draft.bytes, written);
      fsyncSync(this.handle.fd);
    } catch (error) {
      await this.undoPartialWrite(error as Error);
      throw error;
    }
    this.size += draft.bytes.length;
    this.end = { seq: draft.record.seq, hash: draft.record.hash };
    return draft.record;
  }

  /** Cuts off whatever part of a failed write reached the file; if even that fails, the log stops taking records. */
  private async undoPartialWrite(cause: Error): Promise<void> {
    try {
      await this.handle.truncate(this.size);
      await this.handle.sync();
    } catch {
      this.failure = new Error(`${this.path}: the audit log stopped after a failed write (${cause.message}); reopen it to repair it`);
    }
  }

  /**
   * The live file becomes `.1` (older ones move up one; those beyond `keep` are deleted, and
   * recorded); the next record, first in a new live file, chains to the last of `.1`.
   */
  private async rotate(): Promise<void> {
    try {
      const rotated = await listRotatedFiles(this.path);
      const dropped = rotated.filter((file) => file.number >= this.limits.keep).map((file) => file.path);
      if (dropped.length > 0) await this.removeRecorded(dropped, 'rotation');
      for (const file of rotated.filter((f) => f.number < this.limits.keep)) await rename(file.path, rotatedPath(this.path, file.number + 1));
      await this.handle.close();
      await rename(this.path, rotatedPath(this.path, 1));
      // Creating the new file this way also makes the renames above durable (the directory is fsynced).
      await writeFileAtomic(this.path, '', AUDIT_FILE_MODE);
      this.handle = await open(this.path, 'a+');
      this.size = 0;
    } catch (error) {
      this.failure = new Error(`${this.path}: the audit log stopped: rotation failed (${(error as Error).message}); reopen it`);
      throw error;
    }
  }

  /** Records first which records are going (durably), then deletes the files: a crash in between deletes nothing unrecorded. */
  private async removeRecorded(paths: readonly string[], reason: 'retention' | 'rotation'): Promise<AuditRecord> {
    const record = await this.commit(this.draft(await prunedEvent(paths, reason), undefined));
    for (const path of paths) await rm(path, { force: true });
    return record;
  }
}
