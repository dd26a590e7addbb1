/** SLT decisions on device requests: approve (store the approval, sign and store the next policy version, mark the request) in one transaction, refuse, and revoke an approval (a new version without it). */

import { randomUUID } from 'node:crypto';
import type { PolicyRuleEntry } from '../policy/policy-document';
import { createLogger, type Logger } from '../util/logger';
import { Refusal } from '../util/refusal';
import { nextPolicy, SELECT_APPROVALS, type ApprovalRow } from './approval-records';
import { approvalRuleEntry, parseApprovalDecision, type ApprovalDecisionInput } from './approvals/approval-scope';
import type { BasePolicy } from './approvals/base-policy';
import { PolicyBuildError } from './approvals/policy-builder';
import { consoleSettings } from './console-settings';
import { deviceText, findRequest, requestDevice, type RequestRow } from './console-requests';
import type { Database, SqlRunner } from './db/database';
import { violatedConstraint } from './db/database-errors';
import type { PolicyPublisher } from './policy-publisher';
import { recordServerEvent } from './server-events';
import type { Role } from './users/roles';

/** Any constant: the PostgreSQL advisory lock every policy-changing transaction takes, so each builds on the one before. */
const POLICY_LOCK_KEY = 7_206_561_904;
/** Runs of a policy transaction when another writer took the version number first. */
const ATTEMPTS = 5;

/** A decision refused, with the HTTP status that says why: 400 (the decision cannot be carried out), 404, 409 (already decided). */
export class DecisionRefused extends Refusal {
  override readonly name = 'DecisionRefused';
}

/** The SLT member deciding: a signed-in console user. */
export interface Decider {
  id: string;
  name: string;
  role: Role;
}

export interface ApprovalStoreDeps {
  db: Database;
  publisher: PolicyPublisher;
  now?: () => Date;
  logger?: Logger;
  newId?: () => string;
}

export interface Approved {
  approvalId: string;
  policyVersion: number;
  entry: PolicyRuleEntry;
  request: RequestRow;
}

const ROLE_WORDS: Record<Role, string> = { 'slt-approver': 'SLT', headteacher: 'headteacher', 'it-admin': 'IT', dpo: 'DPO' };

function alreadyDecided(row: RequestRow): DecisionRefused {
  const by = row.decider_name === null ? '' : ` by ${row.decider_name}`;
  const when = row.decided_at === null ? '' : ` on ${row.decided_at.slice(0, 10)}`;
  return new DecisionRefused(409, `request ${row.id} was already ${row.status}${by}${when}: it cannot be decided again`);
}

export class ApprovalStore {
  private readonly db: Database;
  private readonly publisher: PolicyPublisher;
  private readonly now: () => Date;
  private readonly logger: Logger;
  private readonly newId: () => string;

  constructor(deps: ApprovalStoreDeps) {
    this.db = deps.db;
    this.publisher = deps.publisher;
    this.now = deps.now ?? (() => new Date());
    this.logger = deps.logger ?? createLogger('approval-store');
    this.newId = deps.newId ?? randomUUID;
  }

