import fc from 'fast-check';
import { z } from 'zod';
import { DAY_MS, durationSchema, formatDuration, HOUR_MS, parseDuration, SECOND_MS } from './duration';
import { formatIssues, plainIssueMessages } from '../policy/zod-issues';

describe('parseDuration', () => {
  it.each([
    ['90s', 90_000],
    ['5m', 300_000],
    ['1h', 3_600_000],
    ['1h30m', 5_400_000],
    ['1h30m15s', 5_415_000],
    ['1h15s', 3_615_000],
    ['0s', 0],
    ['90m', 5_400_000],
    ['168h', 7 * DAY_MS],
  ])('reads %s', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['', '5', '500ms', '1.5m', '30m1h', '5m5m', ' 5m', '5m ', '5 m', '5M', '-5m', '1d', 'h', 'never', '99999999999999999999h'])('refuses %j', (text) => {
    expect(parseDuration(text)).toBeUndefined();
  });
});

describe('formatDuration', () => {
  it.each([
    [300_000, '5m'],
    [5_400_000, '1h30m'],
    [45_000, '45s'],
    [0, '0s'],
    [3_600_000, '1h'],
    [3_601_000, '1h1s'],
    [7 * DAY_MS, '168h'],
    [1_499, '1s'],
    [400, '0s'],
  ])('writes %d ms as %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });

  it.each([-1, Number.NaN, Number.POSITIVE_INFINITY])('refuses %d', (ms) => {
    expect(() => formatDuration(ms)).toThrow(RangeError);
  });

  it('round-trips every whole number of seconds', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000_000 }), (seconds) => {
        expect(parseDuration(formatDuration(seconds * SECOND_MS))).toBe(seconds * SECOND_MS);
      }),
    );
  });

  it('writes the canonical form of any text it reads', () => {
    const part = fc.option(fc.integer({ min: 0, max: 500 }), { nil: undefined });
    fc.assert(
      fc.property(part, part, part, (h, m, s) => {
        fc.pre(h !== undefined || m !== undefined || s !== undefined);
        const text = `${h === undefined ? '' : `${h}h`}${m === undefined ? '' : `${m}m`}${s === undefined ? '' : `${s}s`}`;
        const ms = parseDuration(text);
        expect(ms).toBe((((h ?? 0) * 60 + (m ?? 0)) * 60 + (s ?? 0)) * SECOND_MS);
        expect(parseDuration(formatDuration(ms!))).toBe(ms);
        // Canonical: no zero parts, minutes and seconds below 60.
        expect(formatDuration(ms!)).toMatch(/^0s$|^(?=.)(?:[1-9]\d*h)?(?:(?:[1-9]|[1-5]\d)m)?(?:(?:[1-9]|[1-5]\d)s)?$/);
      }),
    );
  });
});

describe('durationSchema', () => {
  const schema = z.strictObject({ lockAfter: durationSchema(SECOND_MS, DAY_MS) });
  const errorFor = (value: unknown): string => {
    const parsed = schema.safeParse({ lockAfter: value }, { error: plainIssueMessages });
    if (parsed.success) throw new Error('expected a refusal');
    return formatIssues('idle.json', parsed.error.issues);
  };

  it('outputs milliseconds', () => {
    expect(schema.parse({ lockAfter: '1h30m' })).toEqual({ lockAfter: 5_400_000 });
    expect(schema.parse({ lockAfter: '1s' })).toEqual({ lockAfter: 1_000 });
    expect(schema.parse({ lockAfter: '24h' })).toEqual({ lockAfter: DAY_MS });
  });

  it.each([
    ['5 minutes', 'idle.json: lockAfter: expected a duration such as "5m" or "90s"'],
    [300, 'idle.json: lockAfter: expected a duration such as "5m" or "90s"'],
    [undefined, 'idle.json: lockAfter: required, but missing'],
    ['0s', 'idle.json: lockAfter: expected at least 1s'],
    ['24h1s', 'idle.json: lockAfter: expected at most 24h'],
  ])('refuses %j naming the field', (value, message) => {
    expect(errorFor(value)).toBe(message);
  });

  it('words its bounds in the same units', () => {
    const parsed = durationSchema(0, HOUR_MS).safeParse('61m');
    expect(!parsed.success && parsed.error.issues[0]?.message).toBe('expected at most 1h');
  });
});
