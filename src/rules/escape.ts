/** Rule strings as bytes: UTF-8 with stray bytes kept as lone surrogates, and USBGuard's quoting for printing. */

const STRAY_BYTE_BASE = 0xdc00;

function isStrayByte(codePoint: number): boolean {
  return codePoint >= 0xdc80 && codePoint <= 0xdcff;
}

/** The bytes `text` stands for: UTF-8 of its characters, with U+DC80..U+DCFF standing for the raw bytes 0x80..0xFF. */
export function stringBytes(text: string): number[] {
  const bytes: number[] = [];
  for (const char of text) {
    let cp = char.codePointAt(0) ?? 0;
    if (isStrayByte(cp)) {
      bytes.push(cp - STRAY_BYTE_BASE);
      continue;
    }
    if (cp >= 0xd800 && cp <= 0xdfff) cp = 0xfffd;
    if (cp < 0x80) bytes.push(cp);
    else if (cp < 0x800) bytes.push(0xc0 | (cp >> 6), 0x80 | (cp & 0x3f));
    else if (cp < 0x10000) bytes.push(0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f));
    else bytes.push(0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 0x3f), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f));
  }
  return bytes;
}

/** Allowed range of the second byte of a UTF-8 sequence led by `lead`, and the sequence length (RFC 3629). */
function sequenceShape(lead: number): { length: number; low: number; high: number } | undefined {
  if (lead >= 0xc2 && lead <= 0xdf) return { length: 2, low: 0x80, high: 0xbf };
  if (lead === 0xe0) return { length: 3, low: 0xa0, high: 0xbf };
  if (lead === 0xed) return { length: 3, low: 0x80, high: 0x9f };
  if (lead >= 0xe1 && lead <= 0xef) return { length: 3, low: 0x80, high: 0xbf };
  if (lead === 0xf0) return { length: 4, low: 0x90, high: 0xbf };
  if (lead === 0xf4) return { length: 4, low: 0x80, high: 0x8f };
  if (lead >= 0xf1 && lead <= 0xf3) return { length: 4, low: 0x80, high: 0xbf };
  return undefined;
}

function decodeSequence(bytes: readonly number[], at: number): { codePoint: number; length: number } | undefined {
  const lead = bytes[at] ?? 0;
  if (lead < 0x80) return { codePoint: lead, length: 1 };
  const shape = sequenceShape(lead);
  if (!shape) return undefined;
  const second = bytes[at + 1];
  if (second === undefined || second < shape.low || second > shape.high) return undefined;
  let codePoint = lead & (0xff >> (shape.length + 1));
  for (let i = 1; i < shape.length; i++) {
    const next = bytes[at + i];
    if (next === undefined || (next & 0xc0) !== 0x80) return undefined;
    codePoint = (codePoint << 6) | (next & 0x3f);
  }
  return { codePoint, length: shape.length };
}

/** Bytes back to text: valid UTF-8 decoded, every other byte b kept as the lone surrogate U+DC00+b. */
export function bytesToString(bytes: readonly number[]): string {
  let text = '';
  for (let at = 0; at < bytes.length; ) {
    const decoded = decodeSequence(bytes, at);
    if (decoded) {
      text += String.fromCodePoint(decoded.codePoint);
      at += decoded.length;
    } else {
      text += String.fromCharCode(STRAY_BYTE_BASE + (bytes[at] ?? 0));
      at += 1;
    }
  }
  return text;
}

/** `value` in double quotes as USBGuard prints it: `\"`, `\\`, printable ASCII as is, every other byte as `\xhh`. */
export function quoteRuleString(value: string): string {
  let quoted = '"';
  for (const byte of stringBytes(value)) {
    if (byte === 0x22) quoted += '\\"';
    else if (byte === 0x5c) quoted += '\\\\';
    else if (byte >= 0x20 && byte <= 0x7e) quoted += String.fromCharCode(byte);
    else quoted += `\\x${byte.toString(16).padStart(2, '0')}`;
  }
  return `${quoted}"`;
}
