/** Plain words about a requested device and an approval's scope, shared by approval reasons and the SLT's explanation of a request. */

import type { ApprovalRequest } from '../../agent/agent-events';
import type { PolicyRuleEntry } from '../../policy/policy-document';

/** What a request carries about its device. */
export type RequestedDevice = ApprovalRequest['device'];

/** `0781:5567`. */
export function vendorProduct(device: Pick<RequestedDevice, 'id'>): string {
  return `${device.id.vendor}:${device.id.product}`;
}

/** "SanDisk Cruzer Blade", "Cruzer Blade", "SanDisk", or "unnamed device from vendor 0781" when it names neither. */
export function makerAndModel(device: Pick<RequestedDevice, 'id' | 'manufacturer' | 'name'>): string {
  const maker = device.manufacturer.trim();
  const model = device.name.trim();
  if (maker === '' && model === '') return `unnamed device from vendor ${device.id.vendor}`;
  if (maker === '' || model.toLowerCase().startsWith(maker.toLowerCase())) return model;
  return model === '' ? maker : `${maker} ${model}`;
}

/** "a USB storage device", "an input device". */
export function withArticle(phrase: string): string {
  return /^[aeio]/i.test(phrase) || /^u(?!s)/i.test(phrase) ? `an ${phrase}` : `a ${phrase}`;
}

export function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** "A, B and C". */
export function listInWords(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

/** Where and for whom a rule is in force: "on ICT-SUITE-07, for jsmith", "on every machine, for anyone". */
export function describeScope(scope: PolicyRuleEntry['scope']): string {
  const machines = scope?.machines;
  const groups = scope?.groups;
  const users = scope?.users;
  const where = [
    machines === undefined ? undefined : `on ${listInWords(machines)}`,
    groups === undefined ? undefined : `on machines or for users in ${groups.length === 1 ? 'group' : 'groups'} ${listInWords(groups)}`,
  ].filter((part): part is string => part !== undefined);
  const placed = where.length === 0 ? 'on every machine' : where.join(' ');
  return `${placed}, for ${users === undefined ? 'anyone' : listInWords(users)}`;
}
