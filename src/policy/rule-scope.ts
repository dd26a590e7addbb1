/** Whether a policy rule is in force here and now: its scope (machines, users, groups) and its expiry. */

import type { PolicyRuleEntry } from './policy-document';

/** What scope and expiry read of a policy entry: a USB rule or an approval for another kind of device. */
export type ScopedEntry = Pick<PolicyRuleEntry, 'expires' | 'scope'>;

/** What the agent knows about where it runs. `groups` are the directory groups of this machine and its current user. */
export interface MachineContext {
  machine: string;
  user?: string;
  groups: string[];
}

export type InForce = { inForce: true } | { inForce: false; why: string };

const IN_FORCE: InForce = { inForce: true };
const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * The first instant at which a rule with this `expires` is no longer in force. A date-time
 * expires at that instant; a plain date (`2026-07-22`) is in force to the end of that day,
 * UTC, so it expires at the next midnight UTC.
 */
export function expiryInstant(expires: string): Date {
  return DATE_ONLY.test(expires) ? new Date(Date.parse(`${expires}T00:00:00Z`) + DAY_MS) : new Date(expires);
}

/** `2026-07-22` or `2026-07-22 at 16:00 (UTC+01:00)`, as the policy wrote it. */
export function describeExpiry(expires: string): string {
  if (DATE_ONLY.test(expires)) return expires;
  const zone = /(Z|[+-]\d{2}:\d{2})$/.exec(expires)?.[1] ?? 'Z';
  return `${expires.slice(0, 10)} at ${expires.slice(11, 16)} (${zone === 'Z' ? 'UTC' : `UTC${zone}`})`;
}

/** Not in force at or after the expiry instant. */
export function expiryStatus(entry: ScopedEntry, now: Date): InForce {
  if (entry.expires === undefined || now.getTime() < expiryInstant(entry.expires).getTime()) return IN_FORCE;
  return { inForce: false, why: `expired on ${describeExpiry(entry.expires)}` };
}

/** A machine name pattern: case-insensitive, `*` stands for any run of characters (`ICT-SUITE-*`). */
export function machineNameMatches(pattern: string, machine: string): boolean {
  const source = pattern
    .split('*')
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${source}$`, 'i').test(machine);
}

/** Each scope list present restricts; a list left out means any. */
export function scopeStatus(entry: ScopedEntry, context: MachineContext): InForce {
  const { machines, users, groups } = entry.scope ?? {};
  if (machines !== undefined && !machines.some((pattern) => machineNameMatches(pattern, context.machine))) {
    return { inForce: false, why: `only for machines ${list(machines)}, not ${context.machine}` };
  }
  if (users !== undefined) {
    if (context.user === undefined) return { inForce: false, why: `only for users ${list(users)}, and no user is logged on` };
    const user = context.user;
    if (!users.includes(user)) return { inForce: false, why: `only for users ${list(users)}, not ${user}` };
  }
  if (groups !== undefined && !groups.some((group) => context.groups.includes(group))) {
    return { inForce: false, why: `only for groups ${list(groups)}, and neither this machine nor its user is in any of them` };
  }
  return IN_FORCE;
}

/** A rule is in force when it has not expired and its scope takes in this machine and user. */
export function ruleInForce(entry: ScopedEntry, context: MachineContext, now: Date): InForce {
  const expiry = expiryStatus(entry, now);
  return expiry.inForce ? scopeStatus(entry, context) : expiry;
}

function list(names: readonly string[]): string {
  return names.join(', ');
}
