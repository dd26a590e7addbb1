/** The DPO's subject access export: every record the server holds about one member of staff (requests, forwarded copies, audit records, approvals naming them) as one JSON document. */

import type { AuditEvent } from '../audit/audit-event';
import { summariseEvent } from '../audit/audit-summary';
import { SELECT_APPROVALS, entryOf, type ApprovalRow } from './approval-records';
import { describeScope } from './approvals/device-words';
import { jsonText } from './audit-queries';
import type { SubjectAccessExport } from './console-protocol';
import { consoleSettings } from './console-settings';
import { deviceText, requestDevice, SELECT_REQUESTS, type RequestRow } from './console-requests';
import type { Database } from './db/database';
import { recordServerEvent } from './server-events';

interface AuditRow {
  machine: string;
  time: string;
  seq: number | bigint;
  event_json: string;
}

interface ForwardedExportRow {
  request_id: string;
  machine: string;
  justification: string;
  duration_days: number;
  requested_at: string;
  user_verified: number;
}

function summary(event: Record<string, unknown>): string {
  try {
    return summariseEvent(event as AuditEvent);
  } catch {
    return String(event.type ?? 'unknown event');
  }
}

function sameName(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

/**
 * The export for the member of staff known on the PCs as `user` (matched without regard to
 * case, as Windows does). Requests merged from several people show only this person's own
 * words; another person's justification is never included. The export is recorded as a
 * `subject-access-export` server event by `dpoId`.
 */
export async function subjectAccessExport(db: Database, user: string, dpo: { id: string; name: string }, now: Date): Promise<SubjectAccessExport> {
  const requestRows = await db.all<RequestRow>(`${SELECT_REQUESTS} WHERE lower(r.requester) = lower(?) ORDER BY r.created_at, r.id`, [user]);
  const forwarded = await db.all<ForwardedExportRow>(
    `SELECT f.request_id, r.machine, f.justification, f.duration_days, f.requested_at, f.user_verified FROM forwarded_requests f
     JOIN approval_requests r ON r.id = f.request_id WHERE lower(f.requester) = lower(?) ORDER BY f.requested_at, f.local_id`,
    [user],
  );
  const asked = jsonText(db.engine, ['user']);
  const audit = await db.all<AuditRow>(
    `SELECT machine, time, seq, event_json FROM audit_records
     WHERE lower(user_name) = lower(?) OR (event_type = 'approval-requested' AND lower(${asked}) = lower(?)) ORDER BY time, agent_id, seq`,
    [user, user],
  );
  const approvalRows = await db.all<ApprovalRow>(`${SELECT_APPROVALS} ORDER BY a.created_at, a.id`);
  const approvals = approvalRows.filter((row) => (row.requester !== null && sameName(row.requester, user)) || (row.entry_json !== null && (entryOf(row).scope?.users ?? []).some((name) => sameName(name, user))));
  const months = await consoleSettings.retentionMonths(db);

  const result: SubjectAccessExport = {
    subject: user,
    generatedAt: now.toISOString(),
    generatedBy: dpo.name,
    notes: [
      `Records are matched by the user name "${user}" on the school's PCs, without regard to case.`,
      `Audit records and decided requests older than ${months} months are deleted under the school's retention period, so they are not included.`,
      'Portcullis records which devices were connected, when and where, and the decisions made about them; never the contents of devices, files, keystrokes or screens.',
      'Where several members of staff asked for the same device, only this person\'s own words are included.',
    ],
    summary: { requests: 0, forwardedRequests: 0, auditRecords: 0, approvals: 0, machines: [], firstRecord: null, lastRecord: null },
    requests: requestRows.map((row) => ({
      id: row.id,
      machine: row.machine,
      device: deviceText(requestDevice(row)),
      justification: row.justification,
      durationDays: row.duration_days,
      status: row.status,
      requestedAt: row.created_at,
      decidedAt: row.decided_at,
      decidedBy: row.decider_name,
      decisionReason: row.decision_reason,
    })),
    forwardedRequests: forwarded.map((row) => ({ requestId: row.request_id, machine: row.machine, justification: row.justification, durationDays: Number(row.duration_days), requestedAt: row.requested_at, verified: row.user_verified === 1 })),
    auditRecords: audit.map((row) => {
      const event = JSON.parse(row.event_json) as Record<string, unknown>;
      return { machine: row.machine, time: row.time, seq: Number(row.seq), type: String(event.type), summary: summary(event), event };
    }),
    approvals: approvals.map((row) => {
      const entry = entryOf(row);
      return {
        id: row.id,
        requestId: row.request_id,
        device: row.device_text ?? row.rule,
        rule: row.rule,
        scope: describeScope(entry.scope),
        expires: row.expires ?? '',
        approvedBy: row.approver_name ?? entry.approvedBy ?? '',
        createdAt: row.created_at,
        revokedAt: row.revoked_at,
        reason: entry.reason ?? '',
      };
    }),
  };
  const times = [...result.requests.map((r) => r.requestedAt), ...result.forwardedRequests.map((f) => f.requestedAt), ...result.auditRecords.map((a) => a.time)].sort();
  result.summary = {
    requests: result.requests.length,
    forwardedRequests: result.forwardedRequests.length,
    auditRecords: result.auditRecords.length,
    approvals: result.approvals.length,
    machines: [...new Set([...result.requests.map((r) => r.machine), ...result.auditRecords.map((a) => a.machine)])].sort(),
    firstRecord: times[0] ?? null,
    lastRecord: times[times.length - 1] ?? null,
  };
  await recordServerEvent(db, now, { type: 'subject-access-export', actor: dpo.id, detail: { subject: user, requests: result.requests.length, auditRecords: result.auditRecords.length, approvals: result.approvals.length } });
  return result;
}
