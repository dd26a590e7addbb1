/** An SLT decision on a device request (device, machine and user scope, expiry, conditions) and the policy rule entry it becomes. */

import { z } from 'zod';
import type { ApprovalRequest } from '../../agent/agent-events';
import { classifyDevice, kindNoun } from '../../devices/device-kind';
import { policyDocumentSchema, type PolicyRuleEntry, type Result } from '../../policy/policy-document';
import { expiryInstant } from '../../policy/rule-scope';
import { expecting, fieldPath, plainIssueMessages } from '../../policy/zod-issues';
import { approvalRuleText } from './approval-device-rule';
import { approvalReason } from './approval-reason';
import { encryptedFamilies, encryptedStorageModel } from './encrypted-storage-models';
import { makerAndModel, vendorProduct } from './device-words';
import { currentOrNextTerm, localDate, SCHOOL_TIME_ZONE, type Term } from './term-dates';

const nonEmptyText = z.string().trim().min(1, { error: 'expected a non-empty string' });

export const deviceScopeSchema = z.discriminatedUnion(
  'by',
  [
    /** This one device: vendor:product, serial number and interface set. */
    z.strictObject({ by: z.literal('serial') }),
    /** Every device of this model: vendor:product and interface set. */
    z.strictObject({ by: z.literal('model') }),
    /** This exact device description (USBGuard's hash of its identity and descriptors). */
    z.strictObject({ by: z.literal('hash') }),
  ],
  { error: expecting('expected { "by": "serial" }, { "by": "model" } or { "by": "hash" }') },
);

export const machineScopeSchema = z.union(
  [
    /** Only the machine the request came from. */
    z.strictObject({ machines: z.literal('this') }),
    /** Machines (or logged-on users) in any of these directory groups. */
    z.strictObject({ groups: z.array(nonEmptyText).min(1, { error: 'expected at least one group name' }) }),
    z.literal('every'),
  ],
  { error: expecting('expected { "machines": "this" }, { "groups": [...] } or "every"') },
);

export const userScopeSchema = z.enum(['requester', 'anyone'], { error: expecting('expected "requester" or "anyone"') });

export const approvalDecisionSchema = z.strictObject({
  deviceScope: deviceScopeSchema,
  machineScope: machineScopeSchema,
  userScope: userScopeSchema,
  /** The last day the approval is in force; left out, the end of the current term. */
  expires: z.iso.date({ error: expecting('expected an ISO 8601 date (2026-12-18)') }).optional(),
  conditions: z
    .strictObject({
      /** The approver affirms that the device was checked for viruses (recorded in the rule's reason). */
      virusChecked: z.boolean().default(false),
      /** Allowed only if the device reports itself as a hardware-encrypted model (`encrypted-storage-models.ts`). */
      encryptedOnly: z.boolean().default(false),
    })
    .default({ virusChecked: false, encryptedOnly: false }),
  /** The approver's own words, added to the reason. */
  note: nonEmptyText.optional(),
});

export type DeviceScope = z.infer<typeof deviceScopeSchema>;
export type MachineScope = z.infer<typeof machineScopeSchema>;
export type UserScope = z.infer<typeof userScopeSchema>;
export type ApprovalDecision = z.infer<typeof approvalDecisionSchema>;
/** A decision as the console sends it: conditions may be left out. */
export type ApprovalDecisionInput = z.input<typeof approvalDecisionSchema>;

/** The SLT member who approves: `approvedBy` reads "name (role)". */
export interface Approver {
  name: string;
  role?: string;
}

/** What an approval reads of a request. */
export type RequestForApproval = Pick<ApprovalRequest, 'id' | 'device' | 'user' | 'machine'>;

export interface ApprovalEntryOptions {
  /** The rule's id in the policy (default `approval-<request id>-<now, compact UTC>`). */
  ruleId?: string;
  /** The zone dates are read in (default Europe/London). */
  timeZone?: string;
}

/** Parses a decision; every problem on one line naming the field (`decision.machineScope.groups: ...`). */
export function parseApprovalDecision(value: unknown): Result<ApprovalDecision> {
  const parsed = approvalDecisionSchema.safeParse(value, { error: plainIssueMessages });
  if (parsed.success) return { ok: true, value: parsed.data };
  return { ok: false, error: parsed.error.issues.map((issue) => `${fieldPath(['decision', ...issue.path])}: ${issue.message}`).join('\n') };
}

const ruleEntrySchema = policyDocumentSchema.shape.rules.element;

/** `20261102T100000Z`. */
function compactStamp(now: Date): string {
  return now.toISOString().replace(/\.\d{3}Z$/, 'Z').replace(/[-:]/g, '');
}

