/** Policy versions: signs each new policy document with the server's key, stores it in policy_versions, tells listeners (the agents' policy stream), and answers the newest. */

import type { Database, SqlRunner } from './db/database';
import { violatedConstraint } from './db/database-errors';
import { policyDocumentText } from './approvals/policy-text';
import type { ServerKeys } from './server-keys';
import type { PolicyDocument, Result } from '../policy/policy-document';
import { SIGNED_POLICY_FORMAT, signPolicyDocument, type SignedPolicyEnvelope } from '../policy/policy-signing';
import { createLogger, type Logger } from '../util/logger';

/** A document to publish: the publisher sets `issuedAt` and the version (see publishPolicy). */
export type PolicyDraft = Omit<PolicyDocument, 'version' | 'issuedAt'> & Partial<Pick<PolicyDocument, 'version' | 'issuedAt'>>;

export interface PublishedPolicy {
  version: number;
  /** The signed envelope, exactly as agents receive it. */
  envelopeText: string;
  createdAt: string;
}

export type PolicyListener = (version: number) => void;

export interface PolicyPublisherDeps {
  db: Database;
  keys: Pick<ServerKeys, 'signingKey' | 'publicKeyPem'>;
  now?: () => Date;
  logger?: Logger;
}

interface VersionRow {
  version: number;
  document_text: string;
  signature: string;
  created_at: string;
}

/** Attempts at publishing when another server took the same version number first. */
const PUBLISH_ATTEMPTS = 5;

/** The envelope text signPolicyDocument makes, rebuilt from a stored version. */
function envelopeOf(row: VersionRow, keyId: string): string {
  const envelope: SignedPolicyEnvelope = { format: SIGNED_POLICY_FORMAT, keyId, document: row.document_text, signature: row.signature };
  return `${JSON.stringify(envelope, null, 2)}\n`;
}

export class PolicyPublisher {
  private readonly db: Database;
  private readonly keys: PolicyPublisherDeps['keys'];
  private readonly now: () => Date;
  private readonly logger: Logger;
  private readonly listeners = new Set<PolicyListener>();

  constructor(deps: PolicyPublisherDeps) {
    this.db = deps.db;
    this.keys = deps.keys;
    this.now = deps.now ?? (() => new Date());
    this.logger = deps.logger ?? createLogger('policy-publisher');
  }

  /** The public key (PEM) agents must trust: the one that signs every version published here. */
  get publicKeyPem(): string {
    return this.keys.publicKeyPem;
  }

  /**
   * Signs and stores `document` as the next version, then tells every listener. The version is
   * one more than the newest stored, or the document's own `version` if that is higher (a policy
   * carried over from files, whose version the agents already hold, must not go backwards);
   * `issuedAt` is now. `createdBy` is a users.id, or null for the server itself. An invalid
   * document is refused with messages naming each field.
   */
  async publishPolicy(document: PolicyDraft, createdBy: string | null): Promise<Result<PublishedPolicy>> {
    for (let attempt = 1; ; attempt++) {
      try {
        const published = await this.db.transaction(async (tx) => this.storeIn(tx, document, createdBy));
        if (published.ok) this.announce(published.value.version, createdBy);
        return published;
      } catch (error) {
        if (violatedConstraint(error) !== 'unique' || attempt >= PUBLISH_ATTEMPTS) throw error;
      }
    }
  }

  /**
   * publishPolicy's work inside the caller's transaction `tx`, for a caller that must store the
   * version together with what explains it (an approval, a revocation): signs and stores the next
   * version, and tells no one. Call `announce(version)` once the transaction has committed. A
   * version number taken meanwhile by another writer fails the transaction (a unique violation):
   * the caller runs it again.
   */
  async storeIn(tx: SqlRunner, document: PolicyDraft, createdBy: string | null): Promise<Result<PublishedPolicy>> {
    const newest = await tx.get<{ version: number | null }>('SELECT MAX(version) AS version FROM policy_versions');
    const version = Math.max((newest?.version ?? 0) + 1, document.version ?? 1);
    const createdAt = this.now().toISOString();
    // The server's own version and time replace the draft's; the keys keep the usual order.
    const fields: Record<string, unknown> = { format: document.format, version, issuedAt: createdAt };
    for (const [key, value] of Object.entries(document)) if (!(key in fields)) fields[key] = value;
    // As a policy file writes it: idle durations as "5m", not the milliseconds a parsed document holds.
    const text = policyDocumentText(fields as PolicyDocument);
    const signed = signPolicyDocument(text, `policy version ${version}`, this.keys.signingKey);
    if (!signed.ok) return signed;
    const envelope = JSON.parse(signed.value.envelopeText) as SignedPolicyEnvelope;
    await tx.run('INSERT INTO policy_versions (version, document_text, signature, created_at, created_by) VALUES (?, ?, ?, ?, ?)', [version, text, envelope.signature, createdAt, createdBy]);
    return { ok: true, value: { version, envelopeText: signed.value.envelopeText, createdAt } };
  }

  /** Logs a version stored (by publishPolicy, or by storeIn once its transaction committed) and tells every listener. */
  announce(version: number, createdBy: string | null = null): void {
    this.logger.info('published a policy version', { version, createdBy });
    this.notify(version);
  }

  /** The newest version, signed, or undefined when none has been published. */
  async latest(): Promise<PublishedPolicy | undefined> {
    const row = await this.db.get<VersionRow>('SELECT version, document_text, signature, created_at FROM policy_versions ORDER BY version DESC LIMIT 1');
    return row === undefined ? undefined : { version: row.version, envelopeText: envelopeOf(row, this.keys.signingKey.keyId), createdAt: row.created_at };
  }

  /** The newest version's number, or undefined when none has been published. */
  async latestVersion(): Promise<number | undefined> {
    const row = await this.db.get<{ version: number | null }>('SELECT MAX(version) AS version FROM policy_versions');
    return row?.version ?? undefined;
  }

  /** Calls `listener` with each version published through this publisher; returns what unsubscribes it. */
  onPublished(listener: PolicyListener): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  private notify(version: number): void {
    for (const listener of this.listeners) {
      try {
        listener(version);
      } catch (error) {
        this.logger.error('a policy listener failed', { version, error: (error as Error).message });
      }
    }
  }
}
