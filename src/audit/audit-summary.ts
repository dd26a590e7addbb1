/** Audit records in words for people: one line per record, as `portcullis audit tail` prints them. */

import { kindNoun } from '../devices/device-kind';
import { assertNever } from '../util/assert-never';
import type { AuditEvent, DeviceIdentity } from './audit-event';
import type { AuditRecord } from './audit-record';

const VERB = { allow: 'allowed', block: 'blocked', reject: 'rejected' } as const;

/** `0781:5567 Cruzer Blade (USB storage device)`. */
export function deviceLabel(device: DeviceIdentity): string {
  const name = device.name.trim();
  return `${device.id}${name === '' ? '' : ` ${name}`} (${kindNoun(device.kind)})`;
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

/** `blocked 0781:5567 Cruzer Blade (USB storage device): no rule allows ...`: the device goes after the verb the reason starts with. */
function decided(event: Extract<AuditEvent, { type: 'device-decided' }>): string {
  const verb = VERB[event.target];
  const label = `${verb} ${deviceLabel(event.device)}`;
  if (event.reason.startsWith(`${verb}: `) || event.reason.startsWith(`${verb} `)) return `${label}${event.reason.slice(verb.length)}`;
  return `${label}: ${event.reason}`;
}

function pruned(event: Extract<AuditEvent, { type: 'audit-pruned' }>): string {
  const range = event.firstSeq !== undefined && event.lastSeq !== undefined ? `seq ${event.firstSeq}..${event.lastSeq}` : 'of an unknown seq range';
  const last = event.lastTime === undefined ? '' : `, the last from ${event.lastTime}`;
  const why = event.reason === 'retention' ? 'past the retention period' : 'beyond the number of rotated files kept';
  return `audit records ${range} deleted (${plural(event.files, 'file')} ${why}${last})`;
}

/**
 * A duration as people read it: `42s`, `5m 02s`, `1h 05m 02s` (to the nearest second).
 * Negative or non-finite values (which no record should hold) show as `0s`.
 */
export function formatDuration(ms: number): string {
  const total = Number.isFinite(ms) && ms > 0 ? Math.round(ms / 1000) : 0;
  const [hours, minutes, seconds] = [Math.floor(total / 3600), Math.floor(total / 60) % 60, total % 60];
  const two = (n: number): string => String(n).padStart(2, '0');
  if (hours > 0) return `${hours}h ${two(minutes)}m ${two(seconds)}s`;
  return minutes > 0 ? `${minutes}m ${two(seconds)}s` : `${seconds}s`;
}

type IdleEvent = Extract<AuditEvent, { type: `idle-${string}` | `presenting-${string}` }>;

const ACTION = { lock: { noun: 'lock', verb: 'locks' }, logoff: { noun: 'logoff', verb: 'logs off' } } as const;
const DISMISSED_BY = { input: 'input', 'still-here': '"I\'m still here"' } as const;
const PRESENTING_END = { user: 'by the user', limit: 'time limit reached' } as const;

/** Idle locking and presenting mode in words; the warning's deadline in `timeZone`. */
function idleWords(event: IdleEvent, timeZone: string | undefined): string {
  switch (event.type) {
    case 'idle-warning':
      return `${ACTION[event.action].noun} warning in session ${event.session}: ${ACTION[event.action].verb} at ${formatLocalTime(event.deadline, timeZone)} unless dismissed`;
    case 'idle-warning-dismissed':
      return `${ACTION[event.action].noun} warning dismissed in session ${event.session} (${DISMISSED_BY[event.by]})`;
    case 'idle-locked':
      return `locked session ${event.session} after ${formatDuration(event.idleMs)} idle (${event.by})`;
    case 'idle-logged-off':
      return `logged off session ${event.session}, locked for ${formatDuration(event.lockedForMs)} (${event.by})`;
    case 'idle-action-failed':
      return `idle ${ACTION[event.action].noun} FAILED for session ${event.session}: ${event.error}`;
    case 'idle-exemption-applied':
      return `idle lock exemption applied to session ${event.session}: ${event.reason}`;
    case 'presenting-started':
      return `presenting mode started in session ${event.session}, until ${formatLocalTime(event.until, timeZone)}`;
    case 'presenting-ended':
      return `presenting mode ended in session ${event.session} (${PRESENTING_END[event.reason]})`;
    case 'presenting-refused':
      return `presenting mode refused in session ${event.session}: ${event.reason}`;
    default:
      return assertNever(event);
  }
}

/** What happened, in one line without time, machine or user; times an event carries are shown in the computer's own time zone. */
export function summariseEvent(event: AuditEvent): string {
  return eventWords(event, undefined);
}

function eventWords(event: AuditEvent, timeZone: string | undefined): string {
  switch (event.type) {
    case 'service-started':
      return `service started: version ${event.version}, ${event.mode} mode, policy ${event.policy}`;
    case 'service-stopped':
      return `service stopped: ${event.reason}`;
    case 'policy-loaded':
      return `policy loaded from ${event.source}: ${event.version === undefined ? '' : `version ${event.version}, `}${plural(event.ruleCount, 'rule')} in force`;
    case 'policy-refused':
      return `policy refused from ${event.source}: ${event.reason}`;
    case 'device-arrived':
      return `arrived ${deviceLabel(event.device)}${event.device.viaPort === '' ? '' : ` at port ${event.device.viaPort}`}`;
    case 'device-decided':
      return decided(event);
    case 'device-enforced':
      return event.ok
        ? `enforced ${deviceLabel(event.device)} (${event.enforcer}): ${event.detail}`
        : `enforcement FAILED for ${deviceLabel(event.device)} (${event.enforcer}): ${event.error}`;
    case 'device-removed':
      return `removed ${deviceLabel(event.device)}`;
    case 'approval-requested':
      return `approval requested for ${deviceLabel(event.device)} by ${event.user} (${event.requestId}): "${event.justification}"`;
    case 'offline-code-accepted':
      return `one-time code from SLT accepted for ${deviceLabel(event.device)}, typed by ${event.user}: allowed until ${formatLocalTime(event.expires, timeZone)}`;
    case 'offline-code-refused':
      return `one-time code refused for ${deviceLabel(event.device)}, typed by ${event.user}: ${event.reason}`;
    case 'audit-repaired':
      return `audit log repaired: ${plural(event.lostBytes, 'byte')} of a record cut off mid-write${event.afterSeq === undefined ? '' : ` after seq ${event.afterSeq}`} removed`;
    case 'audit-pruned':
      return pruned(event);
    case 'idle-warning':
    case 'idle-warning-dismissed':
    case 'idle-locked':
    case 'idle-logged-off':
    case 'idle-action-failed':
    case 'idle-exemption-applied':
    case 'presenting-started':
    case 'presenting-ended':
    case 'presenting-refused':
      return idleWords(event, timeZone);
    default:
      return assertNever(event);
  }
}

/** `2026-11-28 10:02:11` in the given time zone (the computer's own when undefined). */
export function formatLocalTime(iso: string, timeZone?: string): string {
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(new Date(iso));
  const part = (type: Intl.DateTimeFormatPartTypes): string => parts.find((p) => p.type === type)?.value ?? '';
  return `${part('year')}-${part('month')}-${part('day')} ${part('hour')}:${part('minute')}:${part('second')}`;
}

/** Control characters as `\x1b`: a device's name must not move the cursor, clear the screen or start a fake line on a terminal. */
export function printable(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/** `2026-11-28 10:02:11  ICT-07  jsmith  blocked 0781:5567 ...` (`-` when no one was logged on), safe to print on a terminal. */
export function formatRecordForPeople(record: AuditRecord, timeZone?: string): string {
  return printable(`${formatLocalTime(record.time, timeZone)}  ${record.machine}  ${record.user ?? '-'}  ${eventWords(record.event, timeZone)}`);
}
