/** The policy document: the SLT-approved, ordered list of USBGuard rules with their metadata, its schema and its parser. */

import { z } from 'zod';
import { OTHER_BUSES } from '../devices/other-devices/other-device';
import { idlePolicySchema } from '../idle/idle-policy';
import { parseRule, RuleSyntaxError } from '../rules/parser';
import type { Rule } from '../rules/rule';
import { assertNever } from '../util/assert-never';
import { expecting, parseJsonWith } from './zod-issues';

export const POLICY_FORMAT = 'portcullis-policy/1';

/** How results cross module boundaries in Portcullis (DESIGN.md). */
export type Result<T, E = string> = { ok: true; value: T } | { ok: false; error: E };

const isoDateTime = z.iso.datetime({ offset: true });
const isoDate = z.iso.date();

/** A date-time with a time zone (`2026-04-20T09:00:00Z`, `2026-04-20T10:00:00+01:00`). */
function isIsoDateTime(text: string): boolean {
  return isoDateTime.safeParse(text).success;
}

/** A calendar date (`2026-07-22`) or a date-time with a time zone. */
function isIsoDateOrDateTime(text: string): boolean {
  return isoDate.safeParse(text).success || isIsoDateTime(text);
}

const nonEmptyText = z.string().min(1, { error: 'expected a non-empty string' });

function nameList(what: string): z.ZodOptional<z.ZodArray<z.ZodString>> {
  return z
    .array(z.string().min(1, { error: `expected a ${what}, not an empty string` }))
    .min(1, { error: `expected at least one ${what} (leave the list out to mean any)` })
    .optional();
}

/** Why a rule line cannot be in a policy, or undefined if it can. */
function ruleProblem(text: string): string | undefined {
  if (/[\r\n]/.test(text)) return 'expected one rule on one line';
  let rule: Rule;
  try {
    rule = parseRule(text);
  } catch (error) {
    if (error instanceof RuleSyntaxError) return error.message;
    throw error;
  }
  switch (rule.target) {
    case 'allow':
    case 'block':
    case 'reject':
      return undefined;
    case 'match':
    case 'device':
      return `expected a rule whose target is allow, block or reject, not ${rule.target}`;
    default:
      return assertNever(rule.target);
  }
}

const ruleEntrySchema = z.strictObject({
  id: nonEmptyText,
  rule: z.string().superRefine((text, context) => {
    const problem = ruleProblem(text);
    if (problem !== undefined) context.addIssue({ code: 'custom', message: problem });
  }),
  scope: z
    .strictObject({ machines: nameList('machine name'), groups: nameList('group name'), users: nameList('user name') })
    .optional(),
  expires: z
    .string()
    .refine(isIsoDateOrDateTime, { error: 'expected an ISO 8601 date (2026-07-22) or date-time with a time zone (2026-07-22T16:00:00+01:00)' })
    .optional(),
  approvedBy: nonEmptyText.optional(),
  reason: nonEmptyText.optional(),
  requestId: nonEmptyText.optional(),
});

const otherDeviceTarget = z.enum(['allow', 'block'], { error: expecting('expected "allow" or "block"') });

/** An SLT decision about a non-USB device (see `other-device-policy.ts` and docs/other-devices.md); every field given in `match` must match. */
const otherDeviceApprovalSchema = z.strictObject({
  id: nonEmptyText,
  match: z
    .strictObject({ key: nonEmptyText.optional(), name: nonEmptyText.optional(), vendor: nonEmptyText.optional() })
    .refine((match) => match.key !== undefined || match.name !== undefined || match.vendor !== undefined, { error: 'expected at least one of key, name and vendor' }),
  target: otherDeviceTarget,
  approvedBy: nonEmptyText,
  reason: nonEmptyText,
  expires: ruleEntrySchema.shape.expires,
  scope: ruleEntrySchema.shape.scope,
  requestId: nonEmptyText.optional(),
});

const otherBusSchema = z.strictObject({ default: otherDeviceTarget.optional(), approvals: z.array(otherDeviceApprovalSchema).optional() });

const otherDevicesSchema = z
  .strictObject({ block: otherBusSchema.optional(), bluetooth: otherBusSchema.optional(), printer: otherBusSchema.optional(), network: otherBusSchema.optional() })
  .superRefine((policy, context) => {
    const first = new Map<string, string>();
    for (const bus of OTHER_BUSES) {
      policy[bus]?.approvals?.forEach((approval, index) => {
        const where = `${bus}.approvals[${index}]`;
        const earlier = first.get(approval.id);
        if (earlier === undefined) first.set(approval.id, where);
        else context.addIssue({ code: 'custom', path: [bus, 'approvals', index, 'id'], message: `duplicate id "${approval.id}" (already used by ${earlier})` });
      });
    }
  });

export const policyDocumentSchema = z.strictObject({
  format: z.literal(POLICY_FORMAT, { error: expecting(`expected "${POLICY_FORMAT}"`) }),
  version: z.int({ error: expecting('expected a whole number') }).min(1, { error: 'expected a whole number of 1 or more' }),
  issuedAt: z.string().refine(isIsoDateTime, { error: 'expected an ISO 8601 date-time with a time zone (2026-04-20T09:00:00Z)' }),
  mode: z.enum(['enforce', 'audit'], { error: expecting('expected "enforce" or "audit"') }),
  implicitTarget: z.enum(['allow', 'block', 'reject'], { error: expecting('expected "allow", "block" or "reject"') }),
  rules: z.array(ruleEntrySchema).superRefine((rules, context) => {
    const firstIndex = new Map<string, number>();
    rules.forEach((entry, index) => {
      const first = firstIndex.get(entry.id);
      if (first === undefined) firstIndex.set(entry.id, index);
      else context.addIssue({ code: 'custom', path: [index, 'id'], message: `duplicate id "${entry.id}" (already used by rules[${first}])` });
    });
  }),
  /** Block devices, Bluetooth devices, printers and network interfaces: not USBGuard rules, a default and approvals per bus. */
  otherDevices: otherDevicesSchema.optional(),
  /** When unattended sessions lock and log off (`src/idle/idle-policy.ts`). */
  idle: idlePolicySchema.optional(),
  /** Months the PC keeps its audit log and decided requests: the DPO's retention setting, which the console server writes into each version. Left out: 12. */
  auditRetentionMonths: z.int({ error: expecting('expected a whole number of months') }).min(1).max(120).optional(),
});

export type PolicyDocument = z.infer<typeof policyDocumentSchema>;
export type PolicyRuleEntry = PolicyDocument['rules'][number];
export type OtherDevicesPolicy = z.infer<typeof otherDevicesSchema>;
export type OtherDeviceApproval = z.infer<typeof otherDeviceApprovalSchema>;

/**
 * Parses and validates a policy document's JSON text. Never throws for bad input: every
 * problem comes back in `error`, one line each, naming the file and the field, e.g.
 * `policy.json: rules[2].expires: expected an ISO 8601 date ...`.
 */
export function parsePolicyDocument(json: string, file: string): Result<PolicyDocument> {
  return parseJsonWith(json, file, policyDocumentSchema);
}
