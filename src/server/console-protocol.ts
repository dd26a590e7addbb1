/** What the console's web pages and the console server say to each other: the paths, who may call each, and the schema of every body and answer. */
import { z } from 'zod';
import { approvalDecisionSchema } from './approvals/approval-scope';

export type ConsoleRole = 'slt-approver' | 'it-admin' | 'headteacher' | 'dpo';

/**
 * Every call needs a console session (the cookie from POST /api/session); every state-changing
 * call also the `X-CSRF-Token` header. `roles`: who may make it (others get 403 naming them).
 */
export const CONSOLE_ROUTES = {
  listRequests: { method: 'GET', path: '/api/requests', roles: ['slt-approver', 'headteacher', 'it-admin'] },
  approveRequest: { method: 'POST', path: '/api/requests/:id/approve', roles: ['slt-approver'] },
  refuseRequest: { method: 'POST', path: '/api/requests/:id/refuse', roles: ['slt-approver'] },
  listApprovals: { method: 'GET', path: '/api/approvals', roles: ['slt-approver', 'headteacher', 'it-admin', 'dpo'] },
  approvalsCsv: { method: 'GET', path: '/api/approvals.csv', roles: ['slt-approver', 'headteacher', 'it-admin', 'dpo'] },
  revokeApproval: { method: 'POST', path: '/api/approvals/:id/revoke', roles: ['slt-approver'] },
  listEvents: { method: 'GET', path: '/api/events', roles: ['slt-approver', 'headteacher', 'it-admin', 'dpo'] },
  listDevices: { method: 'GET', path: '/api/devices', roles: ['slt-approver', 'headteacher', 'it-admin'] },
  report: { method: 'GET', path: '/api/reports/summary', roles: ['headteacher', 'slt-approver'] },
  subjectAccessExport: { method: 'GET', path: '/api/staff/:user/export', roles: ['dpo'] },
  getRetention: { method: 'GET', path: '/api/settings/retention', roles: ['dpo', 'it-admin'] },
  setRetention: { method: 'PUT', path: '/api/settings/retention', roles: ['dpo'] },
  getTermDates: { method: 'GET', path: '/api/settings/term-dates', roles: ['slt-approver', 'it-admin'] },
  setTermDates: { method: 'PUT', path: '/api/settings/term-dates', roles: ['it-admin'] },
  createEnrolToken: { method: 'POST', path: '/api/enrol-tokens', roles: ['it-admin'] },
  listAgents: { method: 'GET', path: '/api/agents', roles: ['it-admin'] },
  revokeAgent: { method: 'POST', path: '/api/agents/:id/revoke', roles: ['it-admin'] },
  issueOfflineCode: { method: 'POST', path: '/api/offline-codes', roles: ['slt-approver'] },
  getBasePolicy: { method: 'GET', path: '/api/policy/base', roles: ['it-admin', 'slt-approver', 'headteacher'] },
  setBasePolicy: { method: 'PUT', path: '/api/policy/base', roles: ['it-admin'] },
} as const satisfies Record<string, { method: 'GET' | 'POST' | 'PUT'; path: string; roles: readonly ConsoleRole[] }>;

const text = (max: number) => z.string().trim().min(1).max(max);

/** One pending (or decided) request as the queue page shows it, explained in plain words. */
export const requestView = z.strictObject({
  id: z.string(),
  status: z.enum(['pending', 'approved', 'refused', 'withdrawn']),
  machine: z.string(),
  requester: z.string(),
  requesterVerified: z.boolean(),
  requestedAt: z.string(),
  durationDays: z.int(),
  justifications: z.array(z.string()),
  mergedCount: z.int(),
  explanation: z.strictObject({ headline: z.string(), facts: z.array(z.string()), warnings: z.array(z.string()), seenBefore: z.array(z.string()), similar: z.array(z.string()) }),
  /** Whether the device reports a serial number (without one, only "this model" or "this exact description" can be approved). */
  hasSerial: z.boolean(),
  decidedBy: z.string().optional(),
  decisionReason: z.string().optional(),
});
export type RequestView = z.infer<typeof requestView>;

export const requestsQuery = z.strictObject({ status: z.enum(['pending', 'approved', 'refused', 'withdrawn', 'all']).default('pending') });
export const approveBody = z.strictObject({ decision: approvalDecisionSchema });
export const approveAnswer = z.strictObject({ approvalId: z.string(), policyVersion: z.int(), expires: z.string() });
export const refuseBody = z.strictObject({ reason: text(1000) });
export const revokeBody = z.strictObject({ reason: text(1000) });

