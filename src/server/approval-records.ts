/** Approvals as the database keeps them: read back as the records policies are built from, the register governors ask for, and the next policy version. */

import { parsePolicyDocument, POLICY_FORMAT, type PolicyDocument, type PolicyRuleEntry } from '../policy/policy-document';
import { DEFAULT_RULES } from '../policy/default-rules';
import { parseRulesFile } from '../rules/parser';
import { printRule } from '../rules/printer';
import type { ApprovalRegisterView } from './console-protocol';
import { consoleSettings } from './console-settings';
import type { SqlRunner } from './db/database';
import { describeScope } from './approvals/device-words';
import { approvalRuleKey, basePolicyOf, type BasePolicy } from './approvals/base-policy';
import { buildPolicyVersion, type ApprovalRecord } from './approvals/policy-builder';
import { expiryStatus } from '../policy/rule-scope';

export interface ApprovalRow {
  id: string;
  request_id: string | null;
  rule: string;
  expires: string | null;
  conditions_json: string | null;
  approved_by: string;
  created_at: string;
  revoked_at: string | null;
  revoked_by: string | null;
  entry_json: string | null;
  device_text: string | null;
  machine: string | null;
  revoke_reason: string | null;
  policy_version: number | null;
  approver_name: string | null;
  approver_email: string | null;
  revoker_name: string | null;
  /** The member of staff who asked, while the request is kept. */
  requester: string | null;
}

export const SELECT_APPROVALS = `SELECT a.id, a.request_id, a.rule, a.expires, a.conditions_json, a.approved_by, a.created_at, a.revoked_at, a.revoked_by,
  a.entry_json, a.device_text, a.machine, a.revoke_reason, a.policy_version,
  ua.display_name AS approver_name, ua.email AS approver_email, ur.display_name AS revoker_name, q.requester
  FROM approvals a LEFT JOIN users ua ON ua.id = a.approved_by LEFT JOIN users ur ON ur.id = a.revoked_by LEFT JOIN approval_requests q ON q.id = a.request_id`;

/** The rule entry an approval put in the policy. */
export function entryOf(row: Pick<ApprovalRow, 'id' | 'entry_json' | 'rule'>): PolicyRuleEntry {
  if (row.entry_json === null) throw new Error(`approval-records.ts: approval ${row.id} has no rule entry (entry_json): it was not made by this console`);
  return JSON.parse(row.entry_json) as PolicyRuleEntry;
}

export function recordOf(row: ApprovalRow): ApprovalRecord {
  return { id: row.id, ...(row.request_id === null ? {} : { requestId: row.request_id }), entry: entryOf(row), createdAt: row.created_at, ...(row.revoked_at === null ? {} : { revokedAt: row.revoked_at }) };
}

/** Every approval not revoked, as the policy builder reads them (the builder leaves out those expired). */
export async function unrevokedApprovals(runner: SqlRunner): Promise<ApprovalRecord[]> {
  const rows = await runner.all<ApprovalRow>(`${SELECT_APPROVALS} WHERE a.revoked_at IS NULL ORDER BY a.created_at, a.id`);
  return rows.map(recordOf);
}

/** The rules every PC has before the school publishes a policy (default-rules.ts), as a policy's base rules. */
export function builtInBase(): PolicyDocument {
  const parsed = parseRulesFile(DEFAULT_RULES, 'default-rules');
  const rules = parsed.rules.map(({ rule }, index) => ({ id: `built-in-${index + 1}`, rule: printRule(rule), reason: 'Portcullis built-in default policy: hubs, and input devices that are nothing else' }));
  // Version 0: the first version built on it is 1.
  return { format: POLICY_FORMAT, version: 0, issuedAt: new Date(0).toISOString(), mode: 'enforce', implicitTarget: 'block', rules };
}

/** The newest published document, or undefined before the first. */
export async function publishedDocument(runner: SqlRunner): Promise<PolicyDocument | undefined> {
  const row = await runner.get<{ version: number; document_text: string }>('SELECT version, document_text FROM policy_versions ORDER BY version DESC LIMIT 1');
  if (row === undefined) return undefined;
  const parsed = parsePolicyDocument(row.document_text, `policy version ${row.version}`);
  if (!parsed.ok) throw new Error(`approval-records.ts: the published ${parsed.error}`);
  return parsed.value;
}

