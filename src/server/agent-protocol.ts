/** What the agent and the console server say to each other over HTTPS: the paths, and the schema of every body, shared by both sides. */
import { z } from 'zod';

/** Every agent call but enrolment carries `Authorization: Portcullis-Agent ...` (src/server/auth/agent-request-auth.ts). */
export const AGENT_PATHS = {
  /** POST: exchange a one-time token for the agent's own credential. */
  enrol: '/api/agent/enrol',
  /** GET: the newest signed policy; `If-None-Match` with the ETag held answers 304. */
  policy: '/api/agent/policy',
  /** GET: server-sent events, one `policy` event with the version each time a new one exists. */
  policyStream: '/api/agent/policy/stream',
  /** POST: approval requests made on the PC; GET `?ids=a,b`: their status. */
  requests: '/api/agent/requests',
  /** POST: audit records, in order, for the server's copy of the chain. */
  audit: '/api/agent/audit',
} as const;

const text = (max: number) => z.string().min(1).max(max);

export const enrolBody = z.strictObject({
  token: text(200),
  machine: text(253),
  /** The agent's Ed25519 public key: SPKI DER in base64, or the raw 32 bytes in base64url (generateAgentKeyPair's `publicKey`); the server stores the raw form. */
  publicKey: text(200),
  version: text(50),
});
export type EnrolBody = z.infer<typeof enrolBody>;

export const enrolAnswer = z.strictObject({
  agentId: text(100),
  /** The server's policy-signing public key (PEM): the agent trusts policies it signs. */
  policyKey: text(2000),
  /** The per-agent secret for offline one-time codes, base64url; shown once. */
  offlineSecret: text(200),
});
export type EnrolAnswer = z.infer<typeof enrolAnswer>;

const deviceSummary = z.strictObject({
  id: z.strictObject({ vendor: z.string().max(4), product: z.string().max(4) }),
  serial: z.string().max(256),
  name: z.string().max(256),
  manufacturer: z.string().max(256),
  hash: z.string().max(100),
  kind: z.string().max(30),
  interfaces: z.array(z.strictObject({ classCode: z.int().min(0).max(255), subclass: z.int().min(0).max(255), protocol: z.int().min(0).max(255) })).max(64),
  warnings: z.array(z.string().max(500)).max(20),
});

/** One approval request as the agent forwards it (the local queue's entry). */
export const forwardedRequest = z.strictObject({
  /** The agent's own id for it. */
  localId: text(100),
  viaPort: z.string().max(64),
  device: deviceSummary,
  user: text(100),
  userVerified: z.boolean(),
  justification: text(1000),
  durationDays: z.int().min(1).max(366),
  requestedAt: z.iso.datetime({ offset: true }),
});
export type ForwardedRequest = z.infer<typeof forwardedRequest>;

export const requestsBody = z.strictObject({ requests: z.array(forwardedRequest).min(1).max(100) });

export const requestStatus = z.strictObject({
  localId: text(100),
  serverId: text(100),
  status: z.enum(['pending', 'approved', 'refused', 'withdrawn']),
  /** The approver's reason for a refusal, or the approval's expiry, in words. */
  detail: z.string().max(1000).optional(),
});
export type RequestStatus = z.infer<typeof requestStatus>;
export const requestsAnswer = z.strictObject({ requests: z.array(requestStatus) });

/** Audit records exactly as the agent's log holds them (JSON lines), so the server can check each hash. */
export const auditBody = z.strictObject({ lines: z.array(z.string().min(2).max(64 * 1024)).min(1).max(500) });
export const auditAnswer = z.strictObject({
  accepted: z.int().min(0),
  /** The last seq the server holds for this agent: the agent sends from the one after. */
  lastSeq: z.int().min(0),
  /** False once a break in the agent's chain was found (flagged in the console). */
  chainOk: z.boolean(),
});

/** The product token agents put in their User-Agent header, so the console shows what each PC runs. */
const AGENT_PRODUCT = 'portcullis-agent';

/** `portcullis-agent/0.2.0`. */
export function agentUserAgent(version: string): string {
  return `${AGENT_PRODUCT}/${version}`;
}

/** `0.2.0` from `portcullis-agent/0.2.0`; undefined for anything else (the header is the agent's word, shown to IT only). */
export function reportedVersion(userAgent: string | undefined): string | undefined {
  const [product, version] = (userAgent ?? '').split('/');
  return product === AGENT_PRODUCT && version !== undefined && /^[0-9A-Za-z.+-]{1,40}$/.test(version) ? version : undefined;
}
