/** Sends the agent's audit records to the console server in order, from the one after the last the server acknowledged, so the server holds a copy of the chain. */
import { AGENT_PATHS, auditAnswer } from '../../server/agent-protocol';
import type { Logger } from '../../util/logger';
import { readAuditAfter, type AuditCursor } from './audit-batch';
import { readAuditShipped, writeAuditShipped, type ServerLinkPaths } from './link-files';
import type { ServerClient } from './server-client';

/** The protocol's most lines per POST. */
export const AUDIT_BATCH = 500;
/** Well under the server's body limit (8 MiB by default). */
export const AUDIT_BATCH_BYTES = 4 * 1024 * 1024;

export interface AuditShipperDeps {
  client: ServerClient;
  /** The live audit log (its rotated files are read beside it). */
  auditPath: string;
  paths: ServerLinkPaths;
  clock: () => Date;
  logger: Logger;
  batchSize?: number;
  batchBytes?: number;
}

export interface ShipResult {
  /** Lines the server took this time (0 when it held them all already). */
  accepted: number;
  /** The last seq the server holds. */
  lastSeq: number;
}

export class AuditShipper {
  private lastSeq: number | undefined;
  private cursor: AuditCursor | undefined;
  private chainOk = true;

  constructor(private readonly deps: AuditShipperDeps) {}

  /** The last seq the server acknowledged, as far as this agent knows. */
  async shippedUpTo(): Promise<number> {
    if (this.lastSeq === undefined) {
      const stored = await readAuditShipped(this.deps.paths);
      if (!stored.ok) this.deps.logger.warn('the audit shipping state is damaged; sending from the start (the server keeps each record once)', { reason: stored.error });
      this.lastSeq = stored.ok ? stored.value : 0;
    }
    return this.lastSeq;
  }

  /**
   * Sends every record not yet acknowledged, a batch at a time, each from the seq after the one
   * the server last said it holds. Throws ServerCallError when the server cannot be reached or refuses.
   */
  async ship(): Promise<ShipResult> {
    const { client, logger } = this.deps;
    let lastSeq = await this.shippedUpTo();
    let accepted = 0;
    for (;;) {
      const batch = await readAuditAfter(this.deps.auditPath, lastSeq, { lines: this.deps.batchSize ?? AUDIT_BATCH, bytes: this.deps.batchBytes ?? AUDIT_BATCH_BYTES }, this.cursor);
      if (batch.lines.length === 0) {
        this.cursor = batch.cursor;
        break;
      }
      if (batch.gapBefore) logger.warn('audit records are missing before the next one to ship (deleted before they were sent)', { after: lastSeq, next: batch.seqs[0] });
      const answer = await client.json('POST', AGENT_PATHS.audit, auditAnswer, { lines: batch.lines });
      this.cursor = batch.cursor;
      accepted += answer.accepted;
      this.noteChain(answer.chainOk);
      const moved = answer.lastSeq !== lastSeq;
      if (moved) {
        lastSeq = answer.lastSeq;
        this.lastSeq = lastSeq;
        await writeAuditShipped(this.deps.paths, lastSeq, this.deps.clock());
      }
      const sentUpTo = batch.seqs.at(-1) ?? lastSeq;
      if (!batch.more || !moved || lastSeq < sentUpTo) break;
    }
    if (accepted > 0) logger.debug('audit records shipped', { accepted, lastSeq });
    return { accepted, lastSeq };
  }

  private noteChain(chainOk: boolean): void {
    if (chainOk === this.chainOk) return;
    this.chainOk = chainOk;
    if (!chainOk) this.deps.logger.error("the console server found a break in this PC's audit chain (see the console; 'portcullis audit verify' checks the files here)", { server: this.deps.client.where(AGENT_PATHS.audit) });
    else this.deps.logger.info("the console server reports this PC's audit chain whole again");
  }
}
