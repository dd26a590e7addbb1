/** Password hashing with scrypt (memory-hard), in a self-describing `scrypt$N$r$p$salt$hash` form, verified in constant time. */

import { scrypt, timingSafeEqual } from 'node:crypto';
import { secureRandomBytes, type RandomBytes } from './random-bytes';

export interface ScryptParams {
  /** CPU/memory cost: a power of two. Memory used is 128 × N × r bytes. */
  N: number;
  r: number;
  p: number;
  saltBytes: number;
  hashBytes: number;
}

/**
 * OWASP's recommended scrypt setting (N=2^17, r=8, p=1): 128 MiB and about 0.4 s a hash on the
 * 2-core build machine. Node's default `maxmem` (32 MiB) is too small for it, so every call
 * passes its own.
 */
export const CURRENT_SCRYPT_PARAMS: Readonly<ScryptParams> = { N: 2 ** 17, r: 8, p: 1, saltBytes: 16, hashBytes: 32 };

/** Limits on what a stored hash may ask for, so a damaged or planted row cannot exhaust the server. */
const MAX_N = 2 ** 20;
const MAX_R = 32;
const MAX_P = 16;

const ENCODED = /^scrypt\$(\d{1,8})\$(\d{1,3})\$(\d{1,3})\$([A-Za-z0-9_-]{16,128})\$([A-Za-z0-9_-]{16,128})$/;

interface ParsedHash {
  N: number;
  r: number;
  p: number;
  salt: Buffer;
  hash: Buffer;
}

/** Twice the memory scrypt needs: Node refuses a call whose needs come near `maxmem`. */
function maxmemFor(N: number, r: number, p: number): number {
  return 2 * 128 * N * r + 128 * r * p;
}

function derive(password: string, salt: Buffer, N: number, r: number, p: number, length: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFKC'), salt, length, { N, r, p, maxmem: maxmemFor(N, r, p) }, (error, key) => (error ? reject(error) : resolve(key)));
  });
}

function checkParams(N: number, r: number, p: number): string | undefined {
  if (!Number.isInteger(N) || N < 2 || N > MAX_N || (N & (N - 1)) !== 0) return `N must be a power of two from 2 to ${MAX_N}, not ${N}`;
  if (!Number.isInteger(r) || r < 1 || r > MAX_R) return `r must be from 1 to ${MAX_R}, not ${r}`;
  if (!Number.isInteger(p) || p < 1 || p > MAX_P) return `p must be from 1 to ${MAX_P}, not ${p}`;
  return undefined;
}

/** Reads an encoded hash; throws a clear error when it is not one this module wrote. */
function parseEncoded(encoded: string): ParsedHash {
  const match = ENCODED.exec(encoded);
  if (match === null) throw new Error('stored password hash is malformed: expected scrypt$N$r$p$salt$hash');
  const [, n, r, p, salt, hash] = match as unknown as [string, string, string, string, string, string];
  const problem = checkParams(Number(n), Number(r), Number(p));
  if (problem !== undefined) throw new Error(`stored password hash has unusable parameters: ${problem}`);
  return { N: Number(n), r: Number(r), p: Number(p), salt: Buffer.from(salt, 'base64url'), hash: Buffer.from(hash, 'base64url') };
}

/** Hashes a password with a fresh random salt. Runs on libuv's thread pool, so the event loop stays free. */
export async function hashPassword(password: string, params: Readonly<ScryptParams> = CURRENT_SCRYPT_PARAMS, random: RandomBytes = secureRandomBytes): Promise<string> {
  const problem = checkParams(params.N, params.r, params.p);
  if (problem !== undefined) throw new Error(`invalid scrypt parameters: ${problem}`);
  if (params.saltBytes < 16 || params.hashBytes < 16) throw new Error('invalid scrypt parameters: salt and hash need at least 16 bytes each');
  const salt = random(params.saltBytes);
  const hash = await derive(password, salt, params.N, params.r, params.p, params.hashBytes);
  return ['scrypt', params.N, params.r, params.p, salt.toString('base64url'), hash.toString('base64url')].join('$');
}

/**
 * True when the password matches the encoded hash; the comparison takes the same time wherever
 * the bytes differ. Throws when the stored hash is malformed (a data problem, not a wrong password).
 */
export async function verifyPassword(password: string, encoded: string): Promise<boolean> {
  const stored = parseEncoded(encoded);
  const candidate = await derive(password, stored.salt, stored.N, stored.r, stored.p, stored.hash.length);
  return timingSafeEqual(candidate, stored.hash);
}

/** True when the hash was made with weaker parameters (or a shorter salt or hash) than `current`: re-hash after the next good login. */
export function needsRehash(encoded: string, current: Readonly<ScryptParams> = CURRENT_SCRYPT_PARAMS): boolean {
  const stored = parseEncoded(encoded);
  return stored.N < current.N || stored.r < current.r || stored.p < current.p || stored.salt.length < current.saltBytes || stored.hash.length < current.hashBytes;
}

let dummyHash: Promise<string> | undefined;

/**
 * Spends the same time as checking a real password, for a login naming no account, so the
 * response time does not tell an attacker which accounts exist. Always false.
 */
export async function verifyPasswordForUnknownAccount(password: string, params: Readonly<ScryptParams> = CURRENT_SCRYPT_PARAMS): Promise<false> {
  const usable = params === CURRENT_SCRYPT_PARAMS ? (dummyHash ??= hashPassword('portcullis-no-such-account')) : hashPassword('portcullis-no-such-account', params);
  await verifyPassword(password, await usable);
  return false;
}
