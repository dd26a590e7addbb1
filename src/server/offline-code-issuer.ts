/** Offline codes for SLT: a one-time code that lets a requested device into the PC it was requested on while that PC has no network, counted per agent in the database. */

import { issueOfflineCode, MAX_OFFLINE_CODE_COUNTER } from './auth/offline-codes';
import { DecisionRefused } from './approval-store';
import { deviceText, findRequest, requestDevice } from './console-requests';
import type { Database } from './db/database';
import { recordServerEvent } from './server-events';

export interface IssuedCode {
  code: string;
  expiresAt: string;
  machine: string;
  device: string;
}

const HOUR_MS = 60 * 60_000;

/**
 * Issues a code for request `requestId`'s device (its hash) on its agent's machine, valid for
 * `hours`, with the agent's offline secret. The agent's counter is read and moved on in the same
 * transaction (its row held on PostgreSQL), so no two codes for one PC share a counter. Refused:
 * a request that was refused or withdrawn (409), a device with no hash, a revoked agent.
 */
export async function issueOfflineCodeFor(db: Database, requestId: string, hours: number, by: string, now: Date): Promise<IssuedCode> {
  return db.transaction(async (tx) => {
    const request = await findRequest(tx, db.engine, requestId);
    if (request === undefined) throw new DecisionRefused(404, `no request ${requestId}`);
    if (request.status === 'refused' || request.status === 'withdrawn') throw new DecisionRefused(409, `request ${requestId} was ${request.status}: approve a new request before issuing a code for it`);
    const device = requestDevice(request);
    if (device.hash === '') throw new DecisionRefused(409, `request ${requestId}'s device has no hash, which an offline code needs: approve it instead, for when the PC is back on the network`);
    const agent = await tx.get<{ machine: string; offline_secret: string | null; offline_code_counter: number; revoked_at: string | null }>(
      `SELECT machine, offline_secret, offline_code_counter, revoked_at FROM agents WHERE id = ?${db.engine === 'postgres' ? ' FOR UPDATE' : ''}`,
      [request.agent_id],
    );
    if (agent === undefined || agent.offline_secret === null) throw new DecisionRefused(409, `the PC ${request.machine} has no offline-code secret: it must be enrolled again`);
    if (agent.revoked_at !== null) throw new DecisionRefused(409, `the PC ${request.machine}'s agent was revoked: enrol it again before issuing codes for it`);
    const counter = Number(agent.offline_code_counter);
    if (counter > MAX_OFFLINE_CODE_COUNTER) throw new DecisionRefused(409, `the PC ${request.machine} has used every offline code it can: enrol it again`);
    const issued = issueOfflineCode({ secret: Buffer.from(agent.offline_secret, 'base64url'), deviceHash: device.hash, machineName: agent.machine, expiresAt: now.getTime() + hours * HOUR_MS, counter, now: now.getTime() });
    await tx.run('UPDATE agents SET offline_code_counter = ? WHERE id = ?', [counter + 1, request.agent_id]);
    await recordServerEvent(tx, now, { type: 'offline-code-issued', actor: by, detail: { requestId, agentId: request.agent_id, counter, expiresAt: new Date(issued.expiresAt).toISOString() } });
    return { code: issued.code, expiresAt: new Date(issued.expiresAt).toISOString(), machine: agent.machine, device: deviceText(device) };
  });
}
