/** C's std::stod as USBGuard's random(...) uses it: which parameters it accepts (a leading number, no range error). */

const LEADING_SPACE_AND_SIGN = /^[ \t\n\v\f\r]*[+-]?/;
const INF_OR_NAN = /^(inf|nan)/i;
const HEX_FLOAT = /^0x(?=\.?[0-9a-f])([0-9a-f]*)(?:\.([0-9a-f]*))?(?:p([+-]?\d+))?/i;
const DECIMAL_FLOAT = /^(\d*)(?:\.(\d*))?(?:e([+-]?\d+))?/i;

/** Exponents beyond this are out of range whatever the digits; clamping keeps BigInt work small. */
const EXPONENT_CLAMP = 100_000;

function exponentOf(text: string | undefined): number {
  const value = Number(text ?? '0');
  return Math.max(-EXPONENT_CLAMP, Math.min(EXPONENT_CLAMP, value));
}

function bitLength(n: bigint): number {
  return n.toString(2).length;
}

/**
 * Whether the exact value `mantissa * base^exponent` converts to a double without strtod setting
 * ERANGE: no overflow after rounding, and no underflow (tiny after rounding to 53 bits, and inexact).
 */
function convertsWithoutRangeError(mantissa: bigint, base: 2 | 10, exponent: number): boolean {
  if (mantissa === 0n) return true;
  const log2Low = bitLength(mantissa) - 1 + exponent * Math.log2(base);
  if (log2Low > 1100) return false;
  if (log2Low < -1200) return false;
  const power = BigInt(base) ** BigInt(Math.abs(exponent));
  const num = exponent >= 0 ? mantissa * power : mantissa;
  const den = exponent >= 0 ? 1n : power;
  let e = bitLength(num) - bitLength(den);
  if (e >= 0 ? num < den << BigInt(e) : num << BigInt(-e) < den) e -= 1;
  const shift = 52 - e;
  const scaledNum = shift >= 0 ? num << BigInt(shift) : num;
  const scaledDen = shift >= 0 ? den : den << BigInt(-shift);
  let rounded = scaledNum / scaledDen;
  const twiceRest = (scaledNum % scaledDen) * 2n;
  if (twiceRest > scaledDen || (twiceRest === scaledDen && (rounded & 1n) === 1n)) rounded += 1n;
  if (rounded === 1n << 53n) e += 1;
  if (e > 1023) return false;
  if (e < -1022) return (num << 1074n) % den === 0n;
  return true;
}

/** Whether std::stod(text) returns rather than throws (invalid_argument or out_of_range). */
export function stodAccepts(text: string): boolean {
  const rest = text.replace(LEADING_SPACE_AND_SIGN, '');
  if (INF_OR_NAN.test(rest)) return true;
  const hex = HEX_FLOAT.exec(rest);
  if (hex) {
    const [, whole = '', fraction = '', exponent] = hex;
    const digits = `${whole}${fraction}`;
    return convertsWithoutRangeError(BigInt(`0x${digits}`), 2, exponentOf(exponent) - 4 * fraction.length);
  }
  const decimal = DECIMAL_FLOAT.exec(rest);
  const [, whole = '', fraction = '', exponent] = decimal ?? [];
  const digits = `${whole}${fraction}`;
  if (digits === '') return false;
  return convertsWithoutRangeError(BigInt(digits), 10, exponentOf(exponent) - fraction.length);
}

/** The value std::stod(text) returns, for text that `stodAccepts`: the leading number, the rest ignored. */
export function stodValue(text: string): number {
  const lead = LEADING_SPACE_AND_SIGN.exec(text)?.[0] ?? '';
  const sign = lead.includes('-') ? -1 : 1;
  const rest = text.slice(lead.length);
  const special = INF_OR_NAN.exec(rest)?.[1];
  if (special !== undefined) return special.toLowerCase() === 'inf' ? sign * Infinity : NaN;
  const hex = HEX_FLOAT.exec(rest);
  if (hex) {
    const [, whole = '', fraction = '', exponent] = hex;
    return sign * Number.parseInt(`${whole}${fraction}` || '0', 16) * 2 ** (Number(exponent ?? '0') - 4 * fraction.length);
  }
  return sign * Number(DECIMAL_FLOAT.exec(rest)?.[0] ?? 'NaN');
}
