/** A policy document as plain text for people: version, mode, and each rule with its approval, scope and expiry. */

import { assertNever } from '../util/assert-never';
import type { PolicyDocument, PolicyRuleEntry } from './policy-document';
import { describeExpiry, expiryStatus } from './rule-scope';

function describeMode(mode: PolicyDocument['mode']): string {
  switch (mode) {
    case 'enforce':
      return 'enforce (devices the policy does not allow are blocked)';
    case 'audit':
      return 'audit (nothing is blocked; decisions are only logged and shown)';
    default:
      return assertNever(mode);
  }
}

function describeImplicitTarget(target: PolicyDocument['implicitTarget']): string {
  switch (target) {
    case 'allow':
      return 'allow (a device no rule matches is allowed)';
    case 'block':
      return 'block (a device no rule matches is blocked)';
    case 'reject':
      return 'reject (a device no rule matches is blocked and removed)';
    default:
      return assertNever(target);
  }
}

function describeScope(scope: PolicyRuleEntry['scope']): string {
  const parts = [
    scope?.machines === undefined ? undefined : `machines ${scope.machines.join(', ')}`,
    scope?.users === undefined ? undefined : `users ${scope.users.join(', ')}`,
    scope?.groups === undefined ? undefined : `groups ${scope.groups.join(', ')}`,
  ].filter((part): part is string => part !== undefined);
  return parts.length === 0 ? 'every machine and user' : parts.join('; ');
}

function describeEntry(entry: PolicyRuleEntry, index: number, now: Date): string[] {
  const expiry = expiryStatus(entry, now);
  const lines = [`${index + 1}. ${entry.id}${expiry.inForce ? '' : `  [EXPIRED: ${expiry.why}]`}`, `   rule:        ${entry.rule}`];
  if (entry.approvedBy !== undefined) lines.push(`   approved by: ${entry.approvedBy}`);
  if (entry.reason !== undefined) lines.push(`   reason:      ${entry.reason}`);
  if (entry.requestId !== undefined) lines.push(`   request:     ${entry.requestId}`);
  lines.push(`   scope:       ${describeScope(entry.scope)}`);
  lines.push(`   expires:     ${entry.expires === undefined ? 'never' : describeExpiry(entry.expires)}`);
  return lines;
}

/** `signature` is one line on where the policy came from, e.g. `verified, key AbC...` or `none (unsigned document)`. */
export function formatPolicySummary(document: PolicyDocument, signature: string, now: Date): string {
  const expired = document.rules.filter((entry) => !expiryStatus(entry, now).inForce).length;
  const lines = [
    `Policy version ${document.version}, issued ${document.issuedAt}`,
    `Signature:       ${signature}`,
    `Mode:            ${describeMode(document.mode)}`,
    `Implicit target: ${describeImplicitTarget(document.implicitTarget)}`,
    `Rules:           ${document.rules.length}${expired === 0 ? '' : ` (${expired} expired)`}, first match wins`,
    ...document.rules.flatMap((entry, index) => ['', ...describeEntry(entry, index, now)]),
  ];
  return `${lines.join('\n')}\n`;
}
