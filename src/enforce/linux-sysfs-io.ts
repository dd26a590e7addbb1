/** Reading and writing sysfs attributes for enforcement, as `cat FILE` and `echo VALUE > FILE` do, with failures that name the file and say what they mean. */
import { closeSync, constants, openSync, readFileSync, writeSync } from 'node:fs';
import { posix as path } from 'node:path';
import { errorCode } from '../devices/sysfs-files';

/** A sysfs read or write failed; the message names the file. */
export class SysfsIoError extends Error {
  override name = 'SysfsIoError';
  constructor(
    message: string,
    /** The absolute path of the file at fault. */
    readonly file: string,
  ) {
    super(message);
  }
}

/** What the usual failures mean on a PC, for the person reading the audit log. */
const MEANINGS: Record<string, string> = {
  EACCES: 'permission denied: the agent must run as root',
  EPERM: 'not permitted: the agent must run as root',
  ENOENT: 'no such file: the device has gone, or this kernel lacks the attribute',
  ENODEV: 'no such device: it has gone',
  EROFS: 'sysfs is mounted read-only (a container?)',
  EINVAL: 'the kernel refused the value',
};

/** "cannot write 0 to FILE (EACCES, permission denied: the agent must run as root)" */
export function sysfsFailure(action: string, file: string, error: unknown): SysfsIoError {
  const code = errorCode(error);
  const meaning = code === undefined ? undefined : MEANINGS[code];
  const why = code === undefined ? String(error) : meaning === undefined ? code : `${code}, ${meaning}`;
  return new SysfsIoError(`cannot ${action} ${file} (${why})`, file);
}

/** One write enforcement makes: what goes into which file, and how to say it. */
export interface SysfsWrite {
  file: string;
  value: string;
  /**
   * `replace` is `echo VALUE > FILE`; `append` is `echo VALUE >> FILE`, for command files such
   * as `drivers_probe` (sysfs ignores the file position, so both reach the kernel alike).
   */
  mode: 'replace' | 'append';
  /** Said after the write in the audit log, in brackets: `was 1`, `03:01:01, blocked`. */
  note?: string;
}

/** `authorized=1` for an attribute, the value alone for a command file. */
function writeLabel(write: SysfsWrite): string {
  return write.mode === 'append' ? write.value : `${path.basename(write.file)}=${write.value}`;
}

function noted(write: SysfsWrite): string {
  return write.note === undefined ? '' : ` (${write.note})`;
}

/** "authorized=1 written to /sys/.../1-2/authorized" */
export function describeDone(write: SysfsWrite): string {
  return `${writeLabel(write)} written to ${write.file}${noted(write)}`;
}

/** "would write authorized=1 to /sys/.../1-2/authorized", for audit-only mode. */
export function describeWould(write: SysfsWrite): string {
  return `would write ${writeLabel(write)} to ${write.file}${noted(write)}`;
}

/**
 * Carries out one write. The file is never created: a sysfs attribute either exists or the
 * kernel (or the device, now gone) lacks it, and either is an error naming the file.
 * Synchronous for the reason src/devices/sysfs-files.ts gives: the hot path.
 */
export async function writeSysfs(write: SysfsWrite): Promise<void> {
  const flags = constants.O_WRONLY | (write.mode === 'append' ? constants.O_APPEND : constants.O_TRUNC);
  let fd: number | undefined;
  try {
    fd = openSync(write.file, flags);
    writeSync(fd, `${write.value}\n`);
  } catch (error) {
    throw sysfsFailure(`write ${write.value} to`, write.file, error);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** An attribute's value without its trailing newline, or `undefined` when the attribute does not exist. */
export async function readSysfsValue(file: string): Promise<string | undefined> {
  try {
    return readFileSync(file, 'latin1').trim();
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return undefined;
    throw sysfsFailure('read', file, error);
  }
}

/** The message of an expected failure, or the error itself when it is not one (a bug). */
export function expectedFailure(error: unknown): string {
  if (error instanceof SysfsIoError) return error.message;
  throw error;
}
