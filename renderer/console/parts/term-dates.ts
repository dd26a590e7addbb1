/** The end of the current term in words, from the server's term dates: what an approval's expiry defaults to. */
import type { z } from 'zod';
import type { termDatesAnswer } from '../../../src/server/console-protocol';
import { api } from './api';
import { day } from './dom';

export type TermDates = z.infer<typeof termDatesAnswer>;
export type Term = TermDates['terms'][number];

/** "18 December 2026 (the end of Autumn term 2026)", or undefined when no term is ahead (SLT must then choose a date). */
export function endOfTermText(dates: TermDates): string | undefined {
  const end = dates.endOfCurrentTerm;
  if (end === null) return undefined;
  const term = dates.terms.find((candidate) => candidate.end === end);
  return term === undefined ? day(end) : `${day(end)} (the end of ${term.name})`;
}

/** endOfTermText of the server's term dates; undefined also when they cannot be read. */
export async function endOfTermWords(): Promise<string | undefined> {
  const outcome = await api<TermDates>('GET', '/api/settings/term-dates');
  return outcome.ok ? endOfTermText(outcome.value) : undefined;
}
