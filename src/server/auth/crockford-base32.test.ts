import fc from 'fast-check';
import { canonicalCrockford, CROCKFORD_ALPHABET, decodeCrockfordBigInt, encodeCrockford, encodeCrockfordBigInt } from './crockford-base32';

describe('crockford base32', () => {
  it('has 32 symbols without I, L, O or U', () => {
    expect(CROCKFORD_ALPHABET).toHaveLength(32);
    expect(CROCKFORD_ALPHABET).not.toMatch(/[ILOU]/);
  });

  it('encodes bytes five bits a symbol, padding the last group with zero bits', () => {
    expect(encodeCrockford(Buffer.from([0x00]))).toBe('00');
    expect(encodeCrockford(Buffer.from([0xff]))).toBe('ZW');
    expect(encodeCrockford(Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff]))).toBe('ZZZZZZZZ');
    expect(encodeCrockford(Buffer.alloc(20))).toHaveLength(32);
  });

  it('reads what people type: lower case, hyphens, spaces, O as 0, I and L as 1', () => {
    expect(canonicalCrockford('ab-cd ef')).toBe('ABCDEF');
    expect(canonicalCrockford('oOiIlL')).toBe('001111');
    expect(canonicalCrockford('AUB')).toBeUndefined();
    expect(canonicalCrockford('AB*')).toBeUndefined();
  });

  it('refuses a value that does not fit the number of symbols', () => {
    expect(() => encodeCrockfordBigInt(1n << 10n, 2)).toThrow('does not fit');
    expect(() => encodeCrockfordBigInt(-1n, 2)).toThrow('does not fit');
  });

  it('round-trips integers, and bytes whose bit count is a multiple of 5', () => {
    fc.assert(fc.property(fc.bigInt({ min: 0n, max: (1n << 80n) - 1n }), (value) => {
      expect(decodeCrockfordBigInt(encodeCrockfordBigInt(value, 16))).toBe(value);
    }));
    fc.assert(fc.property(fc.uint8Array({ minLength: 5, maxLength: 5 }), (bytes) => {
      expect(decodeCrockfordBigInt(encodeCrockford(bytes))).toBe(BigInt(`0x${Buffer.from(bytes).toString('hex')}`));
    }));
  });
});
