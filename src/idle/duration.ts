/** Durations as policy files write them ("90s", "5m", "1h30m"): parsing, formatting, and a zod schema that turns them into milliseconds. */

import { z } from 'zod';
import type { Result } from '../policy/policy-document';
import { expecting } from '../policy/zod-issues';

export const SECOND_MS = 1000;
export const MINUTE_MS = 60 * SECOND_MS;
export const HOUR_MS = 60 * MINUTE_MS;
export const DAY_MS = 24 * HOUR_MS;

/** Hours, minutes and seconds, each a whole number, in that order, each at most once. */
const DURATION = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/;

export const DURATION_HINT = 'expected a duration such as "5m" or "90s"';

/**
 * `"1h30m15s"` → 5 415 000 (milliseconds). Whole hours, minutes and seconds, in that order,
 * at least one of them; no spaces, no fractions, no other units. Undefined for anything else
 * (including numbers too large to count exactly in milliseconds).
 */
export function parseDuration(text: string): number | undefined {
  const match = DURATION.exec(text);
  if (match === null || text === '') return undefined;
  const [, hours = '0', minutes = '0', seconds = '0'] = match;
  const ms = ((Number(hours) * 60 + Number(minutes)) * 60 + Number(seconds)) * SECOND_MS;
  return Number.isSafeInteger(ms) ? ms : undefined;
}

/**
 * The canonical text for a duration, to the nearest second: `5m`, `1h30m`, `45s`, `0s`
 * (hours are not folded into days: a week is `168h`). Throws a RangeError for a negative or
 * non-finite value, which is a caller's bug.
 */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`expected a duration of 0 ms or more, got ${ms}`);
  const total = Math.round(ms / SECOND_MS);
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = total % 60;
  const text = `${hours > 0 ? `${hours}h` : ''}${minutes > 0 ? `${minutes}m` : ''}${seconds > 0 ? `${seconds}s` : ''}`;
  return text === '' ? '0s' : text;
}

/** The milliseconds of a duration text within [minMs, maxMs], or the problem worded for a policy's author. */
export function readDuration(text: string, minMs: number, maxMs: number, hint: string = DURATION_HINT): Result<number> {
  const ms = parseDuration(text);
  if (ms === undefined) return { ok: false, error: hint };
  if (ms < minMs) return { ok: false, error: `expected at least ${formatDuration(minMs)}` };
  if (ms > maxMs) return { ok: false, error: `expected at most ${formatDuration(maxMs)}` };
  return { ok: true, value: ms };
}

/** A duration text between `minMs` and `maxMs` (inclusive), parsed to milliseconds. */
export function durationSchema(minMs: number, maxMs: number): z.ZodPipe<z.ZodString, z.ZodTransform<number, string>> {
  return z.string({ error: expecting(DURATION_HINT) }).transform((text, context) => {
    const read = readDuration(text, minMs, maxMs);
    if (read.ok) return read.value;
    context.addIssue({ code: 'custom', message: read.error });
    return z.NEVER;
  });
}
