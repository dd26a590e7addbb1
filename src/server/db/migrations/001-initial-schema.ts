/** Migration 1: the tables the console server needs first (users and sessions, agents, policy, approvals, the audit store, settings). */

import type { Migration } from '../migrations';

/**
 * One SQL for both engines: TEXT, INTEGER and BIGINT only; ids are text the server generates
 * (UUIDs, or hashes for secrets it must not keep: session ids, enrolment tokens); times are
 * ISO 8601 UTC text, which sorts as time does; flags are 0/1 integers; JSON is text.
 * `audit_records.user_name` is the record's `user`: `user` is reserved in PostgreSQL, where an
 * unquoted `SELECT user` quietly gives the database role instead.
 */
export const initialSchema: Migration = {
  version: 1,
  name: 'initial schema',
  sql: `
CREATE TABLE users (
  id TEXT PRIMARY KEY,
  email TEXT NOT NULL,
  role TEXT NOT NULL CHECK (role IN ('slt-approver', 'it-admin', 'headteacher', 'dpo')),
  password_hash TEXT,
  display_name TEXT NOT NULL,
  created_at TEXT NOT NULL,
  disabled_at TEXT,
  failed_logins INTEGER NOT NULL DEFAULT 0,
  locked_until TEXT
);
-- Case-insensitive uniqueness; look users up with lower(email) = lower(?) to use it.
-- SQLite's lower() folds ASCII only: the server stores emails lower-cased.
CREATE UNIQUE INDEX users_email_lower ON users (lower(email));

CREATE TABLE sessions (
  id_hash TEXT PRIMARY KEY,
  user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  created_at TEXT NOT NULL,
  expires_at TEXT NOT NULL,
  csrf_token TEXT NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_expires ON sessions (expires_at);

CREATE TABLE agents (
  id TEXT PRIMARY KEY,
  machine TEXT NOT NULL,
  public_key TEXT NOT NULL,
  enrolled_at TEXT NOT NULL,
  revoked_at TEXT,
  last_seen_at TEXT
);
CREATE INDEX agents_machine ON agents (machine);

CREATE TABLE enrol_tokens (
  token_hash TEXT PRIMARY KEY,
  created_by TEXT NOT NULL REFERENCES users (id),
  created_at TEXT NOT NULL,
  expires_at TEXT NOT NULL,
  used_at TEXT,
  used_by_agent TEXT REFERENCES agents (id)
);

CREATE TABLE policy_versions (
  version INTEGER PRIMARY KEY,
  document_text TEXT NOT NULL,
  signature TEXT NOT NULL,
  created_at TEXT NOT NULL,
  created_by TEXT REFERENCES users (id)
);

CREATE TABLE approval_requests (
  id TEXT PRIMARY KEY,
  agent_id TEXT NOT NULL REFERENCES agents (id),
  machine TEXT NOT NULL,
  requester TEXT NOT NULL,
  device_json TEXT NOT NULL,
  justification TEXT NOT NULL,
  duration_days INTEGER CHECK (duration_days > 0),
  status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'refused', 'withdrawn')),
  created_at TEXT NOT NULL,
  decided_at TEXT,
  decided_by TEXT REFERENCES users (id),
  decision_reason TEXT,
  merged_count INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX approval_requests_status ON approval_requests (status, created_at);
CREATE INDEX approval_requests_agent ON approval_requests (agent_id, created_at);

CREATE TABLE approvals (
  id TEXT PRIMARY KEY,
  request_id TEXT REFERENCES approval_requests (id),
  rule TEXT NOT NULL,
  scope_json TEXT NOT NULL,
  expires TEXT,
  conditions_json TEXT,
  approved_by TEXT NOT NULL REFERENCES users (id),
  created_at TEXT NOT NULL,
  revoked_at TEXT,
  revoked_by TEXT REFERENCES users (id)
);
CREATE INDEX approvals_request ON approvals (request_id);
CREATE INDEX approvals_revoked_expires ON approvals (revoked_at, expires);

CREATE TABLE audit_records (
  agent_id TEXT NOT NULL REFERENCES agents (id),
  seq BIGINT NOT NULL,
  time TEXT NOT NULL,
  machine TEXT NOT NULL,
  user_name TEXT,
  event_json TEXT NOT NULL,
  prev TEXT NOT NULL,
  hash TEXT NOT NULL,
  received_at TEXT NOT NULL,
  chain_ok INTEGER NOT NULL CHECK (chain_ok IN (0, 1)),
  PRIMARY KEY (agent_id, seq)
);
CREATE INDEX audit_records_time ON audit_records (time);
CREATE INDEX audit_records_machine_time ON audit_records (machine, time);

CREATE TABLE settings (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
`,
};
