/** The console server's own event log (`server_events`): who approved, refused, revoked, changed a setting or deleted records for retention, and when. */

import { randomUUID } from 'node:crypto';
import type { SqlRunner } from './db/database';

export type ServerEventType =
  | 'request-approved'
  | 'request-refused'
  | 'approval-revoked'
  | 'base-policy-published'
  | 'agent-revoked'
  | 'enrol-token-issued'
  | 'offline-code-issued'
  | 'term-dates-changed'
  | 'retention-changed'
  | 'retention-purge'
  | 'subject-access-export';

export interface ServerEvent {
  type: ServerEventType;
  /** The users.id of whoever did it; null for the server itself (the retention job). */
  actor: string | null;
  /** Ids and counts, never the records' contents. */
  detail: Record<string, string | number | boolean | null>;
}

/** Records `event` at `time` through `runner`, inside the caller's transaction when it has one. */
export async function recordServerEvent(runner: SqlRunner, time: Date, event: ServerEvent): Promise<void> {
  await runner.run('INSERT INTO server_events (id, time, type, actor, detail_json) VALUES (?, ?, ?, ?, ?)', [randomUUID(), time.toISOString(), event.type, event.actor, JSON.stringify(event.detail)]);
}

export interface StoredServerEvent extends ServerEvent {
  id: string;
  time: string;
}

/** Events of `type` (every type when undefined), newest first. */
export async function listServerEvents(runner: SqlRunner, type?: ServerEventType, limit = 100): Promise<StoredServerEvent[]> {
  const rows = await runner.all<{ id: string; time: string; type: ServerEventType; actor: string | null; detail_json: string }>(
    `SELECT id, time, type, actor, detail_json FROM server_events${type === undefined ? '' : ' WHERE type = ?'} ORDER BY time DESC, id LIMIT ?`,
    type === undefined ? [limit] : [type, limit],
  );
  return rows.map((row) => ({ id: row.id, time: row.time, type: row.type, actor: row.actor, detail: JSON.parse(row.detail_json) as ServerEvent['detail'] }));
}
