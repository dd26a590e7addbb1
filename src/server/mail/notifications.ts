/** The console server's three emails (approval needed, request decided, policy violation) as pure functions from facts to a message. */
import type { DeviceKind } from '../../devices/device';
import { kindNoun } from '../../devices/device-kind';
import { describeDevice } from '../../policy/describe-device';
import { assertNever } from '../../util/assert-never';
import { type Block, formatWhen, oneLine, plural, renderBody, sentence } from './mail-format';

/** One email, ready for the mailer: the subject is one line, the HTML is escaped. */
export interface MailMessage {
  to: string[];
  subject: string;
  text: string;
  html: string;
}

/** What a message may say about a device: its description, never anything stored on it. */
export interface NotifiedDevice {
  kind: DeviceKind;
  name: string;
  manufacturer: string;
  id: { vendor: string; product: string };
  /** Plain-English warnings ("this USB storage device also presents itself as a keyboard"). */
  warnings: readonly string[];
}

/** An approval request as the messages need it. */
export interface RequestFacts {
  id: string;
  device: NotifiedDevice;
  /** The member of staff's user name on the PC (`kteacher`). */
  requester: string;
  machine: string;
  justification: string;
  /** How long they asked for, in days; absent if they did not say. */
  durationDays?: number;
  requestedAt: string;
}

/** Who an approval covers; an absent list means "any". */
export interface ApprovalScope {
  machines?: readonly string[];
  groups?: readonly string[];
  users?: readonly string[];
}

export type RequestDecision = { outcome: 'approved'; scope: ApprovalScope; expires?: string } | { outcome: 'refused'; reason: string };

/** Something the policy asks the headteacher to be told about. */
export type PolicyViolation =
  | { kind: 'dangerous-device-blocked'; machine: string; time: string; user?: string; device: NotifiedDevice; reason: string }
  | { kind: 'audit-chain-broken'; machine: string; time: string; detail: string }
  | { kind: 'agent-tampered'; machine: string; time: string; detail: string };

export interface NotificationContext {
  /** The console's public address, without a trailing slash (`MailSettings.consoleUrl`). */
  consoleUrl: string;
  /** The school's time zone, for dates in messages. */
  timeZone?: string;
}

const SCHOOL_TIME_ZONE = 'Europe/London';

/** The console pages messages link to (they must match the console's routes: the requests page lists every request). */
export function requestPageUrl(consoleUrl: string): string {
  return `${consoleUrl}/requests`;
}

export function auditPageUrl(consoleUrl: string, machine: string): string {
  return `${consoleUrl}/audit?machine=${encodeURIComponent(machine)}`;
}

/** "USB storage device 'Cruzer Blade'", or just "USB storage device" for a device with no name. */
export function deviceLabel(device: NotifiedDevice): string {
  const name = oneLine(device.name, 60);
  return name === '' ? kindNoun(device.kind) : `${kindNoun(device.kind)} '${name}'`;
}

function deviceRows(device: NotifiedDevice): Array<readonly [string, string]> {
  return [
    ['Device', device.name.trim() === '' ? '(no name given)' : device.name],
    ['What it is', describeDevice(device)],
    ['USB id', `${device.id.vendor}:${device.id.product}`],
  ];
}

function warningBlocks(device: NotifiedDevice): Block[] {
  return device.warnings.length === 0 ? [] : [{ type: 'list', title: 'Please note:', items: device.warnings.map(sentence) }];
}

function message(to: readonly string[], subject: string, blocks: readonly Block[]): MailMessage {
  const title = oneLine(subject);
  return { to: [...to], subject: title, ...renderBody(title, blocks) };
}

/** To every SLT approver: a member of staff has asked to use a blocked device. */
export function approvalNeededMessage(request: RequestFacts, approvers: readonly string[], context: NotificationContext): MailMessage {
  const timeZone = context.timeZone ?? SCHOOL_TIME_ZONE;
  const label = deviceLabel(request.device);
  return message(approvers, `Approval needed: ${label} on ${oneLine(request.machine, 60)} for ${oneLine(request.requester, 60)}`, [
    { type: 'paragraph', text: `${request.requester} has asked to use a device on ${request.machine}. It stays blocked until a member of the SLT approves it.` },
    {
      type: 'facts',
      rows: [
        ...deviceRows(request.device),
        ['Computer', request.machine],
        ['Asked for by', request.requester],
        ['For how long', request.durationDays === undefined ? 'not stated' : plural(request.durationDays, 'day')],
        ['Asked on', formatWhen(request.requestedAt, timeZone)],
      ],
    },
    ...warningBlocks(request.device),
    { type: 'quote', title: 'Their reason:', text: request.justification.trim() === '' ? '(none given)' : request.justification },
    { type: 'paragraph', text: 'You can approve it, for a scope and until a date you choose, or refuse it, in the Portcullis console.' },
    { type: 'link', text: 'Review the request', url: requestPageUrl(context.consoleUrl) },
  ]);
}

