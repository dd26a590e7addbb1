/** Duplicate device requests merged: the same device asked for again from the same machine while a request is pending is that request. */

import { distinctInterfaceTypes } from '../../devices/device';
import type { ApprovalRequest } from '../../agent/agent-events';

/** A request as the console keeps it: the agent's request, its status, and what later duplicates added. */
export interface ConsoleRequest extends Omit<ApprovalRequest, 'status'> {
  status: 'pending' | 'approved' | 'refused' | 'withdrawn';
  /** How many later requests were merged into this one. */
  mergedCount: number;
  /** Every justification given, oldest first (the first is the request's own); repeats of the same words by the same user are kept once. */
  justifications: { user: string; text: string; at: string }[];
  /** When it was last asked for (the first request's time is `requestedAt`). */
  lastRequestedAt: string;
}

type Keyed = Pick<ApprovalRequest, 'id' | 'machine' | 'device'>;

/**
 * The identity two requests share when they are for the same device from the same machine.
 * A device with a serial number is known by vendor:product and serial (its hash covers the
 * serial too, so two with the same hash have the same serial) and by its interface set, so a
 * "BadUSB" that copies a stick's id and serial but adds a keyboard is a request of its own,
 * not hidden in the stick's. One without a serial is known by its hash; one with neither is
 * only ever itself. Machine names compare without regard to case.
 */
export function mergeKey(request: Keyed): string {
  const machine = request.machine.toLowerCase();
  const { device } = request;
  if (device.serial !== '') {
    const interfaces = distinctInterfaceTypes(device.interfaces).sort();
    return JSON.stringify([machine, 'serial', device.id.vendor.toLowerCase(), device.id.product.toLowerCase(), device.serial, interfaces]);
  }
  if (device.hash !== '') return JSON.stringify([machine, 'hash', device.hash]);
  return JSON.stringify([machine, 'request', request.id]);
}

/** A new request as the console first keeps it. */
export function toConsoleRequest(request: ApprovalRequest): ConsoleRequest {
  return {
    ...request,
    status: 'pending',
    mergedCount: 0,
    justifications: [{ user: request.user, text: request.justification, at: request.requestedAt }],
    lastRequestedAt: request.requestedAt,
  };
}

/**
 * `incoming` merged into the pending request `existing`: one more merged, its justification
 * kept, the longer duration asked for kept, and the device's latest port. The first
 * requester stays the requester. Throws if they are not for the same device and machine or
 * `existing` is no longer pending (a caller's mistake: see findMergeTarget).
 */
export function mergeInto(existing: ConsoleRequest, incoming: ApprovalRequest): ConsoleRequest {
  if (existing.status !== 'pending') throw new Error(`request ${existing.id} is ${existing.status}, not pending: nothing can be merged into it`);
  if (mergeKey(existing) !== mergeKey(incoming)) throw new Error(`request ${incoming.id} is not for the same device and machine as request ${existing.id}`);
  const repeated = existing.justifications.some((j) => j.user === incoming.user && j.text === incoming.justification);
  const justifications = repeated ? existing.justifications : [...existing.justifications, { user: incoming.user, text: incoming.justification, at: incoming.requestedAt }];
  const later = Date.parse(incoming.requestedAt) > Date.parse(existing.lastRequestedAt);
  return {
    ...existing,
    mergedCount: existing.mergedCount + 1,
    justifications,
    durationDays: Math.max(existing.durationDays, incoming.durationDays),
    lastRequestedAt: later ? incoming.requestedAt : existing.lastRequestedAt,
    viaPort: later ? incoming.viaPort : existing.viaPort,
  };
}

/** The pending request `incoming` duplicates, if any (the oldest, should there be several). */
export function findMergeTarget(requests: readonly ConsoleRequest[], incoming: ApprovalRequest): ConsoleRequest | undefined {
  const key = mergeKey(incoming);
  const matches = requests.filter((r) => r.status === 'pending' && r.id !== incoming.id && mergeKey(r) === key);
  return matches.sort((a, b) => Date.parse(a.requestedAt) - Date.parse(b.requestedAt) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))[0];
}

export type AddRequestOutcome = { merged: false; request: ConsoleRequest } | { merged: true; request: ConsoleRequest; duplicateId: string };

/** The list with `incoming` added: merged into the pending request for the same device and machine, or appended as a new one. */
export function addRequest(requests: readonly ConsoleRequest[], incoming: ApprovalRequest): { requests: ConsoleRequest[]; outcome: AddRequestOutcome } {
  const target = findMergeTarget(requests, incoming);
  if (target === undefined) {
    const request = toConsoleRequest(incoming);
    return { requests: [...requests, request], outcome: { merged: false, request } };
  }
  const merged = mergeInto(target, incoming);
  return { requests: requests.map((r) => (r === target ? merged : r)), outcome: { merged: true, request: merged, duplicateId: incoming.id } };
}
