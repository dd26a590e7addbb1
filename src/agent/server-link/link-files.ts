/** The agent's files about its console server, in `<stateDir>/server/`: who it is, its key, the server's policy key, its offline secret, how far its audit log has been shipped. */
import { createPrivateKey, type KeyObject } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import type { Result } from '../../policy/policy-document';
import { POLICY_FILE } from '../../policy/policy-store';
import { readJsonIfExists, readText } from '../../policy/read-text';
import { writeFileAtomic } from '../../util/atomic-write';

export const SERVER_DIR = 'server';
/** Secrets and state: root only. */
export const PRIVATE_FILE_MODE = 0o600;
export const PUBLIC_FILE_MODE = 0o644;

export interface ServerLinkPaths {
  dir: string;
  /** identity.json: {server, agentId, enrolledAt}; its presence means "enrolled". */
  identity: string;
  /** agent-key.pem: the agent's Ed25519 private key (PKCS#8), mode 0600. */
  agentKey: string;
  /** server-policy.pub: the key the server signs policies with; the agent trusts it. */
  policyKey: string;
  /** offline-secret: for one-time codes when the PC is offline, mode 0600. */
  offlineSecret: string;
  /** policy.signed.json: the last policy from the server that verified (kept by a PolicyStore in `dir`). */
  policy: string;
  /** audit-shipped.json: {lastSeq} the server acknowledged. */
  auditShipped: string;
}

export function serverLinkPaths(stateDir: string): ServerLinkPaths {
  const dir = join(stateDir, SERVER_DIR);
  return {
    dir,
    identity: join(dir, 'identity.json'),
    agentKey: join(dir, 'agent-key.pem'),
    policyKey: join(dir, 'server-policy.pub'),
    offlineSecret: join(dir, 'offline-secret'),
    policy: join(dir, POLICY_FILE),
    auditShipped: join(dir, 'audit-shipped.json'),
  };
}

const identitySchema = z.strictObject({
  server: z.string().min(1),
  agentId: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, { error: 'expected an agent id (letters, digits, - and _)' }),
  enrolledAt: z.iso.datetime({ offset: true }),
});
export type ServerIdentity = z.infer<typeof identitySchema>;

const auditShippedSchema = z.strictObject({ lastSeq: z.int().min(0), shippedAt: z.iso.datetime({ offset: true }).optional() });


/** The identity, undefined when this PC has not enrolled. */
export function readIdentity(paths: ServerLinkPaths): Promise<Result<ServerIdentity | undefined>> {
  return readJsonIfExists(paths.identity, identitySchema);
}

export interface LinkCredentials {
  identity: ServerIdentity;
  privateKey: KeyObject;
}

/** The identity and private key every signed call needs; an error naming the file when either is missing or damaged. */
export async function readCredentials(paths: ServerLinkPaths): Promise<Result<LinkCredentials>> {
  const identity = await readIdentity(paths);
  if (!identity.ok) return identity;
  if (identity.value === undefined) return { ok: false, error: `${paths.identity}: not enrolled with a console server (no such file)` };
  const pem = await readText(paths.agentKey);
  if (!pem.ok) return pem;
  try {
    const privateKey = createPrivateKey(pem.value);
    if (privateKey.asymmetricKeyType !== 'ed25519') return { ok: false, error: `${paths.agentKey}: expected an Ed25519 private key` };
    return { ok: true, value: { identity: identity.value, privateKey } };
  } catch {
    return { ok: false, error: `${paths.agentKey}: not a PEM private key` };
  }
}

async function ensureDir(paths: ServerLinkPaths): Promise<void> {
  await mkdir(paths.dir, { recursive: true, mode: 0o700 });
}

/** Kept before the server is asked, so that a token is never spent on a key that could not be kept. */
export async function writeAgentKey(paths: ServerLinkPaths, privateKeyPem: string): Promise<void> {
  await ensureDir(paths);
  await writeFileAtomic(paths.agentKey, privateKeyPem, PRIVATE_FILE_MODE);
}

export interface EnrolmentFiles {
  identity: ServerIdentity;
  policyKeyPem: string;
  offlineSecret: string;
}

/** The server's answer, written file by file with the identity last: a crash part-way leaves the PC not enrolled, never half. */
export async function writeEnrolment(paths: ServerLinkPaths, files: EnrolmentFiles): Promise<void> {
  await ensureDir(paths);
  await writeFileAtomic(paths.policyKey, files.policyKeyPem.endsWith('\n') ? files.policyKeyPem : `${files.policyKeyPem}\n`, PUBLIC_FILE_MODE);
  await writeFileAtomic(paths.offlineSecret, `${files.offlineSecret}\n`, PRIVATE_FILE_MODE);
  await writeFileAtomic(paths.identity, `${JSON.stringify(files.identity, null, 2)}\n`, PRIVATE_FILE_MODE);
}

/** The last seq the server acknowledged (0 when nothing was shipped yet). */
export async function readAuditShipped(paths: ServerLinkPaths): Promise<Result<number>> {
  const state = await readJsonIfExists(paths.auditShipped, auditShippedSchema);
  return state.ok ? { ok: true, value: state.value?.lastSeq ?? 0 } : state;
}

export async function writeAuditShipped(paths: ServerLinkPaths, lastSeq: number, now: Date): Promise<void> {
  await ensureDir(paths);
  await writeFileAtomic(paths.auditShipped, `${JSON.stringify({ lastSeq, shippedAt: now.toISOString() })}\n`, PRIVATE_FILE_MODE);
}
