/** One-time offline codes: SLT let one device into one PC with no network; the agent checks the code with a secret it shares with the server. */

import { createHmac, timingSafeEqual } from 'node:crypto';
import { canonicalCrockford, decodeCrockfordBigInt, encodeCrockfordBigInt } from './crockford-base32';
import { secureRandomBytes, type RandomBytes } from './random-bytes';

export const OFFLINE_SECRET_BYTES = 32;
/** Expiry is counted in whole hours from here; 18 bits of hours last until 2054. */
export const OFFLINE_CODE_EPOCH_MS = Date.UTC(2025, 0, 1);
export const MAX_OFFLINE_CODE_VALIDITY_MS = 366 * 24 * 60 * 60_000;
const HOUR_MS = 60 * 60_000;

/** 16 symbols × 5 bits = 80 bits: expiry hour (18), counter (18), truncated HMAC-SHA256 (44). */
const SYMBOLS = 16;
const EXPIRY_BITS = 18n;
const COUNTER_BITS = 18n;
const MAC_BITS = 44n;
export const MAX_OFFLINE_CODE_COUNTER = 2 ** Number(COUNTER_BITS) - 1;
const MAC_DOMAIN = 'portcullis-offline-code/1';

/** The per-agent secret: made by the server at enrolment, returned once, kept by the agent root-only. */
export function createOfflineSecret(random: RandomBytes = secureRandomBytes): Buffer {
  return random(OFFLINE_SECRET_BYTES);
}

export interface OfflineCodeBinding {
  secret: Uint8Array;
  /** The device's USBGuard hash, compared exactly. */
  deviceHash: string;
  /** The PC's name, compared without regard to case. */
  machineName: string;
}

export interface IssueOfflineCodeInput extends OfflineCodeBinding {
  /** Rounded up to the next whole hour. */
  expiresAt: number;
  /** Unique per agent, from 0 to MAX_OFFLINE_CODE_COUNTER: the server keeps the next one. */
  counter: number;
  now: number;
}

export interface IssuedOfflineCode {
  /** `XXXX-XXXX-XXXX-XXXX`, to read out or type. */
  code: string;
  expiresAt: number;
  counter: number;
}

/** The counters of codes already accepted on this PC, kept until each code's expiry. */
export interface UsedOfflineCodeStore {
  has(counter: number): boolean;
  add(counter: number, expiresAt: number): void;
}

export type OfflineCodeFailure = 'malformed' | 'wrong-code' | 'expired' | 'already-used';

export type VerifyOfflineCodeResult =
  | { ok: true; counter: number; expiresAt: number }
  | { ok: false; reason: OfflineCodeFailure; message: string };

function field(text: string): Buffer {
  const bytes = Buffer.from(text, 'utf8');
  const length = Buffer.alloc(4);
  length.writeUInt32BE(bytes.length);
  return Buffer.concat([length, bytes]);
}

/** The 44-bit MAC as 6 bytes, over length-prefixed fields so no two bindings share an input. */
function mac(binding: OfflineCodeBinding, expiryHours: number, counter: number): Buffer {
  const digest = createHmac('sha256', binding.secret)
    .update(Buffer.concat([field(MAC_DOMAIN), field(binding.deviceHash), field(binding.machineName.trim().toLowerCase()), field(String(expiryHours)), field(String(counter))]))
    .digest();
  const truncated = digest.readBigUInt64BE(0) >> (64n - MAC_BITS);
  const out = Buffer.alloc(6);
  out.writeUIntBE(Number(truncated), 0, 6);
  return out;
}

function checkSecret(secret: Uint8Array): void {
  if (secret.length < 16) throw new Error(`the offline-code secret must have at least 16 bytes, not ${secret.length}`);
}

