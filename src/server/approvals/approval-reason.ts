/** The reason an approved rule carries, in plain words: what it allows, where, for whom, until when, and what the approver affirmed. */

import { distinctInterfaceTypes } from '../../devices/device';
import type { PolicyRuleEntry } from '../../policy/policy-document';
import { assertNever } from '../../util/assert-never';
import type { ApprovalDecision, RequestForApproval } from './approval-scope';
import { describeScope, makerAndModel, vendorProduct } from './device-words';
import type { Term } from './term-dates';

export interface ReasonInput {
  request: RequestForApproval;
  /** "USB storage device". */
  noun: string;
  /** What classifyDevice and the agent warned about the device. */
  warnings: readonly string[];
  decision: ApprovalDecision;
  scope: NonNullable<PolicyRuleEntry['scope']>;
  expires: string;
  /** The term whose end is the expiry, when the expiry was the default. */
  term?: Term;
  approverName: string;
  /** The approval's date, in the school's zone. */
  today: string;
  /** The encrypted family the device claims, when the decision asked for encrypted models only. */
  encryptedFamily?: string;
}

function whatItAllows(input: ReasonInput): string {
  const { device } = input.request;
  const named = `${makerAndModel(device)}, ${vendorProduct(device)}`;
  switch (input.decision.deviceScope.by) {
    case 'serial':
      return `this ${input.noun} only (${named}, serial ${JSON.stringify(device.serial)})`;
    case 'model':
      return `any ${input.noun} of this model (${named}, with interfaces ${distinctInterfaceTypes(device.interfaces).join(' ')})`;
    case 'hash':
      return `this exact ${input.noun} (${named}, by its hash)`;
    default:
      return assertNever(input.decision.deviceScope);
  }
}

/**
 * "Allows this USB storage device only (SanDisk Cruzer Blade, 0781:5567, serial "4C53...")
 * on ICT-SUITE-07, for jsmith, until 2026-12-18 (end of Autumn term 2026); asked for by
 * jsmith on ICT-SUITE-07 (request REQ-42); virus-checked by A. Head on 2026-11-02".
 */
export function approvalReason(input: ReasonInput): string {
  const { request, decision } = input;
  const until = input.term === undefined ? `until ${input.expires}` : `until ${input.expires} (end of ${input.term.name})`;
  const parts = [
    `Allows ${whatItAllows(input)} ${describeScope(input.scope)}, ${until}`,
    `asked for by ${request.user || 'an unnamed user'} on ${request.machine} (request ${request.id})`,
  ];
  if (decision.conditions.virusChecked) parts.push(`virus-checked by ${input.approverName} on ${input.today}`);
  if (input.encryptedFamily !== undefined) parts.push(`encrypted models only: it reports itself as a ${input.encryptedFamily}, and the rule holds it to that name`);
  if (input.warnings.length > 0) parts.push(`approved despite the warning${input.warnings.length === 1 ? '' : 's'}: ${input.warnings.join('; ')}`);
  if (decision.note !== undefined) parts.push(`note: ${decision.note}`);
  return parts.join('; ');
}
