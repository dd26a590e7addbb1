/** `portcullis policy keygen|sign|verify|show`: make signing keys, sign policy documents, check and read signed policies. */

import type { ParseArgsConfig } from 'node:util';
import { writeFileAtomic } from '../../util/atomic-write';
import { parsePolicyDocument, type PolicyDocument, type Result } from '../../policy/policy-document';
import { readSigningKeyFile, readTrustedKeyFiles, writeSigningKeyPair, type TrustedKey } from '../../policy/policy-keys';
import { parseEnvelope, SIGNED_POLICY_FORMAT, signPolicyDocument, verifySignedPolicy, type VerifyError } from '../../policy/policy-signing';
import { formatPolicySummary } from '../../policy/policy-summary';
import { readText } from '../../policy/read-text';
import { fail, UsageError, type Command } from '../command';
import { parseCommandLine } from '../parse-command-line';

type Options = NonNullable<ParseArgsConfig['options']>;

/** The command line, with an exact count of file arguments. */
function parse<T extends Options>(args: string[], options: T, positionals: number) {
  const parsed = parseCommandLine({ args, options, allowPositionals: true });
  if (parsed.positionals.length !== positionals) {
    throw new UsageError(positionals === 0 ? 'expected no file arguments' : `expected ${positionals} file argument${positionals === 1 ? '' : 's'}`);
  }
  return parsed;
}

export const policyKeygenCommand: Command = {
  path: ['policy', 'keygen'],
  summary: 'Make an Ed25519 key pair for signing policies',
  usage: 'portcullis policy keygen --out DIR [--force]',
  async run(args, io) {
    const { values } = parse(args, { out: { type: 'string' }, force: { type: 'boolean', default: false } }, 0);
    if (values.out === undefined) throw new UsageError('--out DIR is required');
    const written = await writeSigningKeyPair(values.out, { force: values.force === true });
    if (!written.ok) return fail(io, written.error);
    io.out(`Key id: ${written.value.keyId}\n`);
    io.out(`Private key: ${written.value.privateKeyPath} (keep it on the console server only)\n`);
    io.out(`Public key: ${written.value.publicKeyPath} (give it to every agent as a trusted key)\n`);
    return 0;
  },
};

export const policySignCommand: Command = {
  path: ['policy', 'sign'],
  summary: 'Validate a policy document and sign it',
  usage: 'portcullis policy sign --key KEY [--out FILE] DOCUMENT.json',
  async run(args, io) {
    const { values, positionals } = parse(args, { key: { type: 'string' }, out: { type: 'string' } }, 1);
    if (values.key === undefined) throw new UsageError('--key KEY is required');
    const file = positionals[0] ?? '';
    const key = await readSigningKeyFile(values.key);
    if (!key.ok) return fail(io, key.error);
    const text = await readText(file);
    if (!text.ok) return fail(io, text.error);
    const signed = signPolicyDocument(text.value, file, key.value);
    if (!signed.ok) return fail(io, signed.error);
    if (values.out === undefined) {
      io.out(signed.value.envelopeText);
      return 0;
    }
    await writeFileAtomic(values.out, signed.value.envelopeText);
    io.out(`Signed version ${signed.value.document.version} with key ${key.value.keyId} into ${values.out}\n`);
    return 0;
  },
};

export const policyVerifyCommand: Command = {
  path: ['policy', 'verify'],
  summary: 'Check a signed policy as an agent would',
  usage: 'portcullis policy verify --trust-key PUB [--trust-key PUB2 ...] [--min-version N] SIGNED.json',
  async run(args, io) {
    const { values, positionals } = parse(args, { 'trust-key': { type: 'string', multiple: true }, 'min-version': { type: 'string' } }, 1);
    const trustPaths = values['trust-key'] ?? [];
    if (trustPaths.length === 0) throw new UsageError('at least one --trust-key PUB is required');
    const minVersion = parseMinVersion(values['min-version']);
    const file = positionals[0] ?? '';
    const trustedKeys = await readTrustedKeyFiles(trustPaths);
    if (!trustedKeys.ok) return fail(io, trustedKeys.error);
    const text = await readText(file);
    if (!text.ok) return fail(io, text.error);
    const verified = verifySignedPolicy(text.value, file, { trustedKeys: trustedKeys.value });
    if (!verified.ok) return fail(io, refusal(verified.error));
    const { version } = verified.value.document;
    if (version < minVersion) return fail(io, `REFUSED (replay): ${file}: version ${version} is below the minimum version ${minVersion}`);
    io.out(`OK: version ${version} signed by ${verified.value.keyId}\n`);
    return 0;
  },
};

function refusal(error: VerifyError): string {
  return `REFUSED (${error.code}): ${error.message}`;
}

function parseMinVersion(text: string | undefined): number {
  if (text === undefined) return 1;
  if (!/^[1-9]\d*$/.test(text)) throw new UsageError(`--min-version expects a whole number of 1 or more, not "${text}"`);
  return Number(text);
}

/** `show` needs the time to mark expired rules. */
export function createPolicyShowCommand(clock: () => Date): Command {
  return {
    path: ['policy', 'show'],
    summary: 'Print a readable summary of a policy, signed or not',
    usage: 'portcullis policy show [--trust-key PUB ...] SIGNED.json|DOCUMENT.json',
    async run(args, io) {
      const { values, positionals } = parse(args, { 'trust-key': { type: 'string', multiple: true } }, 1);
      const file = positionals[0] ?? '';
      const trustedKeys = await readTrustedKeyFiles(values['trust-key'] ?? []);
      if (!trustedKeys.ok) return fail(io, trustedKeys.error);
      const text = await readText(file);
      if (!text.ok) return fail(io, text.error);
      const shown = readForShow(text.value, file, trustedKeys.value);
      if (!shown.ok) return fail(io, shown.error);
      io.out(formatPolicySummary(shown.value.document, shown.value.signature, clock()));
      return 0;
    },
  };
}

/** With trusted keys, exactly what an agent would accept; without, the document and an unchecked signature. */
function readForShow(text: string, file: string, trustedKeys: readonly TrustedKey[]): Result<{ document: PolicyDocument; signature: string }> {
  if (trustedKeys.length > 0) {
    const verified = verifySignedPolicy(text, file, { trustedKeys });
    return verified.ok
      ? { ok: true, value: { document: verified.value.document, signature: `verified, key ${verified.value.keyId}` } }
      : { ok: false, error: refusal(verified.error) };
  }
  const envelope = parseEnvelope(text, file);
  if (!envelope.ok) {
    if (envelope.error.code === 'not-an-envelope' && claimsToBeSigned(text)) return { ok: false, error: envelope.error.message };
    const document = parsePolicyDocument(text, file);
    return document.ok ? { ok: true, value: { document: document.value, signature: 'none (an unsigned document; agents refuse it until it is signed)' } } : document;
  }
  const document = parsePolicyDocument(envelope.value.documentText, `${file}: document`);
  const signature = envelope.value.signature === undefined ? 'none (the envelope has no signature)' : `key ${envelope.value.keyId}, NOT checked (give --trust-key to check it)`;
  return document.ok ? { ok: true, value: { document: document.value, signature } } : document;
}

/** A damaged envelope gets the envelope's errors; anything else is read as a policy document. */
function claimsToBeSigned(text: string): boolean {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && (value as { format?: unknown }).format === SIGNED_POLICY_FORMAT;
  } catch {
    return false;
  }
}

export const policyShowCommand: Command = createPolicyShowCommand(() => new Date());

export const policyCommands: readonly Command[] = [policyKeygenCommand, policySignCommand, policyVerifyCommand, policyShowCommand];
