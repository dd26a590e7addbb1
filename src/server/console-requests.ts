/** Approval requests as the console reads them from the database: the request row, its device, and every forwarded copy merged into it. */

import type { Database, SqlRunner, SqlValue } from './db/database';
import type { RequestedDevice } from './approvals/device-words';
import { makerAndModel, vendorProduct } from './approvals/device-words';

export type RequestStatusWord = 'pending' | 'approved' | 'refused' | 'withdrawn';

export interface RequestRow {
  id: string;
  agent_id: string;
  machine: string;
  requester: string;
  device_json: string;
  justification: string;
  duration_days: number | null;
  status: RequestStatusWord;
  created_at: string;
  decided_at: string | null;
  decided_by: string | null;
  decision_reason: string | null;
  merged_count: number;
  device_hash: string | null;
  decider_name: string | null;
}

export interface ForwardedRow {
  request_id: string;
  requester: string;
  user_verified: number;
  justification: string;
  duration_days: number;
  requested_at: string;
  received_at: string;
}

const REQUEST_COLUMNS = `r.id, r.agent_id, r.machine, r.requester, r.device_json, r.justification, r.duration_days, r.status, r.created_at,
  r.decided_at, r.decided_by, r.decision_reason, r.merged_count, r.device_hash, u.display_name AS decider_name`;

/** `SELECT ... FROM approval_requests r` with the decider's name; add a WHERE clause. */
export const SELECT_REQUESTS = `SELECT ${REQUEST_COLUMNS} FROM approval_requests r LEFT JOIN users u ON u.id = r.decided_by`;

/** The device a request names, as the agent forwarded it (checked on intake). */
export function requestDevice(row: Pick<RequestRow, 'device_json'>): RequestedDevice {
  const device = JSON.parse(row.device_json) as Partial<RequestedDevice>;
  return {
    id: device.id ?? { vendor: '', product: '' },
    serial: device.serial ?? '',
    name: device.name ?? '',
    manufacturer: device.manufacturer ?? '',
    hash: device.hash ?? '',
    kind: device.kind ?? 'other',
    interfaces: device.interfaces ?? [],
    warnings: device.warnings ?? [],
  };
}

/** "SanDisk Cruzer Blade (0781:5567), serial 4C53...": how the register and the CSV name a device. */
export function deviceText(device: RequestedDevice): string {
  const serial = device.serial.trim() === '' ? 'no serial number' : `serial ${device.serial}`;
  return `${makerAndModel(device)} (${vendorProduct(device)}), ${serial}`;
}

/**
 * One request, or undefined. `lock`: inside a transaction on PostgreSQL, hold the row until it
 * ends, so two SLT members deciding the same request at once are taken one after the other
 * (SQLite's BEGIN IMMEDIATE already does).
 */
export async function findRequest(runner: SqlRunner, engine: Database['engine'], id: string, lock = false): Promise<RequestRow | undefined> {
  if (lock && engine === 'postgres') await runner.get('SELECT id FROM approval_requests WHERE id = ? FOR UPDATE', [id]);
  return runner.get<RequestRow>(`${SELECT_REQUESTS} WHERE r.id = ?`, [id]);
}

/** The forwarded copies of each request in `ids`, oldest first, by request id. */
export async function forwardedFor(runner: SqlRunner, ids: readonly string[]): Promise<Map<string, ForwardedRow[]>> {
  const found = new Map<string, ForwardedRow[]>();
  for (let start = 0; start < ids.length; start += 500) {
    const chunk = ids.slice(start, start + 500);
    if (chunk.length === 0) break;
    const rows = await runner.all<ForwardedRow>(
      `SELECT request_id, requester, user_verified, justification, duration_days, requested_at, received_at FROM forwarded_requests
       WHERE request_id IN (${chunk.map(() => '?').join(', ')}) ORDER BY requested_at, received_at, local_id`,
      chunk as SqlValue[],
    );
    for (const row of rows) found.set(row.request_id, [...(found.get(row.request_id) ?? []), row]);
  }
  return found;
}
