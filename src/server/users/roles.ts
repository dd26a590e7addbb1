/** The console's roles: every account has exactly one, and each console route names the roles it accepts. */

import { z } from 'zod';

/**
 * `slt-approver`: a member of the Senior Leadership Team who decides device requests.
 * `headteacher`: the head, who leads SLT. `it-admin`: the school's IT manager, who runs the
 * server and enrols PCs. `dpo`: the data protection officer, who oversees what is recorded.
 */
export const ROLES = ['slt-approver', 'it-admin', 'headteacher', 'dpo'] as const;

export type Role = (typeof ROLES)[number];

/** A role, refused with the allowed list (a missing one falls through to the caller's "required" message). */
export const roleSchema = z.enum(ROLES, {
  error: (issue) => (issue.input === undefined ? undefined : `expected one of ${ROLES.join(', ')}, not ${JSON.stringify(issue.input)}`),
});

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}
