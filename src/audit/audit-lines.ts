/** Audit files as lines of bytes, split on `\n` only (never `\r`), so line numbers and hashes match the bytes on disk. */

import { createReadStream } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';

const NEWLINE = 0x0a;
const CHUNK = 64 * 1024;

export interface FileLine {
  /** The line's bytes without its newline. */
  bytes: Buffer;
  /** 1-based line number in its file. */
  number: number;
  /** False for a last line that has no newline: a record cut off mid-write, or one still being written. */
  terminated: boolean;
}

/** Splits a stream of chunks into whole lines, holding back the bytes after the last newline. */
export class LineSplitter {
  private pending: Buffer[] = [];

  push(chunk: Buffer): Buffer[] {
    const lines: Buffer[] = [];
    let start = 0;
    for (let newline = chunk.indexOf(NEWLINE); newline >= 0; newline = chunk.indexOf(NEWLINE, start)) {
      this.pending.push(chunk.subarray(start, newline));
      lines.push(Buffer.concat(this.pending));
      this.pending = [];
      start = newline + 1;
    }
    if (start < chunk.length) this.pending.push(chunk.subarray(start));
    return lines;
  }

  /** The bytes after the last newline seen. */
  get partial(): Buffer {
    return Buffer.concat(this.pending);
  }
}

/** Every line of a file in order; a final line without a newline comes last, `terminated: false`. */
export async function* readFileLines(path: string): AsyncGenerator<FileLine> {
  const splitter = new LineSplitter();
  let number = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: CHUNK })) {
    for (const bytes of splitter.push(chunk as Buffer)) yield { bytes, number: ++number, terminated: true };
  }
  const rest = splitter.partial;
  if (rest.length > 0) yield { bytes: rest, number: number + 1, terminated: false };
}

/** The offset of the last newline before `end`, or -1: read backwards in chunks, so a long file costs one chunk. */
export async function lastNewlineBefore(handle: FileHandle, end: number): Promise<number> {
  for (let stop = end; stop > 0; stop -= CHUNK) {
    const from = Math.max(0, stop - CHUNK);
    const buffer = Buffer.alloc(stop - from);
    await handle.read(buffer, 0, buffer.length, from);
    const newline = buffer.lastIndexOf(NEWLINE);
    if (newline >= 0) return from + newline;
  }
  return -1;
}

export interface FileTail {
  size: number;
  /** Where the whole lines end: just after the last newline (0 if there is none). */
  wholeEnd: number;
  /** The last whole line's bytes, without its newline. */
  lastLine?: Buffer;
}

/** The end of a file: its last whole line, and whether bytes follow it (a torn write). */
export async function readFileTail(handle: FileHandle): Promise<FileTail> {
  const { size } = await handle.stat();
  const wholeEnd = (await lastNewlineBefore(handle, size)) + 1;
  if (wholeEnd === 0) return { size, wholeEnd };
  const start = (await lastNewlineBefore(handle, wholeEnd - 1)) + 1;
  const lastLine = Buffer.alloc(wholeEnd - 1 - start);
  await handle.read(lastLine, 0, lastLine.length, start);
  return { size, wholeEnd, lastLine };
}
