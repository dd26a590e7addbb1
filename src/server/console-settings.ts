/** The console's settings in the `settings` table: the school's term dates, how many months records are kept, and the last retention run. */

import { z } from 'zod';
import type { SqlRunner } from './db/database';
import { parseTermDates, type Term } from './approvals/term-dates';

/** Months of audit records and decided requests kept unless the DPO says otherwise. */
export const DEFAULT_RETENTION_MONTHS = 12;

const KEYS = { termDates: 'term-dates', retentionMonths: 'retention-months', lastPurge: 'retention-last-purge' } as const;

export const purgeSummarySchema = z.strictObject({ at: z.string(), cutoff: z.string(), auditRecords: z.int(), requests: z.int(), approvals: z.int() });
export type PurgeSummary = z.infer<typeof purgeSummarySchema>;

/** A stored setting that does not read back: someone edited the table by hand. */
export class BadSettingError extends Error {
  override readonly name = 'BadSettingError';
}

async function read(runner: SqlRunner, key: string): Promise<unknown> {
  const row = await runner.get<{ value: string }>('SELECT value FROM settings WHERE key = ?', [key]);
  if (row === undefined) return undefined;
  try {
    return JSON.parse(row.value) as unknown;
  } catch {
    throw new BadSettingError(`console-settings.ts: the setting "${key}" is not valid JSON: set it again from the console`);
  }
}

async function write(runner: SqlRunner, key: string, value: unknown): Promise<void> {
  await runner.run('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value', [key, JSON.stringify(value)]);
}

/** The settings, read and written through whichever runner is given (the database, or a transaction's `tx`). */
export const consoleSettings = {
  /** The school's terms, oldest first; none until IT set them. */
  async termDates(runner: SqlRunner): Promise<Term[]> {
    const value = await read(runner, KEYS.termDates);
    if (value === undefined) return [];
    const terms = parseTermDates(value, `the setting "${KEYS.termDates}"`);
    if (!terms.ok) throw new BadSettingError(`console-settings.ts: ${terms.error}`);
    return terms.value;
  },

  async setTermDates(runner: SqlRunner, terms: readonly Term[]): Promise<void> {
    await write(runner, KEYS.termDates, terms);
  },

  async retentionMonths(runner: SqlRunner): Promise<number> {
    const value = await read(runner, KEYS.retentionMonths);
    if (value === undefined) return DEFAULT_RETENTION_MONTHS;
    const months = z.int().min(1).max(120).safeParse(value);
    if (!months.success) throw new BadSettingError(`console-settings.ts: the setting "${KEYS.retentionMonths}" is not a whole number of months from 1 to 120`);
    return months.data;
  },

  async setRetentionMonths(runner: SqlRunner, months: number): Promise<void> {
    await write(runner, KEYS.retentionMonths, months);
  },

  async lastPurge(runner: SqlRunner): Promise<PurgeSummary | null> {
    const value = await read(runner, KEYS.lastPurge);
    const parsed = purgeSummarySchema.safeParse(value);
    return parsed.success ? parsed.data : null;
  },

  async setLastPurge(runner: SqlRunner, summary: PurgeSummary): Promise<void> {
    await write(runner, KEYS.lastPurge, summary);
  },
};
