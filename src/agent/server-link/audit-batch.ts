/** Reads the agent's audit lines after a given seq, in chain order across the rotated files and the live one, exactly as they are on disk. */
import { open } from 'node:fs/promises';
import { listRotatedFiles } from '../../audit/audit-files';
import { LineSplitter, readFileTail } from '../../audit/audit-lines';

/** Where the last read of the live file stopped, so the next one need not read it from the start. */
export interface AuditCursor {
  /** The live file's inode: after a rotation it is another file, and the cursor no longer applies. */
  ino: number;
  /** Just after the last whole line read. */
  offset: number;
  /** The highest seq at or before `offset`. */
  seq: number;
}

export interface AuditBatch {
  /** The records' lines, without their newlines, seqs ascending. */
  lines: string[];
  /** The seq of each line. */
  seqs: number[];
  /** Whether more lines may follow the batch. */
  more: boolean;
  /** The first line does not follow `afterSeq` (records missing before it). */
  gapBefore: boolean;
  cursor?: AuditCursor;
}

/** The seq of a record line (`{"seq":12,...`, as the log writes them), or undefined for a line that is not one. */
export function seqOf(line: string): number | undefined {
  const fast = /^\{"seq":(\d{1,15}),/.exec(line);
  if (fast?.[1] !== undefined) return Number(fast[1]);
  try {
    const seq = (JSON.parse(line) as { seq?: unknown }).seq;
    return typeof seq === 'number' && Number.isSafeInteger(seq) && seq > 0 ? seq : undefined;
  } catch {
    return undefined;
  }
}

interface Line {
  text: string;
  /** The byte offset just after its newline. */
  end: number;
}

/** The whole lines of an open file from `start`; a last line with no newline (being written) is left out. */
async function* wholeLines(handle: Awaited<ReturnType<typeof open>>, start: number): AsyncGenerator<Line> {
  const splitter = new LineSplitter();
  let end = start;
  for await (const chunk of handle.createReadStream({ start, autoClose: false, highWaterMark: 64 * 1024 })) {
    for (const bytes of splitter.push(chunk as Buffer)) {
      end += bytes.length + 1;
      yield { text: bytes.toString('utf8'), end };
    }
  }
}

export interface BatchLimits {
  /** Lines per batch at most. */
  lines: number;
  /** Characters per batch at most (a single longer line still goes, alone). */
  bytes: number;
}

/** One file's contribution to the batch; returns false when the batch is complete (full, or a gap after its first line). */
type Take = (text: string, seq: number) => boolean;

/**
 * Up to `max` lines after `afterSeq`. Rotated files whose last record is already shipped are
 * skipped by their tail; the live file is read from `cursor` when it is still the same file.
 * After the first line, a seq that does not follow on ends the batch: the next batch starts at
 * the gap. A gap before the first line is looked at twice (a rotation that renamed the files
 * while they were read looks like one); if it is still there it is real (records pruned before
 * they were shipped), and the lines after it are sent: the server checks the chain and records the break.
 */
export async function readAuditAfter(livePath: string, afterSeq: number, limits: BatchLimits, cursor?: AuditCursor): Promise<AuditBatch> {
  const batch = await scanOnce(livePath, afterSeq, limits, cursor);
  return batch.gapBefore ? scanOnce(livePath, afterSeq, limits, cursor) : batch;
}

async function scanOnce(livePath: string, afterSeq: number, limits: BatchLimits, cursor: AuditCursor | undefined): Promise<AuditBatch> {
  const batch: AuditBatch = { lines: [], seqs: [], more: false, gapBefore: false, ...(cursor === undefined ? {} : { cursor }) };
  let previous = afterSeq;
  let bytes = 0;
  const take: Take = (text, seq) => {
    const full = batch.lines.length === limits.lines || (batch.lines.length > 0 && bytes + text.length > limits.bytes);
    if (full || (seq !== previous + 1 && batch.lines.length > 0)) return false;
    bytes += text.length;
    if (seq !== previous + 1) batch.gapBefore = true;
    batch.lines.push(text);
    batch.seqs.push(seq);
    previous = seq;
    return true;
  };
  const rotated = (await listRotatedFiles(livePath)).map((f) => f.path);
  for (const path of [...rotated, livePath]) {
    const live = path === livePath;
    let handle;
    try {
      handle = await open(path, 'r');
    } catch (error) {
      // Rotation renamed, or retention deleted, the file after it was listed: what was read so far is still in order.
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { ...batch, more: true };
      throw error;
    }
    try {
      const { ino, size } = await handle.stat();
      if (!live) {
        const tail = await readFileTail(handle);
        const lastSeq = tail.lastLine === undefined ? undefined : seqOf(tail.lastLine.toString('utf8'));
        if (lastSeq !== undefined && lastSeq <= previous) continue;
      }
      const from = live && cursor !== undefined && cursor.ino === ino && cursor.offset <= size && cursor.seq <= previous ? cursor : undefined;
      let seen = from?.seq ?? 0;
      for await (const line of wholeLines(handle, from?.offset ?? 0)) {
        const seq = seqOf(line.text);
        if (seq !== undefined && seq > previous && !take(line.text, seq)) return { ...batch, more: true };
        if (live) {
          seen = Math.max(seen, seq ?? 0);
          batch.cursor = { ino, offset: line.end, seq: seen };
        }
      }
    } finally {
      await handle.close();
    }
  }
  return batch;
}
