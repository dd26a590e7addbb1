/** Signed agent requests: the `Authorization: Portcullis-Agent ...` header, made by the agent and checked by the server. */

import { createHash, sign, verify, type KeyObject } from 'node:crypto';
import { secureRandomBytes, type RandomBytes } from './random-bytes';

export const AGENT_AUTH_SCHEME = 'Portcullis-Agent';
export const MAX_CLOCK_SKEW_MS = 5 * 60_000;

const AGENT_ID = /^[A-Za-z0-9_-]{1,64}$/;
const NONCE = /^[A-Za-z0-9_-]{16,64}$/;
const TIMESTAMP = /^\d{1,16}$/;
const SHA256_B64URL = /^[A-Za-z0-9_-]{43}$/;
/** Canonical base64url of 64 bytes: the last symbol's 4 spare bits are zero, so one signature has one spelling. */
const SIGNATURE_B64URL = /^[A-Za-z0-9_-]{85}[AQgw]$/;
const PARAMS = ['id', 'ts', 'nonce', 'body', 'sig'] as const;

type Param = (typeof PARAMS)[number];
type Body = string | Uint8Array | undefined;

export interface SignAgentRequestInput {
  agentId: string;
  privateKey: KeyObject;
  method: string;
  /** The request target exactly as sent: path and query string. */
  path: string;
  body?: Body;
  now: number;
  random?: RandomBytes;
}

/**
 * The bytes signed: `METHOD\npath\nts\nnonce\nsha256(body)`, the hash in base64url. The header
 * also carries that hash as `body=`, so the server can tell a changed body from a bad signature.
 */
export function agentSigningPayload(method: string, path: string, ts: number | string, nonce: string, bodySha256: string): Buffer {
  return Buffer.from(`${method.toUpperCase()}\n${path}\n${ts}\n${nonce}\n${bodySha256}`, 'utf8');
}

export function bodySha256(body: Body): string {
  return createHash('sha256').update(body ?? '').digest('base64url');
}

/** The agent's side: the `Authorization` header value for one request. */
export function signAgentRequest(input: SignAgentRequestInput): string {
  if (!AGENT_ID.test(input.agentId)) throw new Error(`agent id ${JSON.stringify(input.agentId)} is not usable in a header: letters, digits, - and _ only`);
  if (!Number.isSafeInteger(input.now) || input.now < 0) throw new Error(`the request time must be whole milliseconds since 1970, not ${input.now}`);
  const nonce = (input.random ?? secureRandomBytes)(16).toString('base64url');
  const body = bodySha256(input.body);
  const sig = sign(null, agentSigningPayload(input.method, input.path, input.now, nonce, body), input.privateKey).toString('base64url');
  return `${AGENT_AUTH_SCHEME} id=${input.agentId}, ts=${input.now}, nonce=${nonce}, body=${body}, sig=${sig}`;
}

export type AgentAuthFailure = 'malformed-header' | 'unknown-agent' | 'revoked-agent' | 'clock-skew' | 'bad-signature' | 'body-changed' | 'replayed-nonce';

/** What the server knows of an enrolled agent. */
export interface AgentKeyRecord {
  publicKey: KeyObject;
  revoked: boolean;
}

type MaybePromise<T> = T | Promise<T>;

export interface VerifyAgentRequestInput {
  header: string | undefined;
  method: string;
  path: string;
  body?: Body;
  publicKeyFor: (agentId: string) => MaybePromise<AgentKeyRecord | undefined>;
  now: number;
  /** Whether this agent already used the nonce; records it if not (a `NonceCache` does both). Called only for a request that checked out. */
  seenNonce: (nonce: string, agentId: string) => MaybePromise<boolean>;
  maxSkewMs?: number;
}

export type VerifyAgentRequestResult = { ok: true; agentId: string } | { ok: false; reason: AgentAuthFailure; message: string };

