/** School PCs for the console's browser tests: agents enrolled through the agent API with a token IT issued, and the device requests and audit records they send signed, as a real PC's agent does. */

import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import type { AuditEvent, DeviceIdentity } from '../../src/audit/audit-event';
import { GENESIS_PREV, sealRecord } from '../../src/audit/audit-record';
import { AGENT_PATHS, type ForwardedRequest } from '../../src/server/agent-protocol';
import { AgentStore, createEnrolToken } from '../../src/server/agent-store';
import { agentPublicKeyText } from '../../src/server/auth/agent-credentials';
import { signAgentRequest } from '../../src/server/auth/agent-request-auth';
import type { ConsoleWorld } from './console-browser';

export interface SchoolPc {
  machine: string;
  agentId: string;
  privateKey: KeyObject;
}

/** A USB stick as a PC's agent describes it. */
export const STICK: ForwardedRequest['device'] = {
  id: { vendor: '0781', product: '5567' },
  serial: '4C530001230317116462',
  name: 'Cruzer Blade',
  manufacturer: 'SanDisk',
  hash: 'r0ZkgJlKKGlTiAuDh6uT1g5xVvM3mn4P3tbKVeX1J0g=',
  kind: 'storage',
  interfaces: [{ classCode: 0x08, subclass: 0x06, protocol: 0x50 }],
  warnings: [],
};

/** Another stick of the same model, told apart by its serial number and hash (requests for the same device from one PC are merged). */
export function anotherStick(n: number): ForwardedRequest['device'] {
  return { ...STICK, serial: `4C5300012303171${String(n).padStart(5, '0')}`, hash: `${String(n).padStart(4, '0')}${STICK.hash.slice(4)}` };
}

/** A stick with no serial number that also claims to be a keyboard (a "BadUSB" shape). */
export const KEYBOARD_STICK: ForwardedRequest['device'] = {
  id: { vendor: '1234', product: '5678' },
  serial: '',
  name: 'USB Flash Disk',
  manufacturer: 'Generic',
  hash: 'k3yb0ardst1ckHASHk3yb0ardst1ckHASHk3yb0ar=',
  kind: 'storage',
  interfaces: [
    { classCode: 0x08, subclass: 0x06, protocol: 0x50 },
    { classCode: 0x03, subclass: 0x01, protocol: 0x01 },
  ],
  warnings: [],
};

/** Enrols `machine` through POST /api/agent/enrol with a token issued by the IT admin. */
export async function enrolPc(world: ConsoleWorld, machine: string): Promise<SchoolPc> {
  const { token } = await createEnrolToken(new AgentStore({ db: world.db }), world.users['it-admin'].id);
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const response = await fetch(`${world.origin}${AGENT_PATHS.enrol}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ token, machine, publicKey: agentPublicKeyText(publicKey), version: '0.1.0' }),
  });
  if (!response.ok) throw new Error(`enrolment of ${machine} failed: ${response.status} ${await response.text()}`);
  const { agentId } = (await response.json()) as { agentId: string };
  return { machine, agentId, privateKey };
}

let requestCount = 0;

export interface AskOptions {
  user?: string;
  justification?: string;
  device?: ForwardedRequest['device'];
  durationDays?: number;
}

/** The PC's agent forwards one approval request (signed, as the agent does); answers the server's id for it. */
export async function askForDevice(world: ConsoleWorld, pc: SchoolPc, options: AskOptions = {}): Promise<string> {
  requestCount += 1;
  const request: ForwardedRequest = {
    localId: `local-${requestCount}`,
    viaPort: '1-2',
    device: options.device ?? anotherStick(requestCount),
    user: options.user ?? 'jsmith',
    userVerified: true,
    justification: options.justification ?? 'Year 10 coursework photos for the display board',
    durationDays: options.durationDays ?? 30,
    requestedAt: new Date().toISOString(),
  };
  const body = JSON.stringify({ requests: [request] });
  const authorization = signAgentRequest({ agentId: pc.agentId, privateKey: pc.privateKey, method: 'POST', path: AGENT_PATHS.requests, body, now: Date.now() });
  const response = await fetch(`${world.origin}${AGENT_PATHS.requests}`, { method: 'POST', headers: { authorization, 'content-type': 'application/json' }, body });
  if (!response.ok) throw new Error(`the request from ${pc.machine} was refused: ${response.status} ${await response.text()}`);
  const answer = (await response.json()) as { requests: Array<{ serverId: string }> };
  const id = answer.requests[0]?.serverId;
  if (id === undefined) throw new Error(`no server id for the request from ${pc.machine}`);
  return id;
}

/** What a PC's agent recorded: its audit records, in order, with the user signed in (if any). */
export interface Happening {
  event: AuditEvent;
  user?: string;
  /** Minutes before now (default: one a minute, oldest first). */
  minutesAgo?: number;
}

const chains = new Map<string, { seq: number; prev: string }>();

/** The PC's agent ships these records (hash-chained, signed) through POST /api/agent/audit. */
export async function shipAudit(world: ConsoleWorld, pc: SchoolPc, happenings: readonly Happening[]): Promise<void> {
  let { seq, prev } = chains.get(pc.agentId) ?? { seq: 0, prev: GENESIS_PREV };
  const lines = happenings.map((happening, index) => {
    seq += 1;
    const time = new Date(Date.now() - (happening.minutesAgo ?? happenings.length - index) * 60_000).toISOString();
    const sealed = sealRecord({ seq, time, machine: pc.machine, ...(happening.user === undefined ? {} : { user: happening.user }), event: happening.event, prev });
    prev = sealed.record.hash;
    return sealed.line;
  });
  chains.set(pc.agentId, { seq, prev });
  const body = JSON.stringify({ lines });
  const authorization = signAgentRequest({ agentId: pc.agentId, privateKey: pc.privateKey, method: 'POST', path: AGENT_PATHS.audit, body, now: Date.now() });
  const response = await fetch(`${world.origin}${AGENT_PATHS.audit}`, { method: 'POST', headers: { authorization, 'content-type': 'application/json' }, body });
  if (!response.ok) throw new Error(`the audit records from ${pc.machine} were refused: ${response.status} ${await response.text()}`);
}

/** The audit log's picture of a forwarded device. */
export function identityOf(device: ForwardedRequest['device']): DeviceIdentity {
  return { id: `${device.id.vendor}:${device.id.product}`, serial: device.serial, name: device.name, kind: device.kind as DeviceIdentity['kind'], viaPort: '1-2', hash: device.hash, bus: 'usb' };
}