/** The server's side (SLT approving a device for a PC that is offline). */
export function issueOfflineCode(input: IssueOfflineCodeInput): IssuedOfflineCode {
  checkSecret(input.secret);
  if (!Number.isInteger(input.counter) || input.counter < 0 || input.counter > MAX_OFFLINE_CODE_COUNTER) {
    throw new Error(`the offline-code counter must be a whole number from 0 to ${MAX_OFFLINE_CODE_COUNTER}, not ${input.counter}`);
  }
  if (input.deviceHash === '') throw new Error('an offline code needs the device hash');
  if (input.machineName.trim() === '') throw new Error('an offline code needs the machine name');
  if (!(input.expiresAt > input.now)) throw new Error('an offline code must expire after it is issued');
  if (input.expiresAt - input.now > MAX_OFFLINE_CODE_VALIDITY_MS) throw new Error('an offline code may last at most 366 days');
  const expiryHours = Math.ceil((input.expiresAt - OFFLINE_CODE_EPOCH_MS) / HOUR_MS);
  if (expiryHours < 0 || expiryHours >= 2 ** Number(EXPIRY_BITS)) throw new Error('the expiry is outside the years an offline code can express (2025 to 2054)');
  const value = (BigInt(expiryHours) << (COUNTER_BITS + MAC_BITS)) | (BigInt(input.counter) << MAC_BITS) | BigInt(`0x${mac(input, expiryHours, input.counter).toString('hex')}`);
  const symbols = encodeCrockfordBigInt(value, SYMBOLS);
  return { code: symbols.match(/.{4}/g)?.join('-') ?? symbols, expiresAt: OFFLINE_CODE_EPOCH_MS + expiryHours * HOUR_MS, counter: input.counter };
}

export interface VerifyOfflineCodeInput extends OfflineCodeBinding {
  code: string;
  now: number;
  used: UsedOfflineCodeStore;
}

/**
 * The agent's side, with no network. Typing is forgiven (case, hyphens, spaces, O for 0, I or
 * L for 1). Checks, in order: the form; the MAC (constant time), which fails alike for a typo
 * and for a code made for another device or PC; expiry; single use. A code that passes is
 * recorded as used.
 */
export function verifyOfflineCode(input: VerifyOfflineCodeInput): VerifyOfflineCodeResult {
  checkSecret(input.secret);
  const canonical = canonicalCrockford(input.code.trim());
  const value = canonical === undefined || canonical.length !== SYMBOLS ? undefined : decodeCrockfordBigInt(canonical);
  if (value === undefined) {
    return { ok: false, reason: 'malformed', message: `not an offline code: expected ${SYMBOLS} letters and digits, like ABCD-EFGH-JKMN-PQRS` };
  }
  const expiryHours = Number(value >> (COUNTER_BITS + MAC_BITS));
  const counter = Number((value >> MAC_BITS) & ((1n << COUNTER_BITS) - 1n));
  const presented = Buffer.alloc(6);
  presented.writeUIntBE(Number(value & ((1n << MAC_BITS) - 1n)), 0, 6);
  if (!timingSafeEqual(presented, mac(input, expiryHours, counter))) {
    return { ok: false, reason: 'wrong-code', message: 'this code is not valid for this device on this PC: check it was typed correctly and issued for this device and this PC' };
  }
  const expiresAt = OFFLINE_CODE_EPOCH_MS + expiryHours * HOUR_MS;
  if (input.now >= expiresAt) return { ok: false, reason: 'expired', message: `this code expired at ${new Date(expiresAt).toISOString()}; ask SLT for a new one` };
  if (input.used.has(counter)) return { ok: false, reason: 'already-used', message: 'this code was already used on this PC; each code works once' };
  input.used.add(counter, expiresAt);
  return { ok: true, counter, expiresAt };
}

/** An in-memory used-code store whose entries can be saved and restored; `prune` forgets codes past their expiry. */
export class UsedOfflineCodes implements UsedOfflineCodeStore {
  private readonly expiries: Map<number, number>;

  constructor(entries: Iterable<readonly [number, number]> = []) {
    this.expiries = new Map(entries);
  }

  has(counter: number): boolean {
    return this.expiries.has(counter);
  }

  add(counter: number, expiresAt: number): void {
    this.expiries.set(counter, expiresAt);
  }

  prune(now: number): void {
    for (const [counter, expiresAt] of this.expiries) if (expiresAt <= now) this.expiries.delete(counter);
  }

  /** [counter, expiresAt] pairs, for saving. */
  entries(): Array<[number, number]> {
    return [...this.expiries];
  }
}
