/** Enrolled agents and enrolment tokens in the console server's database: issuing tokens, enrolling (one agent per token, atomically), agents' keys, last seen, revocation. */

import { createPublicKey } from 'node:crypto';
import {
  acceptEnrolment,
  agentPublicKeyText,
  createEnrolmentToken,
  DEFAULT_ENROLMENT_TOKEN_TTL_MS,
  parseAgentPublicKey,
  parseEnrolmentToken,
  type EnrolmentError,
  type StoredEnrolmentToken,
} from './auth/agent-credentials';
import type { AgentKeyRecord } from './auth/agent-request-auth';
import { secureRandomBytes, type RandomBytes } from './auth/random-bytes';
import type { EnrolBody } from './agent-protocol';
import type { Database, SqlRunner } from './db/database';
import { violatedConstraint } from './db/database-errors';
import type { Result } from '../policy/policy-document';

export { DEFAULT_ENROLMENT_TOKEN_TTL_MS } from './auth/agent-credentials';

export interface AgentStoreDeps {
  db: Database;
  now?: () => Date;
  random?: RandomBytes;
}

export interface IssuedEnrolToken {
  /** `pce_...`: shown once to whoever enrols the PC; the server keeps only its hash. */
  token: string;
  expiresAt: Date;
}

export interface Enrolled {
  agentId: string;
  /** Base64url: returned to the agent once, kept here to issue offline codes. */
  offlineSecret: string;
}

export interface AgentSummary {
  id: string;
  machine: string;
  agentVersion: string | null;
  enrolledAt: string;
  lastSeenAt: string | null;
  revokedAt: string | null;
  revokedBy: string | null;
  auditChainOk: boolean;
  /** Where the agent's audit chain first broke, in words. */
  auditChainBreak: string | null;
}

export type RevokeResult = 'revoked' | 'already-revoked' | 'unknown-agent';

interface AgentRow {
  id: string;
  machine: string;
  agent_version: string | null;
  enrolled_at: string;
  last_seen_at: string | null;
  revoked_at: string | null;
  revoked_by: string | null;
  audit_chain_ok: number;
  audit_chain_break: string | null;
}

/** Thrown for an agent id with no row: the routes only pass authenticated agents, so it means a bug or a deleted agent. */
export class UnknownAgentError extends Error {
  override readonly name = 'UnknownAgentError';
}

/** Thrown inside the enrolment transaction when another agent took the token first: rolls back this agent. */
class TokenTaken extends Error {}

const RAW_KEY = /^[A-Za-z0-9_-]{43}$/;

/**
 * The agent's public key as stored: the raw 32-byte Ed25519 key in base64url. Accepts that form
 * (generateAgentKeyPair's) or SPKI DER in base64 (agent-protocol.ts); anything else is passed on
 * as it is, for parseAgentPublicKey to refuse with its message.
 */
export function normaliseAgentPublicKey(text: string): string {
  if (RAW_KEY.test(text)) return text;
  try {
    return agentPublicKeyText(createPublicKey({ key: Buffer.from(text, 'base64'), format: 'der', type: 'spki' }));
  } catch {
    return text;
  }
}

/** On PostgreSQL, holds the agent's row until the transaction ends, so one agent's intake runs one batch at a time (SQLite's BEGIN IMMEDIATE already does). */
export async function lockAgent(tx: SqlRunner, engine: Database['engine'], agentId: string): Promise<{ machine: string } | undefined> {
  return tx.get<{ machine: string }>(`SELECT machine FROM agents WHERE id = ?${engine === 'postgres' ? ' FOR UPDATE' : ''}`, [agentId]);
}

export class AgentStore {
  readonly db: Database;
  private readonly now: () => Date;
  private readonly random: RandomBytes;
  private readonly lastTouched = new Map<string, number>();
  /** The version each agent last reported, so it is written only when it changes. */
  private readonly lastVersion = new Map<string, string>();

  constructor(deps: AgentStoreDeps) {
    this.db = deps.db;
    this.now = deps.now ?? (() => new Date());
    this.random = deps.random ?? secureRandomBytes;
  }

  /** A new one-time token, valid for `ttlMs`; `createdBy` is a users.id. */
  async createEnrolToken(createdBy: string, ttlMs: number = DEFAULT_ENROLMENT_TOKEN_TTL_MS): Promise<IssuedEnrolToken> {
    const now = this.now();
    const issued = createEnrolmentToken(now.getTime(), ttlMs, this.random);
    const expiresAt = new Date(issued.expiresAt);
    try {
      await this.db.run('INSERT INTO enrol_tokens (token_hash, created_by, created_at, expires_at) VALUES (?, ?, ?, ?)', [issued.tokenHash, createdBy, now.toISOString(), expiresAt.toISOString()]);
    } catch (error) {
      if (violatedConstraint(error) === 'foreign-key') throw new Error(`agent-store.ts: cannot issue an enrolment token for ${JSON.stringify(createdBy)}: no user has that id`);
      throw error;
    }
    return { token: issued.token, expiresAt };
  }

