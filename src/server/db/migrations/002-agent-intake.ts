/** Migration 2: what the agent routes keep beyond migration 1 (offline secrets, revocation, the audit chain's state per agent, forwarded requests and their merges). */

import type { Migration } from '../migrations';

/**
 * - `agents`: the agent's version; its offline-code secret (base64url, kept to issue codes) and
 *   the next code counter; who revoked it; whether its audit chain is unbroken, and where it first
 *   broke.
 * - `approval_requests.device_hash`: forwarded requests for the same device from the same agent
 *   merge while one is pending; the partial unique index makes that hold under concurrency.
 * - `forwarded_requests`: every request an agent forwarded, by the agent's own id (local_id), and
 *   the server request it became or was merged into, with its own requester and justification.
 * One column per ALTER TABLE: SQLite adds one at a time.
 */
export const agentIntake: Migration = {
  version: 2,
  name: 'agent intake',
  sql: `
ALTER TABLE agents ADD COLUMN agent_version TEXT;
ALTER TABLE agents ADD COLUMN offline_secret TEXT;
ALTER TABLE agents ADD COLUMN offline_code_counter INTEGER NOT NULL DEFAULT 0;
ALTER TABLE agents ADD COLUMN revoked_by TEXT REFERENCES users (id);
ALTER TABLE agents ADD COLUMN audit_chain_ok INTEGER NOT NULL DEFAULT 1 CHECK (audit_chain_ok IN (0, 1));
ALTER TABLE agents ADD COLUMN audit_chain_break TEXT;
ALTER TABLE agents ADD COLUMN audit_chain_break_at TEXT;

ALTER TABLE approval_requests ADD COLUMN device_hash TEXT;
CREATE UNIQUE INDEX approval_requests_pending_device ON approval_requests (agent_id, device_hash) WHERE status = 'pending';

CREATE TABLE forwarded_requests (
  agent_id TEXT NOT NULL REFERENCES agents (id),
  local_id TEXT NOT NULL,
  request_id TEXT NOT NULL REFERENCES approval_requests (id),
  requester TEXT NOT NULL,
  user_verified INTEGER NOT NULL CHECK (user_verified IN (0, 1)),
  via_port TEXT NOT NULL,
  justification TEXT NOT NULL,
  duration_days INTEGER NOT NULL CHECK (duration_days > 0),
  requested_at TEXT NOT NULL,
  received_at TEXT NOT NULL,
  PRIMARY KEY (agent_id, local_id)
);
CREATE INDEX forwarded_requests_request ON forwarded_requests (request_id);
`,
};
