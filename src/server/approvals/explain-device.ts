/** The plain-words explanation SLT see for a device request: what it is, what to beware of, where it was seen, what is already approved. */

import { distinctInterfaceTypes } from '../../devices/device';
import type { ApprovalRequest } from '../../agent/agent-events';
import { classifyDevice, kindNoun } from '../../devices/device-kind';
import { parseRule, RuleSyntaxError } from '../../rules/parser';
import type { Rule } from '../../rules/rule';
import { compileDeviceMatch } from '../../rules/device-match';
import { approvalActive, compareApprovals, type ApprovalRecord } from './policy-builder';
import { encryptedStorageModel } from './encrypted-storage-models';
import { capitalise, describeScope, listInWords, makerAndModel, vendorProduct, withArticle, type RequestedDevice } from './device-words';
import { interfaceWords, networkWarning, placeholderSerialWarning } from './interface-words';
import { localDate, SCHOOL_TIME_ZONE } from './term-dates';

/** What a web page renders; every string is a whole sentence or phrase for people. */
export interface DeviceExplanation {
  headline: string;
  facts: string[];
  warnings: string[];
  /** Earlier sightings, one line per machine, most recent first; empty if never seen. */
  seenBefore: string[];
  /** Approvals in force for this device or its model (on other machines or for other people); empty if none. */
  similar: string[];
}

/** One earlier time the device was seen on a school PC. */
export interface Sighting {
  machine: string;
  /** ISO 8601 date-time. */
  at: string;
  user?: string;
}

/**
 * What the explanation reads of a request: the device and who asked, where and when. Not the
 * justifications: the page shows them once, under their own heading (RequestView.justifications).
 */
export type ExplainableRequest = Pick<ApprovalRequest, 'device' | 'user' | 'userVerified' | 'machine' | 'durationDays' | 'requestedAt'> & {
  mergedCount?: number;
};

export interface ExplainOptions {
  /** Earlier sightings of this device. */
  sightings?: readonly Sighting[];
  /** Approvals to compare with; revoked ones, and ones expired at `now`, are skipped. */
  approvals?: readonly ApprovalRecord[];
  now: Date;
  timeZone?: string;
}

function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

function factsAbout(request: ExplainableRequest, timeZone: string): string[] {
  const { device } = request;
  const facts = [
    device.manufacturer.trim() ? `Maker: ${device.manufacturer.trim()} (vendor id ${device.id.vendor})` : `Maker: not given (vendor id ${device.id.vendor})`,
    `Model: ${device.name.trim() || 'not given'} (vendor:product ${vendorProduct(device)})`,
    device.serial.trim()
      ? `Serial number: ${device.serial}`
      : 'No serial number: it can be approved only by model (every device like it) or by hash (this exact device description)',
  ];
  const codes = distinctInterfaceTypes(device.interfaces);
  facts.push(codes.length === 0 ? 'Presents itself as: nothing (it reports no interfaces)' : `Presents itself as: ${listInWords(codes.map((code) => `${interfaceWords(code, device.id.vendor)} (${code})`))}`);
  const encrypted = encryptedStorageModel(device);
  if (encrypted !== undefined) facts.push(`Reports itself as a hardware-encrypted model (${encrypted.family})`);
  const asked = `Asked for by ${request.user || 'an unnamed user'} on ${request.machine} on ${localDate(new Date(request.requestedAt), timeZone)}, for ${plural(request.durationDays, 'day', 'days')}`;
  facts.push(request.mergedCount ? `${asked} (asked for ${plural(request.mergedCount + 1, 'time', 'times')} in all)` : asked);
  return facts;
}

function warningsAbout(request: ExplainableRequest, classified: string[], noun: string): string[] {
  const warnings = [...new Set([...classified, ...request.device.warnings])];
  const network = networkWarning(request.device.interfaces, request.device.id.vendor, noun);
  if (network !== undefined) warnings.push(network);
  const serial = placeholderSerialWarning(request.device.serial);
  if (serial !== undefined) warnings.push(serial);
  if (!request.userVerified) warnings.push(`the agent could not confirm that ${request.user || 'the requester'} made this request: the name is the requesting program's word`);
  return warnings;
}

