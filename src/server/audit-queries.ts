/** What the console reads from the PCs' audit records: the events page (filtered, newest first) and the devices seen across the school with their last decision. */

import type { AuditEvent } from '../audit/audit-event';
import { summariseEvent } from '../audit/audit-summary';
import { vendorProduct } from './approvals/device-words';
import { requestDevice } from './console-requests';
import type { z } from 'zod';
import type { deviceView, eventView } from './console-protocol';
import type { Engine, SqlRunner, SqlValue } from './db/database';

type EventView = z.input<typeof eventView>;
type DeviceView = z.input<typeof deviceView>;

/** SQL for a text field of `event_json` (`['device', 'name']`), on either engine. */
export function jsonText(engine: Engine, path: readonly string[]): string {
  return engine === 'sqlite' ? `json_extract(event_json, '$.${path.join('.')}')` : `((event_json::jsonb) #>> '{${path.join(',')}}')`;
}

/** SQL for a whole-number field of `event_json`. */
export function jsonNumber(engine: Engine, path: readonly string[]): string {
  return engine === 'sqlite' ? jsonText(engine, path) : `(${jsonText(engine, path)})::bigint`;
}

/** The first instant after the calendar day `date` (UTC), for "until" filters. */
export function dayAfter(date: string): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + 24 * 60 * 60_000).toISOString();
}

export interface EventFilter {
  machine?: string;
  user?: string;
  type?: string;
  /** ISO date: records from that day on. */
  since?: string;
  limit: number;
}

interface EventRow {
  agent_id: string;
  seq: number | bigint;
  time: string;
  machine: string;
  user_name: string | null;
  event_json: string;
  event_type: string | null;
  chain_ok: number;
}

function summary(event: Record<string, unknown>): string {
  try {
    return summariseEvent(event as AuditEvent);
  } catch {
    return String(event.type ?? 'unknown event');
  }
}

/** Audit records matching `filter`, newest first; machine and user names compare without regard to case. */
export async function listEvents(runner: SqlRunner, filter: EventFilter): Promise<EventView[]> {
  const where: string[] = [];
  const params: SqlValue[] = [];
  const add = (clause: string, value: string | undefined): void => {
    if (value === undefined || value === '') return;
    where.push(clause);
    params.push(value);
  };
  add('lower(machine) = lower(?)', filter.machine);
  add('lower(user_name) = lower(?)', filter.user);
  add('event_type = ?', filter.type);
  add('time >= ?', filter.since);
  const rows = await runner.all<EventRow>(
    `SELECT agent_id, seq, time, machine, user_name, event_json, event_type, chain_ok FROM audit_records
     ${where.length === 0 ? '' : `WHERE ${where.join(' AND ')}`} ORDER BY time DESC, agent_id, seq DESC LIMIT ?`,
    [...params, filter.limit],
  );
  return rows.map((row) => {
    const event = JSON.parse(row.event_json) as Record<string, unknown>;
    return { agentId: row.agent_id, seq: Number(row.seq), time: row.time, machine: row.machine, user: row.user_name, type: row.event_type ?? String(event.type), summary: summary(event), chainOk: row.chain_ok === 1, event };
  });
}

interface LastDecisionRow {
  device_hash: string;
  machine: string;
  time: string;
  user_name: string | null;
  event_json: string;
  sightings: number | bigint;
}

/** Devices listed at most, most recently seen first. */
const MAX_DEVICES = 1000;

/**
 * Every USB device (known by its hash) the PCs recorded a decision about or a request was made
 * for: how often and where it was seen, and the last decision with its machine, user and reason.
 * A device only asked for (no decision recorded yet) has no sightings: its `machines` are the PCs
 * it was asked for on, and its "last seen" the latest request.
 */
export async function listDevices(runner: SqlRunner): Promise<DeviceView[]> {
  const last = await runner.all<LastDecisionRow>(
    `SELECT device_hash, machine, time, user_name, event_json, sightings FROM (
       SELECT device_hash, machine, time, user_name, event_json,
         ROW_NUMBER() OVER (PARTITION BY device_hash ORDER BY time DESC, seq DESC) AS place,
         COUNT(*) OVER (PARTITION BY device_hash) AS sightings
       FROM audit_records WHERE event_type = 'device-decided' AND device_hash IS NOT NULL AND device_hash <> ''
     ) latest WHERE place = 1 ORDER BY time DESC LIMIT ?`,
    [MAX_DEVICES],
  );
  const places = await runner.all<{ device_hash: string; machine: string }>(
    "SELECT DISTINCT device_hash, machine FROM audit_records WHERE event_type = 'device-decided' AND device_hash IS NOT NULL AND device_hash <> '' ORDER BY machine",
  );
  const requests = await runner.all<{ device_hash: string; device_json: string; machine: string; requester: string; created_at: string; status: string }>(
    "SELECT device_hash, device_json, machine, requester, created_at, status FROM approval_requests WHERE device_hash IS NOT NULL AND device_hash <> '' ORDER BY created_at",
  );
  const machines = new Map<string, Set<string>>();
  for (const { device_hash: hash, machine } of places) machines.set(hash, (machines.get(hash) ?? new Set()).add(machine));
  const devices = new Map<string, DeviceView>();
  for (const row of last) {
    const event = JSON.parse(row.event_json) as { device?: { id?: string; name?: string; serial?: string; kind?: string }; target?: DeviceView['lastDecision']; reason?: string };
    devices.set(row.device_hash, {
      key: row.device_hash,
      vendorProduct: event.device?.id ?? '',
      name: event.device?.name ?? '',
      serial: event.device?.serial ?? '',
      kind: event.device?.kind ?? 'other',
      hash: row.device_hash,
      sightings: Number(row.sightings),
      machines: [...(machines.get(row.device_hash) ?? [])],
      lastSeenAt: row.time,
      lastMachine: row.machine,
      lastUser: row.user_name,
      lastDecision: event.target ?? null,
      lastReason: event.reason ?? null,
      requests: 0,
      pendingRequests: 0,
    });
  }
  for (const request of requests) {
    let device = devices.get(request.device_hash);
    if (device === undefined) {
      const asked = requestDevice(request);
      device = { key: request.device_hash, vendorProduct: vendorProduct(asked), name: asked.name, serial: asked.serial, kind: asked.kind, hash: request.device_hash, sightings: 0, machines: [], lastSeenAt: '', lastMachine: '', lastUser: null, lastDecision: null, lastReason: null, requests: 0, pendingRequests: 0 };
      devices.set(request.device_hash, device);
    }
    device.requests += 1;
    if (request.status === 'pending') device.pendingRequests += 1;
    // Oldest first: a device never seen ends with its latest request.
    if (device.sightings === 0) Object.assign(device, { lastSeenAt: request.created_at, lastMachine: request.machine, lastUser: request.requester });
    if (device.sightings === 0 && !device.machines.includes(request.machine)) device.machines.push(request.machine);
  }
  return [...devices.values()].sort((a, b) => (a.lastSeenAt < b.lastSeenAt ? 1 : a.lastSeenAt > b.lastSeenAt ? -1 : 0)).slice(0, MAX_DEVICES);
}
