/** Turns zod issues into one-line messages that name the file and the field (`policy.json: rules[2].expires: ...`). */

import { z } from 'zod';
import type { Result } from './policy-document';

/** `['rules', 2, 'expires']` → `rules[2].expires`. */
export function fieldPath(path: readonly PropertyKey[]): string {
  return path
    .map((key, index) => (typeof key === 'number' ? `[${key}]` : `${index === 0 ? '' : '.'}${String(key)}`))
    .join('');
}

const MISSING = 'required, but missing';

/** A schema's own wording for a wrong value, which still says "missing" when the field is absent. */
export function expecting(message: string): (issue: { input?: unknown }) => string {
  return (issue) => (issue.input === undefined ? MISSING : message);
}

/** Plain messages for the issues the schemas do not word themselves (missing fields, wrong JSON types, unknown fields). */
export const plainIssueMessages: z.core.$ZodErrorMap = (issue) => {
  switch (issue.code) {
    case 'invalid_type':
      return issue.input === undefined ? MISSING : `expected ${article(issue.expected)}, got ${jsonType(issue.input)}`;
    case 'unrecognized_keys':
      return `unknown field${issue.keys.length === 1 ? '' : 's'} ${issue.keys.map((key) => `"${key}"`).join(', ')}`;
    default:
      return undefined;
  }
};

/** One line per issue, each starting with the file name and, if there is one, the field. */
export function formatIssues(file: string, issues: readonly z.core.$ZodIssue[]): string {
  return issues
    .map((issue) => (issue.path.length === 0 ? `${file}: ${issue.message}` : `${file}: ${fieldPath(issue.path)}: ${issue.message}`))
    .join('\n');
}

/** `value` checked with `schema`; every problem is one line naming `source` and the field. */
export function validateWith<T>(value: unknown, schema: z.ZodType<T>, source: string): Result<T> {
  const parsed = schema.safeParse(value, { error: plainIssueMessages });
  return parsed.success ? { ok: true, value: parsed.data } : { ok: false, error: formatIssues(source, parsed.error.issues) };
}

/** JSON text parsed and checked with `schema`. Never throws for bad input: text that is not JSON is one line too (`source: not valid JSON (...)`). */
export function parseJsonWith<T>(text: string, source: string, schema: z.ZodType<T>): Result<T> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { ok: false, error: `${source}: not valid JSON (${(error as Error).message})` };
  }
  return validateWith(value, schema, source);
}

function article(expected: string): string {
  if (expected === 'int') return 'an integer';
  return /^[aeiou]/.test(expected) ? `an ${expected}` : `a ${expected}`;
}

function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}
