/** The school's term dates, their schema, and the end of the current term (the default expiry of an approval). */

import { z } from 'zod';
import type { Result } from '../../policy/policy-document';
import { expecting, fieldPath, plainIssueMessages } from '../../policy/zod-issues';

/** Schools in England keep their calendars in UK local time; dates are read in this zone unless told otherwise. */
export const SCHOOL_TIME_ZONE = 'Europe/London';

const isoDate = z.iso.date({ error: expecting('expected an ISO 8601 date (2026-09-02)') });

export const termSchema = z
  .strictObject({
    name: z.string().trim().min(1, { error: 'expected the term name (e.g. "Autumn term 2026")' }),
    /** The first day of the term. */
    start: isoDate,
    /** The last day of the term, inclusive. */
    end: isoDate,
  })
  .superRefine((term, context) => {
    if (term.end < term.start) context.addIssue({ code: 'custom', path: ['end'], message: `${term.end} is before the term starts (${term.start})` });
  });

export type Term = z.infer<typeof termSchema>;

/** A list of terms in any order; no two may share a day. */
export const termDatesSchema = z.array(termSchema).superRefine((terms, context) => {
  const order = terms.map((term, index) => ({ term, index })).sort((a, b) => compareText(a.term.start, b.term.start) || a.index - b.index);
  /** The term seen so far that ends last: any later-starting term that begins on or before its end overlaps it. */
  let reach: { term: Term; index: number } | undefined;
  for (const entry of order) {
    if (entry.term.end < entry.term.start) continue;
    if (reach !== undefined && entry.term.start <= reach.term.end) {
      context.addIssue({
        code: 'custom',
        path: [entry.index, 'start'],
        message: `${entry.term.start} overlaps terms[${reach.index}] "${reach.term.name}" (${reach.term.start} to ${reach.term.end})`,
      });
    }
    if (reach === undefined || entry.term.end > reach.term.end) reach = entry;
  }
});

/**
 * Reads term dates (parsed JSON). Every problem comes back in `error`, one line each, naming
 * the source, the index and the field: `term-dates.json: terms[1].end: ...`.
 */
export function parseTermDates(value: unknown, source: string): Result<Term[]> {
  const parsed = termDatesSchema.safeParse(value, { error: plainIssueMessages });
  if (parsed.success) return { ok: true, value: [...parsed.data].sort((a, b) => compareText(a.start, b.start)) };
  const lines = parsed.error.issues.map((issue) => `${source}: ${fieldPath(['terms', ...issue.path])}: ${issue.message}`);
  return { ok: false, error: lines.join('\n') };
}

/** The calendar date (`2026-11-02`) of `instant` in `timeZone`. */
export function localDate(instant: Date, timeZone: string = SCHOOL_TIME_ZONE): string {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(instant);
  const part = (type: string): string => parts.find((p) => p.type === type)?.value ?? '';
  return `${part('year')}-${part('month')}-${part('day')}`;
}

/**
 * The term containing the day of `now` (in `timeZone`); between terms, the next term; after
 * the last known term (or with no terms), undefined.
 */
export function currentOrNextTerm(now: Date, terms: readonly Term[], timeZone: string = SCHOOL_TIME_ZONE): Term | undefined {
  const today = localDate(now, timeZone);
  const sorted = [...terms].sort((a, b) => compareText(a.start, b.start));
  return sorted.find((term) => term.start <= today && today <= term.end) ?? sorted.find((term) => term.start > today);
}

/**
 * The last day of the term containing `now`; between terms, the last day of the next term;
 * after the last known term, undefined, and the caller must ask for an explicit expiry.
 */
export function endOfCurrentTerm(now: Date, terms: readonly Term[], timeZone: string = SCHOOL_TIME_ZONE): string | undefined {
  return currentOrNextTerm(now, terms, timeZone)?.end;
}

/** Plain code-unit order, the same on every machine (ISO dates sort as text). */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
