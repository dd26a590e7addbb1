/** The server's copy of each agent's audit chain: every line's hash checked, each record chained to the last one held, breaks flagged per agent and per record, resends idempotent. */

import { lockAgent, UnknownAgentError } from './agent-store';
import type { Database, SqlRunner } from './db/database';
import { checkRecordLine, GENESIS_PREV, lineProblemWords, type AuditRecord } from '../audit/audit-record';
import { createLogger, type Logger } from '../util/logger';

export interface AuditStoreDeps {
  db: Database;
  now?: () => Date;
  logger?: Logger;
  /** Told, after each batch is stored, what it added: for alerts; it must not throw or wait. */
  onAppended?: (appended: AuditAppended) => void;
}

/** What one batch added to an agent's copy of the chain. */
export interface AuditAppended {
  agentId: string;
  /** Records newly stored (not ones already held). */
  records: AuditRecord[];
  /** Where the chain broke, when this batch broke a chain that was whole until now; absent otherwise. */
  chainBroken?: { detail: string; at: string };
}

export interface AuditIntake {
  /** Records stored, or already held exactly as sent. */
  accepted: number;
  /** The highest seq held for the agent (0: none). */
  lastSeq: number;
  /** False once any break in the agent's chain was found. */
  chainOk: boolean;
}

export interface AuditChainState {
  lastSeq: number;
  chainOk: boolean;
  /** Where the chain first broke, in words. */
  firstBreak: string | null;
  brokenAt: string | null;
}

interface ChainEnd {
  seq: number;
  hash: string;
}

const INSERT =
  'INSERT INTO audit_records (agent_id, seq, time, machine, user_name, event_json, prev, hash, received_at, chain_ok) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)';

/** Why `record` does not follow `end` (the last record held), or undefined when it does. */
function linkProblem(record: AuditRecord, end: ChainEnd | undefined): string | undefined {
  // The first record the server holds may start after seq 1: the agent may have run, and pruned
  // its log, before it was enrolled. From then on the chain must be whole.
  if (end === undefined) return record.seq === 1 && record.prev !== GENESIS_PREV ? 'seq 1 does not start the chain: its prev is not the genesis value' : undefined;
  if (record.seq > end.seq + 1) return `seq ${end.seq + 1}${record.seq - 1 > end.seq + 1 ? ` to ${record.seq - 1}` : ''} missing: seq ${record.seq} came after seq ${end.seq}`;
  if (record.prev !== end.hash) return `seq ${record.seq} does not follow seq ${end.seq}: its prev is not that record's hash`;
  return undefined;
}

export class AuditStore {
  private readonly db: Database;
  private readonly now: () => Date;
  private readonly logger: Logger;
  private readonly onAppended: AuditStoreDeps['onAppended'];

  constructor(deps: AuditStoreDeps) {
    this.db = deps.db;
    this.onAppended = deps.onAppended;
    this.now = deps.now ?? (() => new Date());
    this.logger = deps.logger ?? createLogger('audit-store');
  }

