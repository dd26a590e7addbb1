/** The end of the current term in words, from the server's term dates: what an approval's expiry defaults to. */
import type { z } from 'zod';
import type { termDatesAnswer } from '../../../src/server/console-protocol';
import { api } from './api';
import { day } from './dom';

type TermDates = z.infer<typeof termDatesAnswer>;

/** "18 December 2026 (the end of Autumn term 2026)", or undefined when the server knows no term ahead (it then asks for a date). */
export async function endOfTermWords(): Promise<string | undefined> {
  const outcome = await api<TermDates>('GET', '/api/settings/term-dates');
  if (!outcome.ok || outcome.value.endOfCurrentTerm === null) return undefined;
  const end = outcome.value.endOfCurrentTerm;
  const term = outcome.value.terms.find((candidate) => candidate.end === end);
  return term === undefined ? day(end) : `${day(end)} (the end of ${term.name})`;
}
