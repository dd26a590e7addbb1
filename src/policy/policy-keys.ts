/** Ed25519 policy-signing keys: generation, key ids, and reading and writing their PEM files. */

import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../util/atomic-write';
import type { Result } from './policy-document';
import { readText } from './read-text';
import { pathExists } from '../util/path-exists';

export const PRIVATE_KEY_FILE = 'policy-signing.key';
export const PUBLIC_KEY_FILE = 'policy-signing.pub';

/** A public key an agent accepts policies from; `source` says where it came from (a file path), for messages. */
export interface TrustedKey {
  keyId: string;
  publicKey: KeyObject;
  source: string;
}

export interface SigningKey {
  keyId: string;
  privateKey: KeyObject;
}

export interface WrittenKeyPair {
  keyId: string;
  privateKeyPath: string;
  publicKeyPath: string;
}

/** Base64url of the SHA-256 of the raw 32-byte public key, first 16 characters. */
export function keyIdOf(publicKey: KeyObject): string {
  const { x } = publicKey.export({ format: 'jwk' });
  if (typeof x !== 'string') throw new Error('not an Ed25519 public key');
  return createHash('sha256').update(Buffer.from(x, 'base64url')).digest('base64url').slice(0, 16);
}

export function generateSigningKeyPair(): { keyId: string; privateKeyPem: string; publicKeyPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return {
    keyId: keyIdOf(publicKey),
    privateKeyPem: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
    publicKeyPem: publicKey.export({ format: 'pem', type: 'spki' }).toString(),
  };
}

export function trustedKeyFromPem(pem: string, source: string): Result<TrustedKey> {
  if (pem.includes('PRIVATE KEY')) {
    return { ok: false, error: `${source}: this is a private key; give the public key (${PUBLIC_KEY_FILE}), and keep the private key off the PCs` };
  }
  let publicKey: KeyObject;
  try {
    publicKey = createPublicKey(pem);
  } catch {
    return { ok: false, error: `${source}: not a PEM public key` };
  }
  if (publicKey.asymmetricKeyType !== 'ed25519') {
    return { ok: false, error: `${source}: expected an Ed25519 key, got ${publicKey.asymmetricKeyType ?? 'an unknown type'}` };
  }
  return { ok: true, value: { keyId: keyIdOf(publicKey), publicKey, source } };
}

export function signingKeyFromPem(pem: string, source: string): Result<SigningKey> {
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(pem);
  } catch {
    return { ok: false, error: `${source}: not a PEM private key` };
  }
  if (privateKey.asymmetricKeyType !== 'ed25519') {
    return { ok: false, error: `${source}: expected an Ed25519 key, got ${privateKey.asymmetricKeyType ?? 'an unknown type'}` };
  }
  return { ok: true, value: { keyId: keyIdOf(createPublicKey(privateKey)), privateKey } };
}

export async function readTrustedKeyFile(path: string): Promise<Result<TrustedKey>> {
  const text = await readText(path);
  return text.ok ? trustedKeyFromPem(text.value, path) : text;
}

export async function readSigningKeyFile(path: string): Promise<Result<SigningKey>> {
  const text = await readText(path);
  return text.ok ? signingKeyFromPem(text.value, path) : text;
}

/**
 * Generates a key pair into `dir` (created if needed): `policy-signing.key` (mode 0600)
 * and `policy-signing.pub`. Refuses to replace an existing key unless `force`.
 */
export async function writeSigningKeyPair(dir: string, options: { force: boolean }): Promise<Result<WrittenKeyPair>> {
  const privateKeyPath = join(dir, PRIVATE_KEY_FILE);
  const publicKeyPath = join(dir, PUBLIC_KEY_FILE);
  if (!options.force) {
    for (const path of [privateKeyPath, publicKeyPath]) {
      if (await pathExists(path)) return { ok: false, error: `${path} already exists; use --force to replace the key (policies it signed will need the old public key to verify)` };
    }
  }
  const pair = generateSigningKeyPair();
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await writeFileAtomic(privateKeyPath, pair.privateKeyPem, 0o600);
  await writeFileAtomic(publicKeyPath, pair.publicKeyPem, 0o644);
  return { ok: true, value: { keyId: pair.keyId, privateKeyPath, publicKeyPath } };
}


/** Reads every trusted public key named; the first unreadable one is the error. */
export async function readTrustedKeyFiles(paths: readonly string[]): Promise<Result<TrustedKey[]>> {
  const keys: TrustedKey[] = [];
  for (const path of paths) {
    const key = await readTrustedKeyFile(path);
    if (!key.ok) return key;
    keys.push(key.value);
  }
  return { ok: true, value: keys };
}