  /**
   * Takes the agent's lines in order. Each line's hash is checked over its bytes, and each record
   * must follow the last one held (seq one more, prev its hash). A record that does not (edited,
   * after a gap, out of order) is still stored, marked chain_ok 0, and the agent's chain is
   * flagged with where it first broke. A seq already held with the same hash counts as accepted
   * and is not stored twice; with another hash it is a break and the held record stays. A line
   * that is not a record at all cannot be stored: it is a break, named by its place in the batch.
   */
  async append(agentId: string, lines: readonly string[]): Promise<AuditIntake> {
    const receivedAt = this.now().toISOString();
    const appended: AuditAppended = { agentId, records: [] };
    const intake = await this.db.transaction(async (tx) => {
      if ((await lockAgent(tx, this.db.engine, agentId)) === undefined) throw new UnknownAgentError(`audit-store.ts: no agent ${agentId}`);
      const before = await tx.get<{ audit_chain_ok: number }>('SELECT audit_chain_ok FROM agents WHERE id = ?', [agentId]);
      // Reset in case the transaction is run again.
      appended.records = [];
      appended.chainBroken = undefined;
      let end = await chainEnd(tx, agentId);
      let accepted = 0;
      const breaks: string[] = [];
      for (const [index, line] of lines.entries()) {
        const check = checkRecordLine(Buffer.from(line, 'utf8'));
        if (check.status !== 'ok' && check.status !== 'edited') {
          breaks.push(`line ${index + 1} of a batch received at ${receivedAt} ${lineProblemWords(check)}`);
          continue;
        }
        const { record } = check;
        const edited = check.status === 'edited' ? `seq ${record.seq} was edited: its hash does not match its contents` : undefined;
        if (end !== undefined && record.seq <= end.seq) {
          const held = await tx.get<{ hash: string }>('SELECT hash FROM audit_records WHERE agent_id = ? AND seq = ?', [agentId, record.seq]);
          if (held !== undefined) {
            if (held.hash === record.hash && edited === undefined) accepted += 1;
            else breaks.push(edited ?? `seq ${record.seq} was sent again with a different hash: the agent's copy changed after the server received it`);
            continue;
          }
          breaks.push(edited ?? `seq ${record.seq} arrived after seq ${end.seq}: out of order`);
          await insertRecord(tx, agentId, record, receivedAt, false);
          appended.records.push(record);
          accepted += 1;
          continue;
        }
        const problem = edited ?? linkProblem(record, end);
        if (problem !== undefined) breaks.push(problem);
        await insertRecord(tx, agentId, record, receivedAt, problem === undefined);
        appended.records.push(record);
        accepted += 1;
        end = { seq: record.seq, hash: record.hash };
      }
      if (breaks.length > 0) {
        await tx.run('UPDATE agents SET audit_chain_ok = 0, audit_chain_break = COALESCE(audit_chain_break, ?), audit_chain_break_at = COALESCE(audit_chain_break_at, ?) WHERE id = ?', [
          breaks[0] ?? null,
          receivedAt,
          agentId,
        ]);
        this.logger.warn("an agent's audit chain is broken", { agentId, breaks: breaks.slice(0, 10), more: Math.max(0, breaks.length - 10) });
        if (Number(before?.audit_chain_ok) === 1) appended.chainBroken = { detail: breaks[0] ?? 'a break', at: receivedAt };
      }
      const state = await tx.get<{ audit_chain_ok: number }>('SELECT audit_chain_ok FROM agents WHERE id = ?', [agentId]);
      return { accepted, lastSeq: end?.seq ?? 0, chainOk: state?.audit_chain_ok === 1 };
    });
    this.tell(appended);
    return intake;
  }

  private tell(appended: AuditAppended): void {
    if (this.onAppended === undefined || (appended.records.length === 0 && appended.chainBroken === undefined)) return;
    try {
      this.onAppended(appended);
    } catch (error) {
      this.logger.error('the audit listener failed', { agentId: appended.agentId, error: (error as Error).message });
    }
  }

  /** The agent's chain as the server holds it. */
  async state(agentId: string): Promise<AuditChainState | undefined> {
    const agent = await this.db.get<{ audit_chain_ok: number; audit_chain_break: string | null; audit_chain_break_at: string | null }>(
      'SELECT audit_chain_ok, audit_chain_break, audit_chain_break_at FROM agents WHERE id = ?',
      [agentId],
    );
    if (agent === undefined) return undefined;
    const end = await chainEnd(this.db, agentId);
    return { lastSeq: end?.seq ?? 0, chainOk: agent.audit_chain_ok === 1, firstBreak: agent.audit_chain_break, brokenAt: agent.audit_chain_break_at };
  }
}

async function chainEnd(runner: SqlRunner, agentId: string): Promise<ChainEnd | undefined> {
  const row = await runner.get<{ seq: number; hash: string }>('SELECT seq, hash FROM audit_records WHERE agent_id = ? ORDER BY seq DESC LIMIT 1', [agentId]);
  return row === undefined ? undefined : { seq: Number(row.seq), hash: row.hash };
}

async function insertRecord(tx: SqlRunner, agentId: string, record: AuditRecord, receivedAt: string, chainOk: boolean): Promise<void> {
  await tx.run(INSERT, [agentId, record.seq, record.time, record.machine, record.user ?? null, JSON.stringify(record.event), record.prev, record.hash, receivedAt, chainOk ? 1 : 0]);
}
