/** Deletes audit files older than the retention limit (UK GDPR: no longer than needed), once a day. */
import type { AuditLog } from '../audit/audit-log';
import { retentionCutoff } from '../audit/audit-retention';
import type { Logger } from '../util/logger';

const DAY_MS = 24 * 60 * 60 * 1000;

export class DailyRetention {
  private lastRunMs = -Infinity;

  constructor(
    private readonly log: Pick<AuditLog, 'prune'>,
    private readonly clock: () => Date,
    private readonly logger: Logger,
    private readonly months?: number,
  ) {}

  /** Prunes if a day has passed since the last run; a failure is logged and tried again next time. */
  async run(): Promise<void> {
    const now = this.clock();
    if (now.getTime() - this.lastRunMs < DAY_MS) return;
    try {
      const record = await this.log.prune(retentionCutoff(now, this.months));
      this.lastRunMs = now.getTime();
      if (record) this.logger.info('old audit files deleted under the retention limit', { seq: record.seq });
    } catch (error) {
      this.logger.error('could not delete old audit files', { error: String(error) });
    }
  }
}