function seenBefore(sightings: readonly Sighting[], timeZone: string): string[] {
  const byMachine = new Map<string, { machine: string; dates: string[]; users: Set<string>; last: number }>();
  for (const s of sightings) {
    const key = s.machine.toLowerCase();
    const seen = byMachine.get(key) ?? { machine: s.machine, dates: [], users: new Set<string>(), last: -Infinity };
    seen.dates.push(localDate(new Date(s.at), timeZone));
    if (s.user) seen.users.add(s.user);
    seen.last = Math.max(seen.last, Date.parse(s.at));
    byMachine.set(key, seen);
  }
  return [...byMachine.values()]
    .sort((a, b) => b.last - a.last || (a.machine < b.machine ? -1 : 1))
    .map(({ machine, dates, users }) => {
      const sorted = [...dates].sort();
      const when = sorted.length === 1 ? `on ${sorted[0]}` : `${sorted.length} times, from ${sorted[0]} to ${sorted[sorted.length - 1]}`;
      return `Seen on ${machine} ${when}${users.size > 0 ? ` (by ${listInWords([...users].sort())})` : ''}`;
    });
}

function parsed(text: string): Rule | undefined {
  try {
    return parseRule(text);
  } catch (error) {
    if (error instanceof RuleSyntaxError) return undefined;
    throw error;
  }
}

/** "interfaces 08:06:50 only (this one also presents 03:01:01)". */
function differentInterfaces(rule: Rule, interfaces: RequestedDevice['interfaces']): string {
  const approved = (rule.withInterface?.values ?? []).map((p) => `${p.classCode}:${p.subclass}:${p.protocol}`);
  const extra = distinctInterfaceTypes(interfaces).filter((code) => !approved.includes(code));
  const missing = [...new Set(approved)].filter((code) => !distinctInterfaceTypes(interfaces).includes(code));
  const differences = [extra.length > 0 ? `this one also presents ${extra.join(' ')}` : '', missing.length > 0 ? `this one lacks ${missing.join(' ')}` : ''].filter(Boolean);
  return `interfaces ${[...new Set(approved)].join(' ')} only (${differences.join('; ') || 'in another arrangement'})`;
}

function similarApprovals(request: ExplainableRequest, approvals: readonly ApprovalRecord[], now: Date): string[] {
  const { device } = request;
  const id = vendorProduct(device).toLowerCase();
  const matchable = { ...device, parentHash: '', viaPort: '', connectType: '' };
  const found: { rank: number; record: ApprovalRecord; text: string }[] = [];
  for (const record of approvals.filter((r) => approvalActive(r, now))) {
    const rule = parsed(record.entry.rule);
    if (rule === undefined || rule.target !== 'allow') continue;
    const sameId = rule.id?.values.some((v) => `${v.vendor}:${v.product}`.toLowerCase() === id) ?? false;
    const pinned = rule.serial !== undefined || rule.hash !== undefined;
    const where = `${describeScope(record.entry.scope)}${record.entry.expires ? `, until ${record.entry.expires}` : ''} (rule ${record.entry.id}${record.entry.approvedBy ? `, approved by ${record.entry.approvedBy}` : ''})`;
    if (compileDeviceMatch(rule)(matchable)) {
      found.push(pinned ? { rank: 0, record, text: `This same device is approved ${where}` } : { rank: 1, record, text: `Its model is approved ${where}` });
    } else if (sameId && rule.serial !== undefined && device.serial !== '' && rule.serial.values.includes(device.serial)) {
      found.push({ rank: 0, record, text: `A device with the same id and serial number but different interfaces is approved ${where}: this one may not be the device that was approved` });
    } else if (sameId && rule.withInterface !== undefined && !pinned) {
      found.push({ rank: 1, record, text: `Its model is approved ${where}, but with ${differentInterfaces(rule, device.interfaces)}: this device is not the model that was approved` });
    } else if (sameId) {
      const which = rule.serial ? `another ${makerAndModel(device)} (serial ${rule.serial.values.map((s) => JSON.stringify(s)).join(', ')})` : `a device with the same id ${vendorProduct(device)} but a different description`;
      found.push({ rank: 2, record, text: `${capitalise(which)} is approved ${where}` });
    }
  }
  return found.sort((a, b) => a.rank - b.rank || compareApprovals(a.record, b.record)).map((f) => f.text);
}

/** The explanation of `request` for SLT: pure, from the request, earlier sightings and the approvals in force. */
export function explainDevice(request: ExplainableRequest, options: ExplainOptions): DeviceExplanation {
  const timeZone = options.timeZone ?? SCHOOL_TIME_ZONE;
  const { device } = request;
  const { kind, warnings } = classifyDevice({ interfaces: device.interfaces, name: device.name, vendor: device.id.vendor });
  const noun = kindNoun(kind);
  return {
    headline: `${request.user || 'Someone'} asks to use ${withArticle(noun)} (${makerAndModel(device)}) on ${request.machine}`,
    facts: factsAbout(request, timeZone),
    warnings: warningsAbout(request, warnings, noun),
    seenBefore: seenBefore(options.sightings ?? [], timeZone),
    similar: similarApprovals(request, options.approvals ?? [], options.now),
  };
}
