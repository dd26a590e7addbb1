/** The school's base policy: the settings and rules IT set for every PC (mode, default target, rules, other devices, idle), which each version carries before SLT's approvals. */

import { policyDocumentSchema, type PolicyDocument, type Result } from '../../policy/policy-document';
import { parseJsonWith } from '../../policy/zod-issues';

/** A policy document without what the server sets on each version (format, version, issuedAt, and the DPO's retention). */
export type BasePolicy = Omit<PolicyDocument, 'format' | 'version' | 'issuedAt' | 'auditRetentionMonths'>;

const basePolicySchema = policyDocumentSchema.omit({ format: true, version: true, issuedAt: true, auditRetentionMonths: true }).superRefine((base, context) => {
  base.rules.forEach((entry, index) => {
    if (entry.requestId !== undefined) {
      context.addIssue({ code: 'custom', path: ['rules', index, 'requestId'], message: 'a base rule answers no request: approvals are made in the console, which adds their rules itself' });
    }
  });
});

/**
 * Reads a base policy's JSON text (`portcullis server policy base show` writes one). Never throws
 * for bad input: each problem is one line naming `source` and the field, e.g.
 * `base.json: rules[1].rule: ...`.
 */
export function parseBasePolicy(text: string, source: string): Result<BasePolicy> {
  return parseJsonWith(text, source, basePolicySchema);
}

/** The base policy of a published (or built-in) document: its settings and the rules that answer no request, less those the approvals made. */
export function basePolicyOf(document: PolicyDocument, approvalRules: ReadonlySet<string>): BasePolicy {
  const { mode, implicitTarget, rules, otherDevices, idle } = document;
  return {
    mode,
    implicitTarget,
    rules: rules.filter((entry) => entry.requestId === undefined && !approvalRules.has(approvalRuleKey(entry))),
    ...(otherDevices === undefined ? {} : { otherDevices }),
    ...(idle === undefined ? {} : { idle }),
  };
}

/** How an approval's rule is recognised among a policy's rules: its id and its text. */
export function approvalRuleKey(entry: { id: string; rule: string }): string {
  return JSON.stringify([entry.id, entry.rule]);
}
