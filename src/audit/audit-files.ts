/** The files of one audit log: the live file and its rotated predecessors (`audit.jsonl.1` the newest), in chain order. */

import { open, readdir } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { readFileLines, readFileTail } from './audit-lines';
import { checkRecordLine, recordOf, type AuditRecord } from './audit-record';

export interface RotatedFile {
  path: string;
  /** 1 for the newest rotated file; higher numbers are older. */
  number: number;
}

export function rotatedPath(livePath: string, number: number): string {
  return `${livePath}.${number}`;
}

/** The rotated files that exist beside the live file, oldest (highest number) first. */
export async function listRotatedFiles(livePath: string): Promise<RotatedFile[]> {
  const prefix = `${basename(livePath)}.`;
  const files: RotatedFile[] = [];
  for (const name of await readdir(dirname(livePath))) {
    const suffix = name.startsWith(prefix) ? name.slice(prefix.length) : '';
    if (/^[1-9]\d*$/.test(suffix)) files.push({ path: join(dirname(livePath), name), number: Number(suffix) });
  }
  return files.sort((a, b) => b.number - a.number);
}

/** Where a file sits in its rotation set: `audit.jsonl.3` is number 3 of `audit.jsonl`, the live file number 0. */
function rotationPlace(path: string): { base: string; number: number } {
  const match = /^(.*)\.([1-9]\d*)$/.exec(path);
  return match?.[1] === undefined ? { base: path, number: 0 } : { base: match[1], number: Number(match[2]) };
}

/**
 * Orders file arguments oldest first, so `audit.jsonl*` as a shell expands it verifies:
 * files of one rotation set (`audit.jsonl.3`, `audit.jsonl.1`, `audit.jsonl`) go highest
 * number first and the live file last; different sets keep the order they were given in.
 */
export function chainOrder(paths: readonly string[]): string[] {
  const setIndex = new Map<string, number>();
  for (const path of paths) {
    const { base } = rotationPlace(path);
    if (!setIndex.has(base)) setIndex.set(base, setIndex.size);
  }
  return [...paths].sort((a, b) => {
    const pa = rotationPlace(a);
    const pb = rotationPlace(b);
    return (setIndex.get(pa.base) ?? 0) - (setIndex.get(pb.base) ?? 0) || pb.number - pa.number;
  });
}

/** A file's first and last records, read without trusting them (for describing files, not verifying them). */
export async function readFileEnds(path: string): Promise<{ first?: AuditRecord; last?: AuditRecord }> {
  let first: AuditRecord | undefined;
  for await (const line of readFileLines(path)) {
    first = recordOf(checkRecordLine(line.bytes));
    break;
  }
  const handle = await open(path, 'r');
  try {
    const { lastLine } = await readFileTail(handle);
    const last = lastLine === undefined ? undefined : recordOf(checkRecordLine(lastLine));
    return { ...(first === undefined ? {} : { first }), ...(last === undefined ? {} : { last }) };
  } finally {
    await handle.close();
  }
}
