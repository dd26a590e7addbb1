/** Builds the next policy version: the school's base rules, then one rule per approval still in force, validated before anyone signs it. */

import { parsePolicyDocument, policyDocumentSchema, POLICY_FORMAT, type PolicyDocument, type PolicyRuleEntry } from '../../policy/policy-document';
import { expiryStatus } from '../../policy/rule-scope';
import { fieldPath, plainIssueMessages } from '../../policy/zod-issues';
import { policyDocumentText } from './policy-text';
import { compareText } from './term-dates';
import { approvalRuleKey, basePolicyOf, type BasePolicy } from './base-policy';

/** One approval as the console keeps it: the rule entry it made, when, and whether it has been revoked. */
export interface ApprovalRecord {
  id: string;
  /** The request it answered; left out for an approval SLT made without a request. */
  requestId?: string;
  entry: PolicyRuleEntry;
  /** ISO 8601 date-time. */
  createdAt: string;
  /** ISO 8601 date-time; a revoked approval never goes into a policy again. */
  revokedAt?: string;
}

/** A policy that cannot be built, naming the approval at fault when there is one. */
export class PolicyBuildError extends Error {
  constructor(
    message: string,
    readonly approvalId?: string,
  ) {
    super(message);
    this.name = 'PolicyBuildError';
  }
}

const ruleEntrySchema = policyDocumentSchema.shape.rules.element;

/** The record's entry as it goes into the policy (its requestId is the record's), or an error naming the approval. */
function checkedEntry(record: ApprovalRecord): PolicyRuleEntry {
  const fail = (problem: string): never => {
    throw new PolicyBuildError(`approval ${record.id}: ${problem}`, record.id);
  };
  if (Number.isNaN(Date.parse(record.createdAt))) fail(`createdAt: expected an ISO 8601 date-time, got ${JSON.stringify(record.createdAt)}`);
  if (record.requestId !== undefined && record.entry.requestId !== undefined && record.requestId !== record.entry.requestId) {
    fail(`its rule entry answers request ${record.entry.requestId}, but the approval answers request ${record.requestId}`);
  }
  const entry = record.requestId === undefined ? record.entry : { ...record.entry, requestId: record.requestId };
  const parsed = ruleEntrySchema.safeParse(entry, { error: plainIssueMessages });
  if (!parsed.success) fail(parsed.error.issues.map((issue) => `entry.${fieldPath(issue.path)}: ${issue.message}`).join('; '));
  return entry;
}

/** Not revoked, and not expired at `now`. */
export function approvalActive(record: ApprovalRecord, now: Date): boolean {
  return record.revokedAt === undefined && expiryStatus(record.entry, now).inForce;
}

/** Oldest first, then by id, the same on every server. */
export function compareApprovals(a: ApprovalRecord, b: ApprovalRecord): number {
  return Date.parse(a.createdAt) - Date.parse(b.createdAt) || compareText(a.id, b.id);
}

/** Before the first version: enforce, and block what no rule allows. */
const NO_POLICY: BasePolicy = { mode: 'enforce', implicitTarget: 'block', rules: [] };

/**
 * The next policy document: version + 1 (1 when there is none), issued `now`. Its base (mode,
 * implicit target, other-device and idle settings, and the rules that answer no request) is
 * `newBase` when IT publish one, else the previous version's: its rules less those the
 * approvals themselves made (an approval made without a request leaves no requestId on its
 * rule, but its id and text match the approval's entry; a base rule that merely shares an id
 * with an approval's entry stays, and the clash is reported). Rules: the base rules first, in
 * their order, then one per approval that is neither revoked nor expired at `now`, oldest first. The result is checked as a signed
 * policy would be read (its text, `policyDocumentText`, through parsePolicyDocument); a bad
 * approval throws a PolicyBuildError naming it instead of producing an invalid policy. Sign
 * `policyDocumentText(result)`, not `JSON.stringify(result)`: parsed idle durations are
 * milliseconds, which a policy file does not hold.
 */
export function buildPolicyVersion(previous: PolicyDocument | undefined, approvals: readonly ApprovalRecord[], now: Date, newBase?: BasePolicy): PolicyDocument {
  const ids = new Set<string>();
  for (const record of approvals) {
    if (ids.has(record.id)) throw new PolicyBuildError(`approval ${record.id} is listed twice`, record.id);
    ids.add(record.id);
  }
  const { rules: base, ...settings } = newBase ?? (previous === undefined ? NO_POLICY : basePolicyOf(previous, new Set(approvals.map((record) => approvalRuleKey(record.entry)))));
  const ruleOwners = new Map(base.map((entry) => [entry.id, newBase === undefined ? 'a base rule of the previous policy' : 'a rule of the new base policy']));
  const active = approvals.filter((record) => approvalActive(record, now)).sort(compareApprovals);
  const approved = active.map((record) => {
    const entry = checkedEntry(record);
    const owner = ruleOwners.get(entry.id);
    if (owner !== undefined) throw new PolicyBuildError(`approval ${record.id}: rule id "${entry.id}" is already used by ${owner}`, record.id);
    ruleOwners.set(entry.id, `approval ${record.id}`);
    return entry;
  });

  const version = (previous?.version ?? 0) + 1;
  const document: PolicyDocument = { format: POLICY_FORMAT, version, issuedAt: now.toISOString(), ...settings, rules: [...base, ...approved] };
  const reread = parsePolicyDocument(policyDocumentText(document), `policy v${version}`);
  if (!reread.ok) throw new PolicyBuildError(`the new policy would not be valid, so it was not built:\n${reread.error}`);
  return reread.value;
}
