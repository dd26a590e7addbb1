/** Signed policy envelopes: Ed25519 over the exact UTF-8 text of the document, and their verification. */

import { createHash, sign, verify } from 'node:crypto';
import { z } from 'zod';
import { parsePolicyDocument, POLICY_FORMAT, type PolicyDocument, type Result } from './policy-document';
import type { SigningKey, TrustedKey } from './policy-keys';
import { formatIssues, plainIssueMessages } from './zod-issues';

export const SIGNED_POLICY_FORMAT = 'portcullis-signed-policy/1';

/** Canonical base64 of 64 bytes: the final character before `==` carries no stray bits, so one signature has one spelling. */
const SIGNATURE_BASE64 = /^[A-Za-z0-9+/]{85}[AQgw]==$/;

/** Loose on purpose: the envelope is not signed, so an extra field in it can change nothing. */
const envelopeSchema = z.object({
  format: z.literal(SIGNED_POLICY_FORMAT),
  keyId: z.string().min(1),
  document: z.string(),
  signature: z.string().optional(),
});

export interface SignedPolicyEnvelope {
  format: typeof SIGNED_POLICY_FORMAT;
  keyId: string;
  document: string;
  signature: string;
}

export type VerifyErrorCode = 'not-an-envelope' | 'unsigned' | 'unknown-key' | 'bad-signature' | 'invalid-document' | 'replay';

export interface VerifyError {
  code: VerifyErrorCode;
  message: string;
}

/** A policy whose signature checked out against a trusted key and whose document is valid. */
export interface VerifiedPolicy {
  document: PolicyDocument;
  /** The exact signed text. */
  documentText: string;
  documentSha256: string;
  keyId: string;
  envelopeText: string;
}

/**
 * The last version accepted. A newer version passes; the same version passes only with the
 * identical document text (a harmless re-delivery, e.g. a re-push after a timeout); an older
 * one, or the same version with other content, is refused as a replay.
 */
export interface ReplayGuard {
  highestVersion: number;
  acceptedDocumentSha256?: string;
}

export interface VerifyOptions {
  trustedKeys: readonly TrustedKey[];
  replay?: ReplayGuard;
}

export function documentSha256(documentText: string): string {
  return createHash('sha256').update(documentText, 'utf8').digest('hex');
}

/** Validates the document text (refusing an invalid one with the field-naming error), then signs it as it is. */
export function signPolicyDocument(documentText: string, file: string, key: SigningKey): Result<{ envelopeText: string; document: PolicyDocument }> {
  const parsed = parsePolicyDocument(documentText, file);
  if (!parsed.ok) return parsed;
  const envelope: SignedPolicyEnvelope = {
    format: SIGNED_POLICY_FORMAT,
    keyId: key.keyId,
    document: documentText,
    signature: sign(null, Buffer.from(documentText, 'utf8'), key.privateKey).toString('base64'),
  };
  return { ok: true, value: { envelopeText: `${JSON.stringify(envelope, null, 2)}\n`, document: parsed.value } };
}

/** The envelope's parts, its signature unchecked, for `show` and for `verifySignedPolicy`. */
export interface UncheckedEnvelope {
  keyId: string;
  documentText: string;
  signature: string | undefined;
}

/** Reads the envelope's fields: `not-an-envelope`, or `unsigned` for a bare policy document. Checks no signature. */
export function parseEnvelope(envelopeText: string, file: string): Result<UncheckedEnvelope, VerifyError> {
  const refuse = (code: VerifyErrorCode, message: string): Result<UncheckedEnvelope, VerifyError> => ({ ok: false, error: { code, message } });
  let value: unknown;
  try {
    value = JSON.parse(envelopeText);
  } catch (error) {
    return refuse('not-an-envelope', `${file}: not a signed policy: not valid JSON (${(error as Error).message})`);
  }
  const format = isRecord(value) ? value.format : undefined;
  if (format === POLICY_FORMAT) {
    return refuse('unsigned', `${file}: an unsigned policy document; agents only accept policies signed with "portcullis policy sign"`);
  }
  if (format !== SIGNED_POLICY_FORMAT) return refuse('not-an-envelope', `${file}: not a signed policy (expected "format": "${SIGNED_POLICY_FORMAT}")`);
  const parsed = envelopeSchema.safeParse(value, { error: plainIssueMessages });
  if (!parsed.success) return refuse('not-an-envelope', formatIssues(file, parsed.error.issues));
  const { keyId, document, signature } = parsed.data;
  return { ok: true, value: { keyId, documentText: document, signature } };
}

/**
 * Checks, in order: the text is an envelope; it carries a signature; the key is trusted;
 * the signature matches the document; the document is valid; it is not a replay.
 * Never throws for bad input. Messages start with `file`.
 */
export function verifySignedPolicy(envelopeText: string, file: string, options: VerifyOptions): Result<VerifiedPolicy, VerifyError> {
  const refuse = (code: VerifyErrorCode, message: string): Result<VerifiedPolicy, VerifyError> => ({ ok: false, error: { code, message: `${file}: ${message}` } });
  const envelope = parseEnvelope(envelopeText, file);
  if (!envelope.ok) return envelope;
  const { keyId, documentText, signature } = envelope.value;
  if (signature === undefined || signature === '') return refuse('unsigned', 'the envelope carries no signature');
  const trusted = options.trustedKeys.find((key) => key.keyId === keyId);
  if (trusted === undefined) {
    const known = options.trustedKeys.map((key) => key.keyId).join(', ') || 'none';
    return refuse('unknown-key', `signed by key ${keyId}, which is not a trusted key (trusted: ${known})`);
  }
  if (!SIGNATURE_BASE64.test(signature) || !verify(null, Buffer.from(documentText, 'utf8'), trusted.publicKey, Buffer.from(signature, 'base64'))) {
    return refuse('bad-signature', `the signature does not match the document: it was changed after signing, or the signature is damaged (key ${keyId})`);
  }
  const document = parsePolicyDocument(documentText, `${file}: document`);
  if (!document.ok) return { ok: false, error: { code: 'invalid-document', message: document.error } };
  const sha = documentSha256(documentText);
  const replay = replayProblem(document.value.version, sha, options.replay);
  if (replay !== undefined) return refuse('replay', replay);
  return { ok: true, value: { document: document.value, documentText, documentSha256: sha, keyId, envelopeText } };
}

function replayProblem(version: number, sha: string, guard: ReplayGuard | undefined): string | undefined {
  if (guard === undefined || version > guard.highestVersion) return undefined;
  if (version === guard.highestVersion && sha === guard.acceptedDocumentSha256) return undefined;
  if (version === guard.highestVersion) {
    return `version ${version} was already accepted with different content; a changed policy needs a new version (${version + 1} or more)`;
  }
  return `version ${version} is older than version ${guard.highestVersion}, already accepted (a replayed or out-of-date policy)`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
