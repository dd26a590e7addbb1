/** Storage limitation (UK GDPR): audit records, decided requests and the server's own events older than the DPO's retention period are deleted for real, daily, and each run is recorded as a server event. */

import type { Scheduler, Cancel } from '../devices/scheduler';
import { expiryInstant } from '../policy/rule-scope';
import { createLogger, type Logger } from '../util/logger';
import { entryOf, publishedDocument } from './approval-records';
import { consoleSettings, type PurgeSummary } from './console-settings';
import type { Database, SqlRunner, SqlValue } from './db/database';
import { recordServerEvent } from './server-events';

export const RETENTION_INTERVAL_MS = 24 * 60 * 60_000;

/** `months` calendar months before `now` (UTC), on the same day or the month's last day if it is shorter. */
export function retentionCutoff(now: Date, months: number): Date {
  const year = now.getUTCFullYear();
  const month = now.getUTCMonth() - months;
  const lastDay = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  return new Date(Date.UTC(year, month, Math.min(now.getUTCDate(), lastDay), now.getUTCHours(), now.getUTCMinutes(), now.getUTCSeconds(), now.getUTCMilliseconds()));
}

async function deleteIds(tx: SqlRunner, table: string, ids: readonly string[]): Promise<number> {
  let count = 0;
  for (let start = 0; start < ids.length; start += 500) {
    const chunk = ids.slice(start, start + 500);
    count += (await tx.run(`DELETE FROM ${table} WHERE id IN (${chunk.map(() => '?').join(', ')})`, chunk as SqlValue[])).changes;
  }
  return count;
}

/**
 * Approvals that ended (revoked, or expired) before the cutoff. One whose rule is still in the
 * newest published policy is kept, so that policy stays explained by the approvals table.
 */
async function endedApprovals(tx: SqlRunner, cutoff: Date): Promise<string[]> {
  const published = new Set((await publishedDocument(tx))?.rules.map((rule) => rule.id) ?? []);
  const rows = await tx.all<{ id: string; rule: string; entry_json: string | null; expires: string | null; revoked_at: string | null }>(
    'SELECT id, rule, entry_json, expires, revoked_at FROM approvals WHERE revoked_at < ? OR (revoked_at IS NULL AND expires IS NOT NULL)',
    [cutoff.toISOString()],
  );
  return rows
    .filter((row) => row.revoked_at !== null || (row.expires !== null && expiryInstant(row.expires).getTime() <= cutoff.getTime()))
    .filter((row) => row.entry_json === null || !published.has(entryOf(row).id))
    .map((row) => row.id);
}

const OLD_DECIDED_REQUESTS = "SELECT r.id FROM approval_requests r WHERE r.status <> 'pending' AND r.decided_at < ? AND NOT EXISTS (SELECT 1 FROM approvals a WHERE a.request_id = r.id)";

/**
 * Deletes, in one transaction: audit records whose time is before the cutoff (now less the
 * retention months), approvals that ended before it, requests decided before it that no
 * remaining approval answers, with their forwarded copies, and the server's own events before it. Records the counts as a
 * `retention-purge` server event and as the last purge.
 */
export async function purgeOldRecords(db: Database, now: Date): Promise<PurgeSummary> {
  // SQLite otherwise leaves deleted rows' bytes in free pages of the file until they are reused.
  if (db.engine === 'sqlite') await db.exec('PRAGMA secure_delete = ON');
  return db.transaction(async (tx) => {
    const months = await consoleSettings.retentionMonths(tx);
    const cutoff = retentionCutoff(now, months);
    const at = cutoff.toISOString();
    const auditRecords = (await tx.run('DELETE FROM audit_records WHERE time < ?', [at])).changes;
    const approvals = await deleteIds(tx, 'approvals', await endedApprovals(tx, cutoff));
    const requestIds = (await tx.all<{ id: string }>(OLD_DECIDED_REQUESTS, [at])).map((row) => row.id);
    for (let start = 0; start < requestIds.length; start += 500) {
      const chunk = requestIds.slice(start, start + 500);
      await tx.run(`DELETE FROM forwarded_requests WHERE request_id IN (${chunk.map(() => '?').join(', ')})`, chunk);
    }
    const requests = await deleteIds(tx, 'approval_requests', requestIds);
    // The server's own log names staff too (a subject access export names its subject): it is kept no longer.
    const serverEvents = (await tx.run('DELETE FROM server_events WHERE time < ?', [at])).changes;
    const summary: PurgeSummary = { at: now.toISOString(), cutoff: at, auditRecords, requests, approvals };
    await recordServerEvent(tx, now, { type: 'retention-purge', actor: null, detail: { months, cutoff: at, auditRecords, requests, approvals, serverEvents } });
    await consoleSettings.setLastPurge(tx, summary);
    return summary;
  });
}

export interface RetentionJobDeps {
  db: Database;
  scheduler: Scheduler;
  now?: () => Date;
  logger?: Logger;
  intervalMs?: number;
}

/** Runs purgeOldRecords once at start and then every day; a failed run is logged and tried again the next day. */
export class RetentionJob {
  private readonly now: () => Date;
  private readonly logger: Logger;
  private cancel: Cancel | undefined;
  private running: Promise<PurgeSummary | undefined> | undefined;

  constructor(private readonly deps: RetentionJobDeps) {
    this.now = deps.now ?? (() => new Date());
    this.logger = deps.logger ?? createLogger('retention');
  }

  start(): void {
    if (this.cancel !== undefined) return;
    this.cancel = this.deps.scheduler.every(this.deps.intervalMs ?? RETENTION_INTERVAL_MS, () => void this.runNow());
    void this.runNow();
  }

  /** One run now (or the one already running); undefined when it failed. */
  runNow(): Promise<PurgeSummary | undefined> {
    this.running ??= purgeOldRecords(this.deps.db, this.now())
      .then(
        (summary) => {
          this.logger.info('deleted records past the retention period', { ...summary });
          return summary;
        },
        (error: unknown) => {
          this.logger.error('the retention run failed; it runs again tomorrow', { error: (error as Error).message });
          return undefined;
        },
      )
      .finally(() => (this.running = undefined));
    return this.running;
  }

  /** Stops the daily run and waits for one in progress. */
  async stop(): Promise<void> {
    this.cancel?.();
    this.cancel = undefined;
    await this.running;
  }
}
