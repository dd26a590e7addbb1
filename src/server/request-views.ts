/** The SLT's request queue: each request with everyone's justifications and a plain-words explanation (what the device is, where it was seen before, what is already approved). */

import type { DeviceKind } from '../devices/device';
import { unrevokedApprovals } from './approval-records';
import { explainDevice, type Sighting } from './approvals/explain-device';
import type { ApprovalRecord } from './approvals/policy-builder';
import type { RequestView } from './console-protocol';
import { forwardedFor, requestDevice, SELECT_REQUESTS, type ForwardedRow, type RequestRow, type RequestStatusWord } from './console-requests';
import type { SqlRunner } from './db/database';

/** Requests listed at most; the queue of pending ones is never near it. */
const MAX_REQUESTS = 500;
/** Earlier sightings read per request. */
const MAX_SIGHTINGS = 200;

/** Earlier sightings of the device `hash`: other requests for it, and the decisions PCs recorded about it. */
async function sightingsOf(runner: SqlRunner, hash: string | null, requestId: string): Promise<Sighting[]> {
  if (hash === null || hash === '') return [];
  const requests = await runner.all<{ machine: string; created_at: string; requester: string }>(
    'SELECT machine, created_at, requester FROM approval_requests WHERE device_hash = ? AND id <> ? ORDER BY created_at DESC LIMIT ?',
    [hash, requestId, MAX_SIGHTINGS],
  );
  const decided = await runner.all<{ machine: string; time: string; user_name: string | null }>(
    "SELECT machine, time, user_name FROM audit_records WHERE device_hash = ? AND event_type = 'device-decided' ORDER BY time DESC LIMIT ?",
    [hash, MAX_SIGHTINGS],
  );
  return [
    ...requests.map((row) => ({ machine: row.machine, at: row.created_at, user: row.requester })),
    ...decided.map((row) => ({ machine: row.machine, at: row.time, ...(row.user_name === null ? {} : { user: row.user_name }) })),
  ];
}

/** Each member of staff's words once, oldest first; the request's own first. */
function justificationsOf(row: RequestRow, forwarded: readonly ForwardedRow[]): Array<{ user: string; text: string }> {
  const all = [{ user: row.requester, text: row.justification }, ...forwarded.map((f) => ({ user: f.requester, text: f.justification }))];
  const seen = new Set<string>();
  return all.filter((j) => {
    const key = JSON.stringify([j.user, j.text]);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** One request as the queue page shows it. */
export async function requestView(runner: SqlRunner, row: RequestRow, forwarded: readonly ForwardedRow[], approvals: readonly ApprovalRecord[], now: Date): Promise<RequestView> {
  const device = requestDevice(row);
  const own = forwarded.find((f) => f.requester === row.requester) ?? forwarded[0];
  const justifications = justificationsOf(row, forwarded);
  const durationDays = Math.max(row.duration_days ?? 1, ...forwarded.map((f) => Number(f.duration_days)));
  const requestedAt = own?.requested_at ?? row.created_at;
  const explanation = explainDevice(
    {
      device: { ...device, kind: device.kind as DeviceKind },
      user: row.requester,
      userVerified: own?.user_verified === 1,
      machine: row.machine,
      durationDays,
      requestedAt,
      mergedCount: Number(row.merged_count),
    },
    { sightings: await sightingsOf(runner, row.device_hash, row.id), approvals, now },
  );
  return {
    id: row.id,
    status: row.status,
    machine: row.machine,
    requester: row.requester,
    requesterVerified: own?.user_verified === 1,
    requestedAt,
    durationDays,
    justifications: justifications.map((j) => `${j.user}: ${j.text}`),
    mergedCount: Number(row.merged_count),
    explanation,
    hasSerial: device.serial.trim() !== '',
    ...(row.decider_name === null ? {} : { decidedBy: row.decider_name }),
    ...(row.decision_reason === null ? {} : { decisionReason: row.decision_reason }),
  };
}

/** Requests with `status` ('all': every one): pending ones oldest first (the queue), others newest first. */
export async function listRequestViews(runner: SqlRunner, status: RequestStatusWord | 'all', now: Date): Promise<RequestView[]> {
  const order = status === 'pending' ? 'r.created_at, r.id' : 'r.created_at DESC, r.id';
  const rows =
    status === 'all'
      ? await runner.all<RequestRow>(`${SELECT_REQUESTS} ORDER BY ${order} LIMIT ?`, [MAX_REQUESTS])
      : await runner.all<RequestRow>(`${SELECT_REQUESTS} WHERE r.status = ? ORDER BY ${order} LIMIT ?`, [status, MAX_REQUESTS]);
  const forwarded = await forwardedFor(runner, rows.map((row) => row.id));
  const approvals = await unrevokedApprovals(runner);
  const views: RequestView[] = [];
  for (const row of rows) views.push(await requestView(runner, row, forwarded.get(row.id) ?? [], approvals, now));
  return views;
}
