/** Turns zod issues into one-line messages that name the file and the field (`policy.json: rules[2].expires: ...`). */

import { z } from 'zod';

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

function article(expected: string): string {
  if (expected === 'int') return 'an integer';
  return /^[aeiou]/.test(expected) ? `an ${expected}` : `a ${expected}`;
}

function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}