  /**
   * Enrols an agent with a token: the token is looked up, checked and marked used in the same
   * transaction that saves the agent, and the update is conditional on it being unused, so of
   * two agents presenting one token exactly one is enrolled.
   */
  async enrol(body: EnrolBody): Promise<Result<Enrolled, EnrolmentError>> {
    const now = this.now();
    const request = { token: body.token, publicKey: normaliseAgentPublicKey(body.publicKey), machineName: body.machine };
    const tokenHash = parseEnrolmentToken(request.token);
    if (!tokenHash.ok) return tokenHash;
    try {
      return await this.db.transaction(async (tx) => {
        const row = await tx.get<{ expires_at: string; used_at: string | null }>(`SELECT expires_at, used_at FROM enrol_tokens WHERE token_hash = ?${this.db.engine === 'postgres' ? ' FOR UPDATE' : ''}`, [tokenHash.value]);
        const stored: StoredEnrolmentToken | undefined =
          row === undefined ? undefined : { tokenHash: tokenHash.value, expiresAt: Date.parse(row.expires_at), ...(row.used_at === null ? {} : { usedAt: Date.parse(row.used_at) }) };
        const accepted = acceptEnrolment(request, () => stored, now.getTime(), this.random);
        if (!accepted.ok) return accepted;
        const { agentId, machineName, offlineSecret } = accepted.value;
        const secret = offlineSecret.toString('base64url');
        await tx.run('INSERT INTO agents (id, machine, public_key, enrolled_at, agent_version, offline_secret) VALUES (?, ?, ?, ?, ?, ?)', [agentId, machineName, request.publicKey, now.toISOString(), body.version, secret]);
        const used = await tx.run('UPDATE enrol_tokens SET used_at = ?, used_by_agent = ? WHERE token_hash = ? AND used_at IS NULL', [now.toISOString(), agentId, tokenHash.value]);
        if (used.changes !== 1) throw new TokenTaken();
        return { ok: true as const, value: { agentId, offlineSecret: secret } };
      });
    } catch (error) {
      if (error instanceof TokenTaken) return { ok: false, error: { code: 'used-token', message: 'this enrolment token was already used; each one enrols a single PC, so issue a new one' } };
      throw error;
    }
  }

  /** The agent's key and whether it is revoked, for verifyAgentRequest; undefined for an unknown id. */
  async keyFor(agentId: string): Promise<AgentKeyRecord | undefined> {
    const row = await this.db.get<{ public_key: string; revoked_at: string | null }>('SELECT public_key, revoked_at FROM agents WHERE id = ?', [agentId]);
    if (row === undefined) return undefined;
    const key = parseAgentPublicKey(row.public_key);
    if (!key.ok) throw new Error(`agent-store.ts: agent ${agentId}'s stored public key is not usable: ${key.error.message}`);
    return { publicKey: key.value, revoked: row.revoked_at !== null };
  }

  /**
   * Records that the agent was heard from, written at most once per `everyMs` per agent to spare
   * the database, and the version it reports (an upgraded PC) as soon as it changes.
   */
  async touch(agentId: string, everyMs = 60_000, version?: string): Promise<void> {
    const now = this.now();
    if (version !== undefined && this.lastVersion.get(agentId) !== version) {
      this.lastVersion.set(agentId, version);
      await this.db.run('UPDATE agents SET agent_version = ? WHERE id = ?', [version, agentId]);
    }
    const last = this.lastTouched.get(agentId);
    if (last !== undefined && now.getTime() - last < everyMs) return;
    this.lastTouched.set(agentId, now.getTime());
    await this.db.run('UPDATE agents SET last_seen_at = ? WHERE id = ?', [now.toISOString(), agentId]);
  }

  /** Revokes the agent: its requests are refused from now on. `by` is a users.id. */
  async revoke(agentId: string, by: string): Promise<RevokeResult> {
    const now = this.now().toISOString();
    const changed = await this.db.run('UPDATE agents SET revoked_at = ?, revoked_by = ? WHERE id = ? AND revoked_at IS NULL', [now, by, agentId]).catch((error: unknown) => {
      if (violatedConstraint(error) === 'foreign-key') throw new Error(`agent-store.ts: cannot revoke as ${JSON.stringify(by)}: no user has that id`);
      throw error;
    });
    if (changed.changes === 1) return 'revoked';
    return (await this.db.get('SELECT id FROM agents WHERE id = ?', [agentId])) === undefined ? 'unknown-agent' : 'already-revoked';
  }

  /** Ids of agents revoked at or after `since` (ISO time). */
  async revokedSince(since: string): Promise<string[]> {
    return (await this.db.all<{ id: string }>('SELECT id FROM agents WHERE revoked_at >= ?', [since])).map((row) => row.id);
  }

  /** Every agent, newest enrolment first. */
  async list(): Promise<AgentSummary[]> {
    const rows = await this.db.all<AgentRow>(
      'SELECT id, machine, agent_version, enrolled_at, last_seen_at, revoked_at, revoked_by, audit_chain_ok, audit_chain_break FROM agents ORDER BY enrolled_at DESC, id',
    );
    return rows.map((row) => ({
      id: row.id,
      machine: row.machine,
      agentVersion: row.agent_version,
      enrolledAt: row.enrolled_at,
      lastSeenAt: row.last_seen_at,
      revokedAt: row.revoked_at,
      revokedBy: row.revoked_by,
      auditChainOk: row.audit_chain_ok === 1,
      auditChainBreak: row.audit_chain_break,
    }));
  }
}

/** For `portcullis server enrol-token`: a new one-time enrolment token issued by the user `createdBy` (a users.id), valid for `ttlMs` (default 24 hours). */
export function createEnrolToken(store: AgentStore, createdBy: string, ttlMs: number = DEFAULT_ENROLMENT_TOKEN_TTL_MS): Promise<IssuedEnrolToken> {
  return store.createEnrolToken(createdBy, ttlMs);
}

/** For the console and the CLI: revokes an agent (IT), recording the user `by` (a users.id). */
export function revokeAgent(store: AgentStore, agentId: string, by: string): Promise<RevokeResult> {
  return store.revoke(agentId, by);
}
