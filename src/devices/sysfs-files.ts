/** Reading sysfs attribute files as USBGuard reads them, with errors that name the file. */
import { readFileSync } from 'node:fs';

/** A sysfs file is missing, unreadable or holds something USBGuard would refuse. */
export class SysfsReadError extends Error {
  override name = 'SysfsReadError';
  constructor(
    message: string,
    /** The absolute path of the file at fault. */
    readonly file: string,
  ) {
    super(message);
  }
}

/** USBGuard reads a text attribute with one read() of at most this many bytes. */
const ATTRIBUTE_READ_LIMIT = 4096;

/** The `code` of a Node system error (checked by shape: such errors may come from another realm). */
export function errorCode(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string' ? error.code : undefined;
}

/**
 * Reads a binary attribute whole; `undefined` when it does not exist and `optional` is set.
 * Synchronous on purpose: the kernel makes sysfs attributes in memory, and one blocking read
 * costs far less than fs.promises' four thread-pool round trips (open, fstat, read, close),
 * which were most of the time from a device's uevent to its decision (bench/vm).
 */
export async function readSysfsFile(file: string, optional: boolean): Promise<Buffer | undefined> {
  try {
    return readFileSync(file);
  } catch (error) {
    const code = errorCode(error);
    if (optional && code === 'ENOENT') return undefined;
    throw new SysfsReadError(code === 'ENOENT' ? `${file} is missing` : `cannot read ${file}: ${code ?? String(error)}`, file);
  }
}

/** Trailing bytes USBGuard strips from a text attribute: NUL, tab, newline and carriage return (not spaces). */
const TRAILING = new Set([0x00, 0x09, 0x0a, 0x0d]);

/**
 * Reads a text attribute's bytes as USBGuard does: the first 4096 bytes, trailing NUL, tab,
 * newline and carriage-return bytes removed. A missing optional attribute reads as empty.
 */
export async function readSysfsText(file: string, optional: boolean): Promise<Buffer> {
  const data = (await readSysfsFile(file, optional)) ?? Buffer.alloc(0);
  let end = Math.min(data.length, ATTRIBUTE_READ_LIMIT);
  while (end > 0 && TRAILING.has(data[end - 1] ?? -1)) end -= 1;
  return data.subarray(0, end);
}

/** Reads a uevent file as text (USBGuard keeps its first 4096 bytes). */
export async function readSysfsUeventText(file: string): Promise<string> {
  const data = (await readSysfsFile(file, false)) ?? Buffer.alloc(0);
  return data.subarray(0, ATTRIBUTE_READ_LIMIT).toString('latin1');
}