/** One approval in the register governors and auditors ask for. */
export const approvalView = z.strictObject({
  id: z.string(),
  requestId: z.string().nullable(),
  device: z.string(),
  rule: z.string(),
  scope: z.string(),
  expires: z.string(),
  conditions: z.array(z.string()),
  approvedBy: z.string(),
  createdAt: z.string(),
  status: z.enum(['active', 'expired', 'revoked']),
  revokedBy: z.string().optional(),
  revokedAt: z.string().optional(),
});
export const approvalsQuery = z.strictObject({
  q: z.string().max(200).optional(),
  status: z.enum(['active', 'expired', 'revoked', 'all']).default('all'),
  approvedBy: z.string().max(200).optional(),
});

export const eventsQuery = z.strictObject({
  machine: z.string().max(253).optional(),
  user: z.string().max(100).optional(),
  type: z.string().max(50).optional(),
  since: z.iso.date().optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(200),
});

export const summaryQuery = z.strictObject({ since: z.iso.date().optional(), until: z.iso.date().optional() });
export const summaryAnswer = z.strictObject({
  blockedAttempts: z.array(z.strictObject({ machine: z.string(), device: z.string(), count: z.int() })),
  approvalsBy: z.array(z.strictObject({ approver: z.string(), approved: z.int(), refused: z.int() })),
  idleLocks: z.array(z.strictObject({ machine: z.string(), locks: z.int(), logoffs: z.int(), longestIdleBeforeLockMs: z.int().nullable() })),
  chainBreaks: z.array(z.strictObject({ machine: z.string(), agentId: z.string() })),
});

/** Months of audit records kept; older ones are deleted for real (UK GDPR storage limitation). */
export const retentionBody = z.strictObject({ months: z.int().min(1).max(120) });
export const enrolTokenBody = z.strictObject({ hours: z.int().min(1).max(24 * 14).default(24) });
export const offlineCodeBody = z.strictObject({ requestId: z.string().min(1), hours: z.int().min(1).max(24 * 30).default(24) });

// Answers and bodies the contract above left open, as the server sends and reads them.

export const requestsAnswer = z.strictObject({ requests: z.array(requestView) });
export const refuseAnswer = z.strictObject({ requestId: z.string(), status: z.literal('refused') });
export const revokeAnswer = z.strictObject({ approvalId: z.string(), policyVersion: z.int() });
/** Where the register's `device`, `machine` and approver come from; what `q` searches. */
export const approvalRegisterView = approvalView.extend({
  /** The PC the request came from. */
  machine: z.string(),
  revokeReason: z.string().optional(),
  /** The policy version the approval was first published in. */
  policyVersion: z.int().nullable(),
});
export type ApprovalRegisterView = z.infer<typeof approvalRegisterView>;
export const approvalsAnswer = z.strictObject({ approvals: z.array(approvalRegisterView) });

/** One audit record from a PC, newest first; `event` is the record's event as the agent wrote it. */
export const eventView = z.strictObject({
  agentId: z.string(),
  seq: z.int(),
  time: z.string(),
  machine: z.string(),
  user: z.string().nullable(),
  type: z.string(),
  /** What happened in one line of words. */
  summary: z.string(),
  /** False when the record does not follow the one before it in the PC's chain (edited, after a gap, out of order). */
  chainOk: z.boolean(),
  event: z.record(z.string(), z.unknown()),
});
export const eventsAnswer = z.strictObject({ events: z.array(eventView) });

/** One device seen somewhere in the school (in decisions the PCs recorded, or in requests), with its last decision. */
export const deviceView = z.strictObject({
  /** The device hash, or `vendor:product serial` for a device without one. */
  key: z.string(),
  vendorProduct: z.string(),
  name: z.string(),
  serial: z.string(),
  kind: z.string(),
  hash: z.string(),
  /** Decisions recorded for it. */
  sightings: z.int(),
  /** The PCs that recorded it; for a device with no sightings, the PCs it was asked for on; its lastSeenAt, lastMachine and lastUser are then its latest request's. */
  machines: z.array(z.string()),
  lastSeenAt: z.string(),
  lastMachine: z.string(),
  lastUser: z.string().nullable(),
  lastDecision: z.enum(['allow', 'block', 'reject']).nullable(),
  lastReason: z.string().nullable(),
  /** Requests made for it, and how many are still pending. */
  requests: z.int(),
  pendingRequests: z.int(),
});
export const devicesAnswer = z.strictObject({ devices: z.array(deviceView) });

