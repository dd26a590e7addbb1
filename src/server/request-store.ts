/** Approval requests forwarded by agents: stored for the agent that sent them, merged with a pending request for the same device, and their statuses by the agent's own ids. */

import { randomUUID } from 'node:crypto';
import type { ForwardedRequest, RequestStatus } from './agent-protocol';
import { lockAgent, UnknownAgentError } from './agent-store';
import type { Database, SqlRunner, SqlValue } from './db/database';
import { assertNever } from '../util/assert-never';

export interface RequestStoreDeps {
  db: Database;
  now?: () => Date;
  newId?: () => string;
}

export interface IntakeResult {
  statuses: RequestStatus[];
  /** Server ids of the requests this intake created (not merged, not already held): for notifying SLT. */
  created: string[];
}

type Status = RequestStatus['status'];

interface StatusRow {
  local_id: string;
  id: string;
  status: Status;
  decision_reason: string | null;
  expires: string | null;
}

/** The words an agent shows for a decided request: the refusal's reason, or the approval's expiry. */
export function statusDetail(status: Status, reason: string | null, expires: string | null): string | undefined {
  switch (status) {
    case 'approved':
      return expires === null ? 'approved, with no expiry' : `approved until ${expires}`;
    case 'refused':
    case 'withdrawn':
      return reason ?? undefined;
    case 'pending':
      return undefined;
    default:
      return assertNever(status);
  }
}

export class RequestStore {
  private readonly db: Database;
  private readonly now: () => Date;
  private readonly newId: () => string;

  constructor(deps: RequestStoreDeps) {
    this.db = deps.db;
    this.now = deps.now ?? (() => new Date());
    this.newId = deps.newId ?? randomUUID;
  }

  /**
   * Stores each request as the agent's, its machine the agent's enrolled one. A request whose
   * local id is already held answers as before (an agent resending after a lost answer); one for
   * a device that already has a pending request from this agent is merged into it
   * (merged_count + 1, its justification kept in forwarded_requests); any other is a new request.
   */
  async intake(agentId: string, requests: readonly ForwardedRequest[]): Promise<IntakeResult> {
    const receivedAt = this.now().toISOString();
    return this.db.transaction(async (tx) => {
      const agent = await lockAgent(tx, this.db.engine, agentId);
      if (agent === undefined) throw new UnknownAgentError(`request-store.ts: no agent ${agentId}`);
      const created: string[] = [];
      const serverIds: Array<{ localId: string; serverId: string }> = [];
      for (const request of requests) {
        const held = await tx.get<{ request_id: string }>('SELECT request_id FROM forwarded_requests WHERE agent_id = ? AND local_id = ?', [agentId, request.localId]);
        if (held !== undefined) {
          serverIds.push({ localId: request.localId, serverId: held.request_id });
          continue;
        }
        const hash = request.device.hash === '' ? null : request.device.hash;
        const pending =
          hash === null ? undefined : await tx.get<{ id: string }>("SELECT id FROM approval_requests WHERE agent_id = ? AND device_hash = ? AND status = 'pending'", [agentId, hash]);
        let serverId: string;
        if (pending !== undefined) {
          serverId = pending.id;
          await tx.run('UPDATE approval_requests SET merged_count = merged_count + 1 WHERE id = ?', [serverId]);
        } else {
          serverId = this.newId();
          await tx.run(
            'INSERT INTO approval_requests (id, agent_id, machine, requester, device_json, justification, duration_days, created_at, device_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
            [serverId, agentId, agent.machine, request.user, JSON.stringify(request.device), request.justification, request.durationDays, receivedAt, hash],
          );
          created.push(serverId);
        }
        await insertForwarded(tx, agentId, serverId, request, receivedAt);
        serverIds.push({ localId: request.localId, serverId });
      }
      const statuses = await statusesIn(tx, agentId, serverIds.map((entry) => entry.localId));
      return { statuses: serverIds.map(({ localId }) => statuses.get(localId)).filter((status): status is RequestStatus => status !== undefined), created };
    });
  }

  /** The statuses of this agent's requests among `localIds`; ids it never sent (or another agent's) are left out. */
  async statuses(agentId: string, localIds: readonly string[]): Promise<RequestStatus[]> {
    const found = await statusesIn(this.db, agentId, localIds);
    return localIds.map((localId) => found.get(localId)).filter((status): status is RequestStatus => status !== undefined);
  }
}

async function insertForwarded(tx: SqlRunner, agentId: string, serverId: string, request: ForwardedRequest, receivedAt: string): Promise<void> {
  await tx.run(
    'INSERT INTO forwarded_requests (agent_id, local_id, request_id, requester, user_verified, via_port, justification, duration_days, requested_at, received_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    [agentId, request.localId, serverId, request.user, request.userVerified ? 1 : 0, request.viaPort, request.justification, request.durationDays, request.requestedAt, receivedAt],
  );
}

async function statusesIn(runner: SqlRunner, agentId: string, localIds: readonly string[]): Promise<Map<string, RequestStatus>> {
  const found = new Map<string, RequestStatus>();
  const unique = [...new Set(localIds)];
  if (unique.length === 0) return found;
  const rows = await runner.all<StatusRow>(
    `SELECT f.local_id, r.id, r.status, r.decision_reason,
       (SELECT a.expires FROM approvals a WHERE a.request_id = r.id AND a.revoked_at IS NULL ORDER BY a.created_at DESC LIMIT 1) AS expires
     FROM forwarded_requests f JOIN approval_requests r ON r.id = f.request_id
     WHERE f.agent_id = ? AND f.local_id IN (${unique.map(() => '?').join(', ')})`,
    [agentId, ...unique] as SqlValue[],
  );
  for (const row of rows) {
    const detail = statusDetail(row.status, row.decision_reason, row.expires);
    found.set(row.local_id, { localId: row.local_id, serverId: row.id, status: row.status, ...(detail === undefined ? {} : { detail: detail.slice(0, 1000) }) });
  }
  return found;
}
