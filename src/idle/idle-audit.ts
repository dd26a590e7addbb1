/** What of an idle session goes into the audit log: the controller's events as audit events (state changes alone are not recorded). */
import type { AuditEvent } from '../audit/audit-event';
import { assertNever } from '../util/assert-never';
import type { IdleEvent } from './idle-controller';

/** Who carried out a lock or logoff: the tray in the session, the service from outside it, or `portcullis idle run`. */
export type IdleActor = 'tray' | 'service' | 'command';

const iso = (at: number): string => new Date(at).toISOString();

/** The audit event for an idle event in `session`, or undefined for those not recorded. */
export function idleAuditEvent(event: IdleEvent, session: string, by: IdleActor): AuditEvent | undefined {
  switch (event.type) {
    case 'state':
      return undefined;
    case 'warning':
      return { type: 'idle-warning', action: event.action, session, deadline: iso(event.deadline) };
    case 'warning-dismissed':
      return { type: 'idle-warning-dismissed', action: event.action, session, by: event.by };
    case 'locking':
      return { type: 'idle-locked', session, idleMs: Math.round(event.idleMs), by };
    case 'logging-off':
      return { type: 'idle-logged-off', session, lockedForMs: Math.round(event.lockedForMs), by };
    case 'action-failed':
      return { type: 'idle-action-failed', action: event.action, session, error: event.error };
    case 'presenting-started':
      return { type: 'presenting-started', session, until: iso(event.until) };
    case 'presenting-ended':
      return { type: 'presenting-ended', session, reason: event.reason };
    case 'presenting-refused':
      return { type: 'presenting-refused', session, reason: event.reason };
    case 'exempt':
      return { type: 'idle-exemption-applied', session, reason: event.reason };
    default:
      return assertNever(event);
  }
}

/** An event as one JSON line for people and scripts: instants as ISO 8601 text. */
export function idleEventLine(event: IdleEvent): string {
  const { at, ...rest } = event;
  const times: Record<string, string> = {};
  if ('deadline' in event) times.deadline = iso(event.deadline);
  if ('until' in event) times.until = iso(event.until);
  if ('retryAt' in event) times.retryAt = iso(event.retryAt);
  return `${JSON.stringify({ time: iso(at), ...rest, ...times })}\n`;
}