const sarRequest = z.strictObject({
  id: z.string(),
  machine: z.string(),
  device: z.string(),
  justification: z.string(),
  durationDays: z.int().nullable(),
  status: z.string(),
  requestedAt: z.string(),
  decidedAt: z.string().nullable(),
  decidedBy: z.string().nullable(),
  decisionReason: z.string().nullable(),
});
const sarForwarded = z.strictObject({ requestId: z.string(), machine: z.string(), justification: z.string(), durationDays: z.int(), requestedAt: z.string(), verified: z.boolean() });
const sarAudit = z.strictObject({ machine: z.string(), time: z.string(), seq: z.int(), type: z.string(), summary: z.string(), event: z.record(z.string(), z.unknown()) });
const sarApproval = z.strictObject({ id: z.string(), requestId: z.string().nullable(), device: z.string(), rule: z.string(), scope: z.string(), expires: z.string(), approvedBy: z.string(), createdAt: z.string(), revokedAt: z.string().nullable(), reason: z.string() });
/** Everything the server holds about one member of staff (UK GDPR Article 15), for the DPO to send them. */
export const subjectAccessAnswer = z.strictObject({
  subject: z.string(),
  generatedAt: z.string(),
  generatedBy: z.string(),
  /** How the records were matched, and what the server does not hold. */
  notes: z.array(z.string()),
  summary: z.strictObject({ requests: z.int(), forwardedRequests: z.int(), auditRecords: z.int(), approvals: z.int(), machines: z.array(z.string()), firstRecord: z.string().nullable(), lastRecord: z.string().nullable() }),
  requests: z.array(sarRequest),
  forwardedRequests: z.array(sarForwarded),
  auditRecords: z.array(sarAudit),
  approvals: z.array(sarApproval),
});
export type SubjectAccessExport = z.infer<typeof subjectAccessAnswer>;
export const staffParams = z.strictObject({ user: z.string().trim().min(1).max(100) });

export const retentionAnswer = z.strictObject({
  months: z.int(),
  /** The last daily deletion: when, and how many rows of each kind went. */
  lastPurge: z.strictObject({ at: z.string(), cutoff: z.string(), auditRecords: z.int(), requests: z.int(), approvals: z.int() }).nullable(),
});

/** The terms as parseTermDates reads them: `{ name, start, end }`, ISO dates, no two overlapping. */
export const termDatesBody = z.strictObject({ terms: z.array(z.unknown()).max(100) });
export const termDatesAnswer = z.strictObject({
  terms: z.array(z.strictObject({ name: z.string(), start: z.string(), end: z.string() })),
  /** The default expiry of an approval made today: the end of the current (or next) term. */
  endOfCurrentTerm: z.string().nullable(),
});

export const enrolTokenAnswer = z.strictObject({ token: z.string(), expiresAt: z.string() });
export const agentView = z.strictObject({
  id: z.string(),
  machine: z.string(),
  agentVersion: z.string().nullable(),
  enrolledAt: z.string(),
  lastSeenAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
  revokedBy: z.string().nullable(),
  auditChainOk: z.boolean(),
  auditChainBreak: z.string().nullable(),
});
export const agentsAnswer = z.strictObject({ agents: z.array(agentView) });
export const revokeAgentBody = z.strictObject({}).optional();
export const revokeAgentAnswer = z.strictObject({ agentId: z.string(), revokedAt: z.string() });
export const offlineCodeAnswer = z.strictObject({
  /** `XXXX-XXXX-XXXX-XXXX`: read it out to the member of staff at the PC. */
  code: z.string(),
  expiresAt: z.string(),
  machine: z.string(),
  device: z.string(),
});
export const idParams = z.strictObject({ id: z.string().min(1).max(100) });

/** The school's base policy as JSON text (docs/server-agents.md): what every PC has besides SLT's approvals. */
export const basePolicyBody = z.strictObject({ text: z.string().min(1).max(60 * 1024) });
export const basePolicyAnswer = z.strictObject({
  text: z.string(),
  /** The published version it was read from; null while the built-in default is in force. */
  version: z.int().nullable(),
});
export const setBasePolicyAnswer = z.strictObject({ policyVersion: z.int() });
