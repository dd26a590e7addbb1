/** Deletes audit files, and decided approval requests, older than the retention limit (UK GDPR: no longer than needed), once a day. */
import type { AuditLog } from '../audit/audit-log';
import type { RequestQueue } from './request-queue';
import { retentionCutoff } from '../audit/audit-retention';
import type { Logger } from '../util/logger';

const DAY_MS = 24 * 60 * 60 * 1000;

export class DailyRetention {
  private lastRunMs = -Infinity;

  constructor(
    private readonly log: Pick<AuditLog, 'prune'>,
    private readonly requests: Pick<RequestQueue, 'prune'>,
    private readonly clock: () => Date,
    private readonly logger: Logger,
    /** The retention period in months from the policy in force (the DPO's setting); undefined: the default. */
    private readonly months: () => number | undefined = () => undefined,
  ) {}

  /** Prunes if a day has passed since the last run; a failure is logged and tried again next time. */
  async run(): Promise<void> {
    const now = this.clock();
    if (now.getTime() - this.lastRunMs < DAY_MS) return;
    try {
      const cutoff = retentionCutoff(now, this.months());
      const record = await this.log.prune(cutoff);
      const requests = await this.requests.prune(cutoff);
      this.lastRunMs = now.getTime();
      if (record) this.logger.info('old audit files deleted under the retention limit', { seq: record.seq });
      if (requests > 0) this.logger.info('old decided approval requests forgotten under the retention limit', { requests });
    } catch (error) {
      this.logger.error('could not delete old audit files', { error: String(error) });
    }
  }
}