function listOr(values: readonly string[] | undefined, any: string): string {
  return values === undefined || values.length === 0 ? any : values.join(', ');
}

function scopeRows(scope: ApprovalScope): Array<readonly [string, string]> {
  const rows: Array<readonly [string, string]> = [['Computers', listOr(scope.machines, 'any school computer')]];
  if (scope.groups !== undefined && scope.groups.length > 0) rows.push(['Computer groups', scope.groups.join(', ')]);
  rows.push(['People', listOr(scope.users, 'anyone')]);
  return rows;
}

/** To the member of staff who asked: their request was approved (with its scope and expiry) or refused (with the reason). */
export function requestDecidedMessage(
  request: RequestFacts,
  requesterEmail: string,
  decision: RequestDecision,
  context: NotificationContext,
): MailMessage {
  const timeZone = context.timeZone ?? SCHOOL_TIME_ZONE;
  const label = deviceLabel(request.device);
  const where = oneLine(request.machine, 60);
  const asked: Block = { type: 'facts', rows: [...deviceRows(request.device), ['Computer', request.machine], ['Asked on', formatWhen(request.requestedAt, timeZone)]] };
  const link: Block = { type: 'link', text: 'The request in the Portcullis console', url: requestPageUrl(context.consoleUrl) };
  switch (decision.outcome) {
    case 'approved':
      return message([requesterEmail], `Approved: ${label} on ${where}`, [
        { type: 'paragraph', text: `Your request to use the ${label} on ${request.machine} has been approved.` },
        asked,
        { type: 'paragraph', text: 'The approval covers:' },
        { type: 'facts', rows: [...scopeRows(decision.scope), ['Until', decision.expires === undefined ? 'no end date' : formatWhen(decision.expires, timeZone)]] },
        { type: 'paragraph', text: 'The computer allows the device once it has the updated policy, usually within a minute. If it is still blocked, unplug it and plug it in again.' },
        link,
      ]);
    case 'refused':
      return message([requesterEmail], `Not approved: ${label} on ${where}`, [
        { type: 'paragraph', text: `Your request to use the ${label} on ${request.machine} has not been approved, so it stays blocked.` },
        asked,
        { type: 'quote', title: 'The reason given:', text: decision.reason.trim() === '' ? '(none given)' : decision.reason },
        { type: 'paragraph', text: 'If you have a question about this, please speak to a member of the Senior Leadership Team.' },
        link,
      ]);
    default:
      return assertNever(decision);
  }
}

function violationSubject(violation: PolicyViolation): string {
  const where = oneLine(violation.machine, 60);
  switch (violation.kind) {
    case 'dangerous-device-blocked':
      return `Policy alert: ${deviceLabel(violation.device)} blocked on ${where}`;
    case 'audit-chain-broken':
      return `Policy alert: the audit log of ${where} does not join up`;
    case 'agent-tampered':
      return `Policy alert: Portcullis on ${where} may have been tampered with`;
    default:
      return assertNever(violation);
  }
}

function violationBlocks(violation: PolicyViolation, when: string): Block[] {
  switch (violation.kind) {
    case 'dangerous-device-blocked':
      return [
        { type: 'paragraph', text: `Portcullis blocked the ${deviceLabel(violation.device)} plugged into ${violation.machine}, so it could not be used.` },
        { type: 'facts', rows: [...deviceRows(violation.device), ['Where', violation.machine], ['When', when], ['Logged on', violation.user ?? 'no one'], ['Why it was blocked', violation.reason]] },
        ...warningBlocks(violation.device),
      ];
    case 'audit-chain-broken':
      return [
        { type: 'paragraph', text: `The audit log sent by ${violation.machine} does not join up: some records may be missing or have been changed. A disk fault can cause this, but so can tampering, so IT staff should look at the computer.` },
        { type: 'facts', rows: [['Where', violation.machine], ['When', when], ['What was found', violation.detail]] },
      ];
    case 'agent-tampered':
      return [
        { type: 'paragraph', text: `The Portcullis service on ${violation.machine} reported that it, or its settings, may have been interfered with. IT staff should look at the computer.` },
        { type: 'facts', rows: [['Where', violation.machine], ['When', when], ['What was found', violation.detail]] },
      ];
    default:
      return assertNever(violation);
  }
}

/** To the headteacher: a policy violation was recorded (what, where, when). */
export function policyViolationMessage(violation: PolicyViolation, headteachers: readonly string[], context: NotificationContext): MailMessage {
  const when = formatWhen(violation.time, context.timeZone ?? SCHOOL_TIME_ZONE);
  return message(headteachers, violationSubject(violation), [
    ...violationBlocks(violation, when),
    { type: 'paragraph', text: 'The full record is in the Portcullis console.' },
    { type: 'link', text: `The audit log of ${violation.machine}`, url: auditPageUrl(context.consoleUrl, violation.machine) },
  ]);
}