function machinesFor(request: RequestForApproval, scope: MachineScope): Result<{ machines?: string[]; groups?: string[] }> {
  if (scope === 'every') return { ok: true, value: {} };
  if ('groups' in scope) return { ok: true, value: { groups: [...new Set(scope.groups)] } };
  // Machine names in a scope are patterns where `*` means any run of characters (rule-scope.ts).
  if (request.machine.trim() === '' || request.machine.includes('*')) {
    return { ok: false, error: `the request's machine name "${request.machine}" cannot name one machine: approve for groups or every machine` };
  }
  return { ok: true, value: { machines: [request.machine] } };
}

function expiryFor(decision: ApprovalDecision, now: Date, terms: readonly Term[], timeZone: string): Result<{ expires: string; term?: Term }> {
  if (decision.expires !== undefined) {
    if (expiryInstant(decision.expires).getTime() <= now.getTime()) return { ok: false, error: `decision.expires: ${decision.expires} has already passed` };
    return { ok: true, value: { expires: decision.expires } };
  }
  const term = currentOrNextTerm(now, terms, timeZone);
  if (term === undefined) return { ok: false, error: `decision.expires: no term dates known after ${localDate(now, timeZone)}, so there is no end of term to default to: give an expiry date` };
  return { ok: true, value: { expires: term.end, term } };
}

/**
 * The policy rule entry an SLT decision makes of a request: the `allow` rule (through the
 * rule printer), the scope, the expiry (default: end of the current term), who approved it,
 * and a reason in plain words. Refused, with the reason, when the decision cannot be carried
 * out for this device (no serial number to approve it by, not an encrypted model, ...).
 */
export function approvalRuleEntry(
  request: RequestForApproval,
  decisionInput: ApprovalDecisionInput,
  approver: Approver,
  now: Date,
  termDates: readonly Term[],
  options: ApprovalEntryOptions = {},
): Result<PolicyRuleEntry> {
  const timeZone = options.timeZone ?? SCHOOL_TIME_ZONE;
  const parsed = parseApprovalDecision(decisionInput);
  if (!parsed.ok) return parsed;
  const decision = parsed.value;
  const { device } = request;
  if (approver.name.trim() === '') return { ok: false, error: 'approver: expected the approver\'s name' };

  const encrypted = decision.conditions.encryptedOnly ? encryptedStorageModel(device) : undefined;
  if (decision.conditions.encryptedOnly && encrypted === undefined) {
    return {
      ok: false,
      error: `decision.conditions.encryptedOnly: ${makerAndModel(device)} (${vendorProduct(device)}) does not report itself as a hardware-encrypted model; those recognised are ${encryptedFamilies()}`,
    };
  }
  const rule = approvalRuleText(device, decision.deviceScope.by, encrypted !== undefined);
  if (!rule.ok) return { ok: false, error: `decision.deviceScope: ${rule.error}` };
  const place = machinesFor(request, decision.machineScope);
  if (!place.ok) return { ok: false, error: `decision.machineScope: ${place.error}` };
  const expiry = expiryFor(decision, now, termDates, timeZone);
  if (!expiry.ok) return expiry;

  if (decision.userScope === 'requester' && request.user.trim() === '') {
    return { ok: false, error: 'decision.userScope: the request names no user, so it cannot be approved for the requester only: approve it for anyone' };
  }
  const scope = { ...place.value, ...(decision.userScope === 'requester' ? { users: [request.user] } : {}) };
  const approvedBy = approver.role?.trim() ? `${approver.name.trim()} (${approver.role.trim()})` : approver.name.trim();
  const { kind, warnings } = classifyDevice({ interfaces: device.interfaces, name: device.name, vendor: device.id.vendor });
  const reason = approvalReason({
    request,
    noun: kindNoun(kind),
    warnings: [...new Set([...warnings, ...device.warnings])],
    decision,
    scope,
    expires: expiry.value.expires,
    term: expiry.value.term,
    approverName: approver.name.trim(),
    today: localDate(now, timeZone),
    encryptedFamily: encrypted?.family,
  });
  const entry: PolicyRuleEntry = {
    id: options.ruleId ?? `approval-${request.id}-${compactStamp(now)}`,
    rule: rule.value,
    ...(Object.keys(scope).length > 0 ? { scope } : {}),
    expires: expiry.value.expires,
    approvedBy,
    reason,
    requestId: request.id,
  };
  const checked = ruleEntrySchema.safeParse(entry, { error: plainIssueMessages });
  if (!checked.success) return { ok: false, error: checked.error.issues.map((issue) => `entry.${fieldPath(issue.path)}: ${issue.message}`).join('\n') };
  return { ok: true, value: checked.data };
}
