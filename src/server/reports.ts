/** The headteacher's summary: blocked attempts per machine and device, decisions per approver, idle locks per PC, and PCs whose audit chain is broken. */

import type { z } from 'zod';
import type { summaryAnswer } from './console-protocol';
import type { Database, SqlValue } from './db/database';
import { dayAfter, jsonNumber, jsonText } from './audit-queries';

export type Summary = z.input<typeof summaryAnswer>;

export interface SummaryPeriod {
  /** ISO date, inclusive. */
  since?: string;
  /** ISO date, inclusive. */
  until?: string;
}

/** `AND column >= ? AND column < ?` for the period, and its parameters. */
function between(column: string, period: SummaryPeriod): { sql: string; params: SqlValue[] } {
  const parts: string[] = [];
  const params: SqlValue[] = [];
  if (period.since !== undefined) {
    parts.push(`${column} >= ?`);
    params.push(period.since);
  }
  if (period.until !== undefined) {
    parts.push(`${column} < ?`);
    params.push(dayAfter(period.until));
  }
  return { sql: parts.map((part) => ` AND ${part}`).join(''), params };
}

/** "SanDisk Cruzer Blade (0781:5567)" from what the record says of the device. */
function deviceWords(name: string | null, id: string | null, serial: string | null): string {
  const label = name === null || name.trim() === '' ? 'unnamed device' : name.trim();
  return `${label} (${id ?? '?'})${serial === null || serial === '' ? '' : `, serial ${serial}`}`;
}

async function blockedAttempts(db: Database, period: SummaryPeriod): Promise<Summary['blockedAttempts']> {
  const range = between('time', period);
  const [name, id, serial, target] = [jsonText(db.engine, ['device', 'name']), jsonText(db.engine, ['device', 'id']), jsonText(db.engine, ['device', 'serial']), jsonText(db.engine, ['target'])];
  const rows = await db.all<{ machine: string; name: string | null; id: string | null; serial: string | null; count: number | bigint }>(
    `SELECT machine, ${name} AS name, ${id} AS id, ${serial} AS serial, COUNT(*) AS count FROM audit_records
     WHERE event_type = 'device-decided' AND ${target} IN ('block', 'reject')${range.sql}
     GROUP BY machine, ${name}, ${id}, ${serial} ORDER BY count DESC, machine`,
    range.params,
  );
  return rows.map((row) => ({ machine: row.machine, device: deviceWords(row.name, row.id, row.serial), count: Number(row.count) }));
}

async function approvalsBy(db: Database, period: SummaryPeriod): Promise<Summary['approvalsBy']> {
  const made = between('a.created_at', period);
  const refusedIn = between('r.decided_at', period);
  const approved = await db.all<{ id: string; name: string; count: number | bigint }>(
    `SELECT u.id, u.display_name AS name, COUNT(*) AS count FROM approvals a JOIN users u ON u.id = a.approved_by WHERE 1 = 1${made.sql} GROUP BY u.id, u.display_name`,
    made.params,
  );
  const refused = await db.all<{ id: string; name: string; count: number | bigint }>(
    `SELECT u.id, u.display_name AS name, COUNT(*) AS count FROM approval_requests r JOIN users u ON u.id = r.decided_by WHERE r.status = 'refused'${refusedIn.sql} GROUP BY u.id, u.display_name`,
    refusedIn.params,
  );
  const byUser = new Map<string, { approver: string; approved: number; refused: number }>();
  const entry = (id: string, name: string): { approver: string; approved: number; refused: number } => {
    const found = byUser.get(id) ?? { approver: name, approved: 0, refused: 0 };
    byUser.set(id, found);
    return found;
  };
  for (const row of approved) entry(row.id, row.name).approved += Number(row.count);
  for (const row of refused) entry(row.id, row.name).refused += Number(row.count);
  return [...byUser.values()].sort((a, b) => b.approved + b.refused - (a.approved + a.refused) || (a.approver < b.approver ? -1 : 1));
}

async function idleLocks(db: Database, period: SummaryPeriod): Promise<Summary['idleLocks']> {
  const range = between('time', period);
  const rows = await db.all<{ machine: string; event_type: string; count: number | bigint; longest: number | bigint | null }>(
    `SELECT machine, event_type, COUNT(*) AS count, MAX(CASE WHEN event_type = 'idle-locked' THEN ${jsonNumber(db.engine, ['idleMs'])} END) AS longest
     FROM audit_records WHERE event_type IN ('idle-locked', 'idle-logged-off')${range.sql} GROUP BY machine, event_type`,
    range.params,
  );
  const byMachine = new Map<string, Summary['idleLocks'][number]>();
  for (const row of rows) {
    const machine = byMachine.get(row.machine) ?? { machine: row.machine, locks: 0, logoffs: 0, longestIdleBeforeLockMs: null };
    if (row.event_type === 'idle-locked') {
      machine.locks += Number(row.count);
      machine.longestIdleBeforeLockMs = row.longest === null ? null : Number(row.longest);
    } else {
      machine.logoffs += Number(row.count);
    }
    byMachine.set(row.machine, machine);
  }
  return [...byMachine.values()].sort((a, b) => b.locks + b.logoffs - (a.locks + a.logoffs) || (a.machine < b.machine ? -1 : 1));
}

/** The summary for the period (all records held when neither end is given). Chain breaks are those standing now. */
export async function reportSummary(db: Database, period: SummaryPeriod): Promise<Summary> {
  const breaks = await db.all<{ id: string; machine: string }>('SELECT id, machine FROM agents WHERE audit_chain_ok = 0 ORDER BY machine, id');
  return {
    blockedAttempts: await blockedAttempts(db, period),
    approvalsBy: await approvalsBy(db, period),
    idleLocks: await idleLocks(db, period),
    chainBreaks: breaks.map((row) => ({ machine: row.machine, agentId: row.id })),
  };
}
