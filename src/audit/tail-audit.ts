/** `tail` and `tail --follow` for audit files: the last lines, then each line as it is appended, across rotation. */

import { watch } from 'node:fs';
import { open, stat, type FileHandle } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { listRotatedFiles } from './audit-files';
import { LineSplitter, type FileLine } from './audit-lines';

/** Wakes a follower when the file may have changed. */
export interface ChangeWaiter {
  /** Resolves true after a change (or one since the last call), false once following should stop. */
  next(): Promise<boolean>;
  close(): void;
}

/**
 * Changes to `path` as the file system reports them (inotify on Linux, which also sees the
 * rename of rotation), plus a check every `pollMs` for file systems that report nothing
 * (network shares). Stops when `signal` aborts.
 */
export function watchForChanges(path: string, signal?: AbortSignal, pollMs = 1000): ChangeWaiter {
  let changed = false;
  let wake: (() => void) | undefined;
  const notify = (): void => {
    changed = true;
    wake?.();
  };
  const name = basename(path);
  const watcher = watch(dirname(path), (_event, file) => {
    if (file === null || file.startsWith(name)) notify();
  });
  const poll = setInterval(notify, pollMs);
  signal?.addEventListener('abort', notify, { once: true });
  return {
    async next() {
      if (!changed && !signal?.aborted) await new Promise<void>((resolve) => (wake = resolve));
      wake = undefined;
      changed = false;
      return signal?.aborted !== true;
    },
    close() {
      watcher.close();
      clearInterval(poll);
      signal?.removeEventListener('abort', notify);
    },
  };
}

async function inodeOf(path: string): Promise<number | undefined> {
  return stat(path).then(
    (stats) => stats.ino,
    () => undefined,
  );
}

/** One open file being read forward: whole lines only, the bytes of a line still being written held back. */
class FileReader {
  private offset = 0;
  private number = 0;
  private splitter = new LineSplitter();

  private constructor(
    readonly handle: FileHandle,
    readonly inode: number,
  ) {}

  static async open(path: string): Promise<FileReader> {
    const handle = await open(path, 'r');
    return new FileReader(handle, (await handle.stat()).ino);
  }

  /** The whole lines appended since the last call. */
  async readNew(): Promise<FileLine[]> {
    if ((await this.handle.stat()).size < this.offset) {
      // The agent cut off a torn record on start (AuditLog.open): drop what was read of it.
      this.offset -= this.splitter.partial.length;
      this.splitter = new LineSplitter();
    }
    const lines: FileLine[] = [];
    const buffer = Buffer.alloc(64 * 1024);
    for (;;) {
      const { bytesRead } = await this.handle.read(buffer, 0, buffer.length, this.offset);
      if (bytesRead === 0) return lines;
      this.offset += bytesRead;
      for (const bytes of this.splitter.push(Buffer.from(buffer.subarray(0, bytesRead)))) lines.push({ bytes, number: ++this.number, terminated: true });
    }
  }
}

/** Readers for the files rotated after the one with `inode`, oldest first: what a follower slept through. */
async function rotatedSince(path: string, inode: number): Promise<FileReader[]> {
  const rotated = await listRotatedFiles(path);
  const readers: FileReader[] = [];
  let found = false;
  for (const file of rotated) {
    if (found) readers.push(await FileReader.open(file.path));
    else found = (await inodeOf(file.path)) === inode;
  }
  return readers;
}

/**
 * The last `count` whole lines of `path`; then, with `changes`, every line appended after them
 * until `changes` says stop. When the file is rotated (renamed to `.1`, and a new one created at
 * `path`), the rest of the old file is read first, then any files rotated since, then the new file.
 */
export async function* tailLines(path: string, count: number, changes?: ChangeWaiter): AsyncGenerator<FileLine> {
  let reader = await FileReader.open(path);
  try {
    const existing = await reader.readNew();
    yield* existing.slice(Math.max(0, existing.length - count));
    if (changes === undefined) return;
    while (await changes.next()) {
      yield* await reader.readNew();
      const inode = await inodeOf(path);
      if (inode === undefined || inode === reader.inode) continue;
      // Rotated: the writer closed the old file before renaming it, so one more read finishes it.
      yield* await reader.readNew();
      const current = await FileReader.open(path).catch(() => undefined);
      if (current === undefined) continue;
      const between = await rotatedSince(path, reader.inode);
      try {
        // A rotation while these were being opened can show the new live file among them too.
        for (const whole of between) if (whole.inode !== current.inode) yield* await whole.readNew();
      } finally {
        await Promise.all(between.map((whole) => whole.handle.close()));
      }
      await reader.handle.close();
      reader = current;
      yield* await reader.readNew();
    }
  } finally {
    await reader.handle.close();
  }
}