  /**
   * Approves a pending request with SLT's decision: its rule entry (expiry by default the end of
   * the school's current term), the approval row, the next policy version (signed), and the
   * request marked approved are written in one transaction, so no published policy holds a rule
   * the approvals table does not explain, and no approval is left out of the policy. Agents are
   * told of the version once it has committed.
   */
  async approve(requestId: string, input: ApprovalDecisionInput, by: Decider): Promise<Approved> {
    const parsed = parseApprovalDecision(input);
    if (!parsed.ok) throw new DecisionRefused(400, parsed.error.replace(/\n/g, '; '));
    const decision = parsed.value;
    const approved = await this.policyTransaction(async (tx, now) => {
      const request = await findRequest(tx, this.db.engine, requestId, true);
      if (request === undefined) throw new DecisionRefused(404, `no request ${requestId}`);
      if (request.status !== 'pending') throw alreadyDecided(request);
      const device = requestDevice(request);
      const terms = await consoleSettings.termDates(tx);
      const entry = approvalRuleEntry({ id: request.id, device, user: request.requester, machine: request.machine }, decision, { name: by.name, role: ROLE_WORDS[by.role] }, now, terms);
      if (!entry.ok) throw new DecisionRefused(400, entry.error.replace(/\n/g, '; '));
      const approvalId = this.newId();
      await tx.run(
        `INSERT INTO approvals (id, request_id, rule, scope_json, expires, conditions_json, approved_by, created_at, entry_json, device_text, machine)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        [approvalId, request.id, entry.value.rule, JSON.stringify(entry.value.scope ?? {}), entry.value.expires ?? null, JSON.stringify(decision.conditions), by.id, now.toISOString(), JSON.stringify(entry.value), deviceText(device), request.machine],
      );
      const version = await this.publishIn(tx, now, by.id);
      await tx.run('UPDATE approvals SET policy_version = ? WHERE id = ?', [version, approvalId]);
      const decided = await tx.run("UPDATE approval_requests SET status = 'approved', decided_by = ?, decided_at = ? WHERE id = ? AND status = 'pending'", [by.id, now.toISOString(), request.id]);
      if (decided.changes !== 1) throw alreadyDecided(request);
      await recordServerEvent(tx, now, { type: 'request-approved', actor: by.id, detail: { requestId: request.id, approvalId, policyVersion: version } });
      return { approvalId, policyVersion: version, entry: entry.value, request };
    });
    this.publisher.announce(approved.policyVersion, by.id);
    this.logger.info('approved a request', { requestId, approvalId: approved.approvalId, policyVersion: approved.policyVersion, by: by.id });
    return approved;
  }

  /** Refuses a pending request, with SLT's reason (which the agent shows the member of staff). */
  async refuse(requestId: string, reason: string, by: Decider): Promise<RequestRow> {
    const request = await this.db.transaction(async (tx) => {
      const now = this.now();
      const row = await findRequest(tx, this.db.engine, requestId, true);
      if (row === undefined) throw new DecisionRefused(404, `no request ${requestId}`);
      if (row.status !== 'pending') throw alreadyDecided(row);
      await tx.run("UPDATE approval_requests SET status = 'refused', decided_by = ?, decided_at = ?, decision_reason = ? WHERE id = ? AND status = 'pending'", [by.id, now.toISOString(), reason, requestId]);
      await recordServerEvent(tx, now, { type: 'request-refused', actor: by.id, detail: { requestId } });
      return row;
    });
    this.logger.info('refused a request', { requestId, by: by.id });
    return request;
  }

  /**
   * Revokes an approval and publishes a version without it, in one transaction. Its request is
   * marked withdrawn with who revoked it and why, which is what the agent passes on to the PC.
   */
  async revoke(approvalId: string, reason: string, by: Decider): Promise<{ policyVersion: number }> {
    const revoked = await this.policyTransaction(async (tx, now) => {
      const row = await tx.get<ApprovalRow>(`${SELECT_APPROVALS} WHERE a.id = ?`, [approvalId]);
      if (row === undefined) throw new DecisionRefused(404, `no approval ${approvalId}`);
      if (row.revoked_at !== null) throw new DecisionRefused(409, `approval ${approvalId} was already revoked${row.revoker_name === null ? '' : ` by ${row.revoker_name}`} on ${row.revoked_at.slice(0, 10)}`);
      await tx.run('UPDATE approvals SET revoked_at = ?, revoked_by = ?, revoke_reason = ? WHERE id = ? AND revoked_at IS NULL', [now.toISOString(), by.id, reason, approvalId]);
      const version = await this.publishIn(tx, now, by.id);
      if (row.request_id !== null) {
        const words = `the approval was revoked by ${by.name} on ${now.toISOString().slice(0, 10)}: ${reason}`.slice(0, 1000);
        await tx.run("UPDATE approval_requests SET status = 'withdrawn', decision_reason = ? WHERE id = ? AND status = 'approved'", [words, row.request_id]);
      }
      await recordServerEvent(tx, now, { type: 'approval-revoked', actor: by.id, detail: { approvalId, requestId: row.request_id, policyVersion: version } });
      return { policyVersion: version };
    });
    this.publisher.announce(revoked.policyVersion, by.id);
    this.logger.info('revoked an approval', { approvalId, policyVersion: revoked.policyVersion, by: by.id });
    return revoked;
  }

  /**
   * Publishes a version with IT's new base policy (mode, default target, base rules, other
   * devices, idle) and every approval still in force. A base that cannot be combined with the
   * approvals (a rule id an approval uses) is refused and nothing changes.
   */
  async publishBase(base: BasePolicy, by: Decider): Promise<{ policyVersion: number }> {
    const published = await this.policyTransaction(async (tx, now) => {
      const version = await this.publishIn(tx, now, by.id, base);
      await recordServerEvent(tx, now, { type: 'base-policy-published', actor: by.id, detail: { policyVersion: version, rules: base.rules.length, mode: base.mode } });
      return { policyVersion: version };
    });
    this.publisher.announce(published.policyVersion, by.id);
    this.logger.info('published a new base policy', { policyVersion: published.policyVersion, by: by.id });
    return published;
  }

  /**
   * Makes a settings change that every version carries (the DPO's retention period) and publishes
   * the next version with it, in one transaction: the PCs learn of it at once.
   */
  async changeSettingAndPublish(by: Decider, change: (tx: SqlRunner, now: Date) => Promise<void>): Promise<{ policyVersion: number }> {
    const published = await this.policyTransaction(async (tx, now) => {
      await change(tx, now);
      return { policyVersion: await this.publishIn(tx, now, by.id) };
    });
    this.publisher.announce(published.policyVersion, by.id);
    return published;
  }

  /** Builds, signs and stores the next version inside `tx` (with `newBase`, when IT publish one); its number. */
  private async publishIn(tx: SqlRunner, now: Date, by: string, newBase?: BasePolicy): Promise<number> {
    let document;
    try {
      document = await nextPolicy(tx, now, newBase);
    } catch (error) {
      if (error instanceof PolicyBuildError) throw new DecisionRefused(409, `the new policy could not be built, so nothing was changed: ${error.message}`);
      throw error;
    }
    const published = await this.publisher.storeIn(tx, document, by);
    if (!published.ok) throw new Error(`approval-store.ts: the new policy was refused when signing it: ${published.error}`);
    return published.value.version;
  }

  /**
   * Runs `work` in a transaction that holds the policy lock (PostgreSQL; SQLite's BEGIN IMMEDIATE
   * already serialises), again when another writer took the version number first.
   */
  private async policyTransaction<T>(work: (tx: SqlRunner, now: Date) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.db.transaction(async (tx) => {
          if (this.db.engine === 'postgres') await tx.get(`SELECT pg_advisory_xact_lock(${POLICY_LOCK_KEY})`);
          return work(tx, this.now());
        });
      } catch (error) {
        if (violatedConstraint(error) !== 'unique' || attempt >= ATTEMPTS) throw error;
      }
    }
  }
}
