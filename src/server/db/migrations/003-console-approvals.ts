/** Migration 3: what the approvals console keeps beyond migrations 1 and 2 (each approval's policy rule entry, the server's own event log, and audit columns for the console's searches). */

import type { Migration } from '../migrations';

/**
 * - `approvals`: the policy rule entry the approval made (`entry_json`, what every later policy
 *   version is built from), the device and machine in words for the register, why it was revoked,
 *   and the policy version it was first published in.
 * - `server_events`: what the console server itself did that an auditor may ask about (approvals,
 *   refusals, revocations, settings changed, records deleted for retention), with the user who did
 *   it. Retention never deletes these: they are the record that deletion happened.
 * - `audit_records.event_type` and `device_hash`: read from `event_json` by the database itself
 *   (generated columns, so every writer fills them), indexed for the events page, the reports and
 *   "seen before". SQLite can add only a VIRTUAL generated column; PostgreSQL only a STORED one.
 * - Indexes for the subject access export (records by member of staff, whose user names compare
 *   without regard to case, as Windows does).
 */
const COMMON_BEFORE = `
ALTER TABLE approvals ADD COLUMN entry_json TEXT;
ALTER TABLE approvals ADD COLUMN device_text TEXT;
ALTER TABLE approvals ADD COLUMN machine TEXT;
ALTER TABLE approvals ADD COLUMN revoke_reason TEXT;
ALTER TABLE approvals ADD COLUMN policy_version INTEGER;

CREATE TABLE server_events (
  id TEXT PRIMARY KEY,
  time TEXT NOT NULL,
  type TEXT NOT NULL,
  actor TEXT REFERENCES users (id),
  detail_json TEXT NOT NULL
);
CREATE INDEX server_events_time ON server_events (time);
`;

const COMMON_AFTER = `
CREATE INDEX audit_records_type_time ON audit_records (event_type, time);
CREATE INDEX audit_records_device_hash ON audit_records (device_hash);
CREATE INDEX audit_records_user ON audit_records (lower(user_name));
CREATE INDEX approval_requests_requester ON approval_requests (lower(requester));
CREATE INDEX approval_requests_device_hash ON approval_requests (device_hash);
CREATE INDEX forwarded_requests_requester ON forwarded_requests (lower(requester));
`;

export const consoleApprovals: Migration = {
  version: 3,
  name: 'console approvals',
  sqlite: `${COMMON_BEFORE}
ALTER TABLE audit_records ADD COLUMN event_type TEXT GENERATED ALWAYS AS (json_extract(event_json, '$.type')) VIRTUAL;
ALTER TABLE audit_records ADD COLUMN device_hash TEXT GENERATED ALWAYS AS (json_extract(event_json, '$.device.hash')) VIRTUAL;
${COMMON_AFTER}`,
  postgres: `${COMMON_BEFORE}
ALTER TABLE audit_records ADD COLUMN event_type TEXT GENERATED ALWAYS AS ((event_json::jsonb) ->> 'type') STORED;
ALTER TABLE audit_records ADD COLUMN device_hash TEXT GENERATED ALWAYS AS ((event_json::jsonb) -> 'device' ->> 'hash') STORED;
${COMMON_AFTER}`,
};
