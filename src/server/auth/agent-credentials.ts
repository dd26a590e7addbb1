/** Agent enrolment: one-time `pce_` tokens kept hashed, agent ids and Ed25519 key pairs, and the checks that admit a new agent. */

import { createHash, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { canonicalCrockford, encodeCrockford } from './crockford-base32';
import { createOfflineSecret } from './offline-codes';
import { secureRandomBytes, type RandomBytes } from './random-bytes';
import type { Result } from '../../policy/policy-document';

export { AGENT_AUTH_SCHEME, MAX_CLOCK_SKEW_MS, signAgentRequest, verifyAgentRequest } from './agent-request-auth';
export type { AgentAuthFailure, AgentKeyRecord, SignAgentRequestInput, VerifyAgentRequestInput, VerifyAgentRequestResult } from './agent-request-auth';

export const ENROLMENT_TOKEN_PREFIX = 'pce_';
export const DEFAULT_ENROLMENT_TOKEN_TTL_MS = 24 * 60 * 60_000;
/** 20 random bytes: 160 bits, 32 base32 symbols. */
const ENROLMENT_TOKEN_BYTES = 20;
const ENROLMENT_TOKEN_SYMBOLS = 32;
const MACHINE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,252}$/;

export interface NewEnrolmentToken {
  /** Shown to the SLT member once; never stored. */
  token: string;
  tokenHash: string;
  expiresAt: number;
}

/** What the server keeps for an enrolment token. */
export interface StoredEnrolmentToken {
  tokenHash: string;
  expiresAt: number;
  /** Set when an agent enrolled with it; a token admits one agent only. */
  usedAt?: number;
}

export type EnrolmentProblem = 'malformed-token' | 'unknown-token' | 'expired-token' | 'used-token' | 'bad-public-key' | 'bad-machine-name';

export interface EnrolmentError {
  code: EnrolmentProblem;
  message: string;
}

export function createEnrolmentToken(now: number, ttlMs: number = DEFAULT_ENROLMENT_TOKEN_TTL_MS, random: RandomBytes = secureRandomBytes): NewEnrolmentToken {
  if (!Number.isFinite(ttlMs) || ttlMs <= 0) throw new Error(`an enrolment token's lifetime must be positive, not ${ttlMs} ms`);
  const token = `${ENROLMENT_TOKEN_PREFIX}${encodeCrockford(random(ENROLMENT_TOKEN_BYTES)).toLowerCase()}`;
  return { token, tokenHash: hashCanonicalToken(token), expiresAt: now + ttlMs };
}

function hashCanonicalToken(canonical: string): string {
  return createHash('sha256').update(canonical, 'utf8').digest('hex');
}

/**
 * The hash to look a presented token up by. Forgiving of how it was typed (case, spaces,
 * hyphens, O for 0, I or L for 1), strict about its length and prefix.
 */
export function parseEnrolmentToken(presented: string): Result<string, EnrolmentError> {
  const trimmed = presented.trim();
  const body = trimmed.toLowerCase().startsWith(ENROLMENT_TOKEN_PREFIX) ? canonicalCrockford(trimmed.slice(ENROLMENT_TOKEN_PREFIX.length)) : undefined;
  if (body === undefined || body.length !== ENROLMENT_TOKEN_SYMBOLS) {
    return { ok: false, error: { code: 'malformed-token', message: `not an enrolment token: expected ${ENROLMENT_TOKEN_PREFIX} followed by ${ENROLMENT_TOKEN_SYMBOLS} letters and digits` } };
  }
  return { ok: true, value: hashCanonicalToken(`${ENROLMENT_TOKEN_PREFIX}${body.toLowerCase()}`) };
}

/** Why a stored token (looked up by hash; undefined when none matched) cannot enrol an agent at `now`, or undefined when it can. */
export function enrolmentTokenProblem(stored: StoredEnrolmentToken | undefined, now: number): EnrolmentError | undefined {
  if (stored === undefined) return { code: 'unknown-token', message: 'this enrolment token is not known: check it was copied in full, or issue a new one' };
  if (stored.usedAt !== undefined) return { code: 'used-token', message: 'this enrolment token was already used; each one enrols a single PC, so issue a new one' };
  if (now >= stored.expiresAt) return { code: 'expired-token', message: 'this enrolment token has expired; issue a new one' };
  return undefined;
}

/** A server-assigned agent id: `agt_` and 16 base32 symbols (80 random bits). */
export function createAgentId(random: RandomBytes = secureRandomBytes): string {
  return `agt_${encodeCrockford(random(10)).toLowerCase()}`;
}

export interface AgentKeyPair {
  privateKey: KeyObject;
  /** PKCS#8 PEM, for the agent to keep root-only. */
  privateKeyPem: string;
  /** The raw 32-byte public key in base64url: what the agent sends when it enrols. */
  publicKey: string;
}

/** The agent's side: a fresh Ed25519 key pair. */
export function generateAgentKeyPair(): AgentKeyPair {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return { privateKey, privateKeyPem: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(), publicKey: agentPublicKeyText(publicKey) };
}

export function agentPublicKeyText(publicKey: KeyObject): string {
  const { x } = publicKey.export({ format: 'jwk' });
  if (publicKey.asymmetricKeyType !== 'ed25519' || typeof x !== 'string') throw new Error('not an Ed25519 public key');
  return x;
}

/** Reads the base64url raw public key an agent sent; refuses anything but 32 bytes of Ed25519 key. */
export function parseAgentPublicKey(text: string): Result<KeyObject, EnrolmentError> {
  const refuse: Result<KeyObject, EnrolmentError> = { ok: false, error: { code: 'bad-public-key', message: 'the public key must be an Ed25519 key: 32 bytes in base64url (43 characters)' } };
  if (!/^[A-Za-z0-9_-]{43}$/.test(text)) return refuse;
  try {
    return { ok: true, value: createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: text }, format: 'jwk' }) };
  } catch {
    return refuse;
  }
}

export interface EnrolmentRequest {
  token: string;
  publicKey: string;
  machineName: string;
}

export interface AcceptedEnrolment {
  agentId: string;
  publicKey: KeyObject;
  machineName: string;
  /** Mark this stored token used in the same transaction that saves the agent. */
  tokenHash: string;
  /** For offline codes: returned once in the enrolment response, kept by the agent root-only. */
  offlineSecret: Buffer;
}

/**
 * The server's side of enrolment, over plain values: `lookup` finds the stored token by hash.
 * On success the caller saves the agent, marks the token used, and returns agentId and
 * offlineSecret (base64url) to the agent.
 */
export function acceptEnrolment(request: EnrolmentRequest, lookup: (tokenHash: string) => StoredEnrolmentToken | undefined, now: number, random: RandomBytes = secureRandomBytes): Result<AcceptedEnrolment, EnrolmentError> {
  const tokenHash = parseEnrolmentToken(request.token);
  if (!tokenHash.ok) return tokenHash;
  const problem = enrolmentTokenProblem(lookup(tokenHash.value), now);
  if (problem !== undefined) return { ok: false, error: problem };
  const publicKey = parseAgentPublicKey(request.publicKey);
  if (!publicKey.ok) return publicKey;
  if (!MACHINE_NAME.test(request.machineName)) {
    return { ok: false, error: { code: 'bad-machine-name', message: 'the machine name must be 1 to 253 letters, digits, dots, hyphens or underscores' } };
  }
  return { ok: true, value: { agentId: createAgentId(random), publicKey: publicKey.value, machineName: request.machineName, tokenHash: tokenHash.value, offlineSecret: createOfflineSecret(random) } };
}
