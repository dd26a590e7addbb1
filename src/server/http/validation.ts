/** Checks a request's path parameters, query and body against zod schemas; what fails is one 400 naming every field (`email: expected an email address; password: required, but missing`). */

import type { z } from 'zod';
import { fieldPath, plainIssueMessages } from '../../policy/zod-issues';
import { HttpError } from './http-error';

export type InputPart = 'params' | 'query' | 'body';

/** One line for all the issues: `field: message; field: message`, the part's name standing for the whole. */
export function issuesMessage(issues: readonly z.core.$ZodIssue[], part: InputPart): string {
  return issues.map((issue) => `${fieldPath(issue.path) || part}: ${issue.message}`).join('; ');
}

export type InputSchemas = Partial<Record<InputPart, z.ZodType>>;

/**
 * Each part's parsed value (defaults applied, unknown fields refused by strict schemas; undefined
 * where no schema is given), or throws one 400 HttpError listing the problems of every part.
 */
export function parseInputs(schemas: InputSchemas, values: Record<InputPart, unknown>): Record<InputPart, unknown> {
  const parsed: Record<InputPart, unknown> = { params: undefined, query: undefined, body: undefined };
  const problems: string[] = [];
  for (const part of ['params', 'query', 'body'] as const) {
    const schema = schemas[part];
    if (schema === undefined) continue;
    const result = schema.safeParse(values[part], { error: plainIssueMessages });
    if (result.success) parsed[part] = result.data;
    else problems.push(issuesMessage(result.error.issues, part));
  }
  if (problems.length > 0) throw new HttpError(400, problems.join('; '));
  return parsed;
}
