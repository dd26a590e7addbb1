/** Unit tests of rule-string bytes: lossless UTF-8 with lone surrogates for stray bytes, and USBGuard's quoting. */
import fc from 'fast-check';
import { bytesToString, quoteRuleString, stringBytes } from './escape';

describe('rule string bytes', () => {
  it('encodes characters as UTF-8 and lone surrogates U+DC80..U+DCFF as their byte', () => {
    expect(stringBytes('Aé😀')).toEqual([0x41, 0xc3, 0xa9, 0xf0, 0x9f, 0x98, 0x80]);
    expect(stringBytes('\udcff\udc80')).toEqual([0xff, 0x80]);
    expect(stringBytes('\ud800')).toEqual([0xef, 0xbf, 0xbd]);
  });

  it('decodes valid UTF-8 and keeps every other byte as a lone surrogate', () => {
    expect(bytesToString([0x41, 0xc3, 0xa9])).toBe('Aé');
    expect(bytesToString([0xc3])).toBe('\udcc3');
    expect(bytesToString([0xe0, 0x80, 0x80])).toBe('\udce0\udc80\udc80');
    expect(bytesToString([0xed, 0xa0, 0x80])).toBe('\udced\udca0\udc80');
    expect(bytesToString([0xf4, 0x90, 0x80, 0x80])).toBe('\udcf4\udc90\udc80\udc80');
  });

  it('round-trips any byte string', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 255 })), (bytes) => {
        expect(stringBytes(bytesToString(bytes))).toEqual(bytes);
      }),
    );
  });

  it('round-trips any well-formed text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (text) => {
        expect(bytesToString(stringBytes(text))).toBe(text);
      }),
    );
  });
});

describe('quoteRuleString', () => {
  it('quotes as USBGuard escapeString does', () => {
    expect(quoteRuleString('')).toBe('""');
    expect(quoteRuleString('a "b" \\ ~')).toBe('"a \\"b\\" \\\\ ~"');
    expect(quoteRuleString('\t\n\x00\x1f\x7f')).toBe('"\\x09\\x0a\\x00\\x1f\\x7f"');
    expect(quoteRuleString('é\udcff')).toBe('"\\xc3\\xa9\\xff"');
  });
});
