/** Reads whole text (and JSON) files, turning a missing or unreadable file into an error that names it. */

import { readFile } from 'node:fs/promises';
import type { z } from 'zod';
import type { Result } from './policy-document';
import { parseJsonWith } from './zod-issues';

/** The file's text, undefined if it does not exist, or an error naming it if it cannot be read. */
export async function readTextIfExists(path: string): Promise<Result<string | undefined>> {
  try {
    return { ok: true, value: await readFile(path, 'utf8') };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === 'ENOENT' ? { ok: true, value: undefined } : { ok: false, error: `${path}: cannot read (${code ?? (error as Error).message})` };
  }
}

/** The file's text, or an error naming it (a missing file included). */
export async function readText(path: string): Promise<Result<string>> {
  const text = await readTextIfExists(path);
  if (!text.ok) return text;
  return text.value === undefined ? { ok: false, error: `${path}: cannot read (no such file)` } : { ok: true, value: text.value };
}

/** A JSON file checked with `schema`, undefined when it does not exist; every problem names the file and the field. */
export async function readJsonIfExists<T>(path: string, schema: z.ZodType<T>): Promise<Result<T | undefined>> {
  const text = await readTextIfExists(path);
  if (!text.ok || text.value === undefined) return text as Result<undefined>;
  return parseJsonWith(text.value, path, schema);
}
