/** Crockford base32 (0-9, A-Z without I, L, O, U): encoding and forgiving decoding of typed codes and tokens. */

export const CROCKFORD_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

const VALUES: ReadonlyMap<string, number> = (() => {
  const map = new Map<string, number>();
  [...CROCKFORD_ALPHABET].forEach((symbol, value) => map.set(symbol, value));
  // Crockford's rules for what people type: O is zero; I and L are one.
  map.set('O', 0);
  map.set('I', 1);
  map.set('L', 1);
  return map;
})();

/** Encodes bytes, 5 bits a symbol, most significant first; a final partial group is padded with zero bits. */
export function encodeCrockford(bytes: Uint8Array): string {
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += CROCKFORD_ALPHABET[(buffer >> bits) & 31];
    }
    buffer &= (1 << bits) - 1;
  }
  if (bits > 0) out += CROCKFORD_ALPHABET[(buffer << (5 - bits)) & 31];
  return out;
}

/** Encodes the low `symbols * 5` bits of a non-negative integer as exactly `symbols` symbols. */
export function encodeCrockfordBigInt(value: bigint, symbols: number): string {
  if (value < 0n || value >= 1n << BigInt(symbols * 5)) throw new RangeError(`${value} does not fit in ${symbols} base32 symbols`);
  let out = '';
  for (let i = symbols - 1; i >= 0; i -= 1) out += CROCKFORD_ALPHABET[Number((value >> BigInt(i * 5)) & 31n)];
  return out;
}

/**
 * Upper-cases, drops hyphens and spaces, and reads O as 0 and I or L as 1. Returns the
 * canonical symbols, or undefined when any other character (U included) is present.
 */
export function canonicalCrockford(text: string): string | undefined {
  let out = '';
  for (const char of text.toUpperCase()) {
    if (char === '-' || char === ' ') continue;
    const value = VALUES.get(char);
    if (value === undefined) return undefined;
    out += CROCKFORD_ALPHABET[value];
  }
  return out;
}

/** The integer value of canonical or typed symbols, or undefined when a character is not base32. */
export function decodeCrockfordBigInt(text: string): bigint | undefined {
  const canonical = canonicalCrockford(text);
  if (canonical === undefined) return undefined;
  let value = 0n;
  for (const char of canonical) value = (value << 5n) | BigInt(VALUES.get(char) ?? 0);
  return value;
}