/** Parses `Portcullis-Agent id=..., ts=..., nonce=..., body=..., sig=...`: each parameter once, in any order, nothing else. */
function parseHeader(header: string): Record<Param, string> | string {
  const match = /^(\S+)\s+(.+)$/s.exec(header.trim());
  if (match === null || match[1]?.toLowerCase() !== AGENT_AUTH_SCHEME.toLowerCase()) return `expected the ${AGENT_AUTH_SCHEME} scheme`;
  const values = new Map<string, string>();
  for (const part of (match[2] ?? '').split(',')) {
    const pair = /^\s*([a-z]+)=(\S+?)\s*$/.exec(part);
    if (pair === null) return `cannot read ${JSON.stringify(part.trim())}`;
    const [, name, value] = pair as unknown as [string, string, string];
    if (!(PARAMS as readonly string[]).includes(name)) return `unknown parameter ${name}`;
    if (values.has(name)) return `${name} given twice`;
    values.set(name, value);
  }
  const missing = PARAMS.filter((name) => !values.has(name));
  if (missing.length > 0) return `missing ${missing.join(', ')}`;
  const parsed = Object.fromEntries(values) as Record<Param, string>;
  if (!AGENT_ID.test(parsed.id)) return 'id is not an agent id';
  if (!TIMESTAMP.test(parsed.ts)) return 'ts is not a time in milliseconds';
  if (!NONCE.test(parsed.nonce)) return 'nonce must be 16 to 64 base64url characters';
  if (!SHA256_B64URL.test(parsed.body)) return 'body is not a base64url SHA-256';
  if (!SIGNATURE_B64URL.test(parsed.sig)) return 'sig is not a base64url Ed25519 signature';
  return parsed;
}

/**
 * The server's side. Checks, in order: the header's form; the agent is known and not revoked;
 * its clock is within `maxSkewMs` (5 minutes) of ours; the signature; the body is the one signed;
 * the nonce is new. Each refusal has its own reason. Never throws for bad input.
 */
export async function verifyAgentRequest(input: VerifyAgentRequestInput): Promise<VerifyAgentRequestResult> {
  const refuse = (reason: AgentAuthFailure, message: string): VerifyAgentRequestResult => ({ ok: false, reason, message });
  if (input.header === undefined || input.header.trim() === '') return refuse('malformed-header', 'no Authorization header');
  const header = parseHeader(input.header);
  if (typeof header === 'string') return refuse('malformed-header', `Authorization header: ${header}`);
  const agent = await input.publicKeyFor(header.id);
  if (agent === undefined) return refuse('unknown-agent', `agent ${header.id} is not enrolled`);
  if (agent.revoked) return refuse('revoked-agent', `agent ${header.id} was revoked`);
  const skew = Number(header.ts) - input.now;
  const maxSkewMs = input.maxSkewMs ?? MAX_CLOCK_SKEW_MS;
  if (Math.abs(skew) > maxSkewMs) {
    return refuse('clock-skew', `agent ${header.id}'s clock is ${Math.round(Math.abs(skew) / 1000)} s ${skew > 0 ? 'ahead of' : 'behind'} the server's; at most ${maxSkewMs / 1000} s is accepted`);
  }
  const payload = agentSigningPayload(input.method, input.path, header.ts, header.nonce, header.body);
  let signatureGood = false;
  try {
    signatureGood = verify(null, payload, agent.publicKey, Buffer.from(header.sig, 'base64url'));
  } catch {
    signatureGood = false;
  }
  if (!signatureGood) return refuse('bad-signature', `the signature does not match agent ${header.id}'s key for ${input.method.toUpperCase()} ${input.path}`);
  if (bodySha256(input.body) !== header.body) return refuse('body-changed', 'the request body is not the one the agent signed');
  if (await input.seenNonce(header.nonce, header.id)) return refuse('replayed-nonce', `nonce ${header.nonce} was already used: a replayed request`);
  return { ok: true, agentId: header.id };
}