/**
 * The next policy: `newBase` or the newest published one's base (the built-in one before any is
 * published), then every approval still in force, and the DPO's retention period. Throws a
 * PolicyBuildError naming a bad approval.
 */
export async function nextPolicy(runner: SqlRunner, now: Date, newBase?: BasePolicy): Promise<PolicyDocument> {
  const previous = (await publishedDocument(runner)) ?? builtInBase();
  const document = buildPolicyVersion(previous, await unrevokedApprovals(runner), now, newBase);
  // The PCs keep their own records no longer than the console does.
  return { ...document, auditRetentionMonths: await consoleSettings.retentionMonths(runner) };
}

/** The base policy in force (the built-in one before any version is published), and the version it is read from (null before the first). */
export async function currentBase(runner: SqlRunner): Promise<{ base: BasePolicy; version: number | null }> {
  const published = await publishedDocument(runner);
  const approvalRules = new Set((await unrevokedApprovals(runner)).map((record) => approvalRuleKey(record.entry)));
  return { base: basePolicyOf(published ?? builtInBase(), approvalRules), version: published?.version ?? null };
}

function statusOf(row: ApprovalRow, now: Date): ApprovalRegisterView['status'] {
  if (row.revoked_at !== null) return 'revoked';
  return row.expires !== null && !expiryStatus({ expires: row.expires }, now).inForce ? 'expired' : 'active';
}

function conditionsOf(row: ApprovalRow): string[] {
  const conditions = row.conditions_json === null ? {} : (JSON.parse(row.conditions_json) as { virusChecked?: boolean; encryptedOnly?: boolean });
  return [
    ...(conditions.virusChecked === true ? ['checked for viruses by the approver'] : []),
    ...(conditions.encryptedOnly === true ? ['only as a hardware-encrypted model'] : []),
  ];
}

/** One approval as the register shows it. */
export function registerView(row: ApprovalRow, now: Date): ApprovalRegisterView {
  const entry = row.entry_json === null ? undefined : entryOf(row);
  return {
    id: row.id,
    requestId: row.request_id,
    device: row.device_text ?? row.rule,
    machine: row.machine ?? '',
    rule: row.rule,
    scope: describeScope(entry?.scope),
    expires: row.expires ?? '',
    conditions: conditionsOf(row),
    approvedBy: row.approver_name ?? entry?.approvedBy ?? row.approved_by,
    createdAt: row.created_at,
    status: statusOf(row, now),
    ...(row.revoked_at === null ? {} : { revokedAt: row.revoked_at, revokedBy: row.revoker_name ?? row.revoked_by ?? '' }),
    ...(row.revoke_reason === null ? {} : { revokeReason: row.revoke_reason }),
    policyVersion: row.policy_version,
  };
}

export interface RegisterFilter {
  q?: string;
  status: ApprovalRegisterView['status'] | 'all';
  approvedBy?: string;
}

function contains(haystack: readonly (string | null | undefined)[], needle: string): boolean {
  const wanted = needle.trim().toLowerCase();
  return wanted === '' || haystack.some((text) => text?.toLowerCase().includes(wanted) === true);
}

/**
 * The register, newest first: `q` finds the words in the device (name, maker, serial, id), the
 * machine, the rule or the approver's name or email; `approvedBy` in the approver's name or email.
 */
export async function approvalRegister(runner: SqlRunner, filter: RegisterFilter, now: Date): Promise<ApprovalRegisterView[]> {
  const rows = await runner.all<ApprovalRow>(`${SELECT_APPROVALS} ORDER BY a.created_at DESC, a.policy_version DESC, a.id`);
  return rows
    .filter((row) => filter.q === undefined || contains([row.device_text, row.machine, row.rule, row.approver_name, row.approver_email], filter.q))
    .filter((row) => filter.approvedBy === undefined || contains([row.approver_name, row.approver_email], filter.approvedBy))
    .map((row) => registerView(row, now))
    .filter((view) => filter.status === 'all' || view.status === filter.status);
}
