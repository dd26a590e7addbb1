/** Retention: which rotated audit files are past the retention limit, and what deleting a run of files removes. */

import type { AuditEvent } from './audit-event';
import { listRotatedFiles, readFileEnds } from './audit-files';

/** The default policy keeps audit records for 12 months (UK GDPR: no longer than the policy needs them). */
export const DEFAULT_RETENTION_MONTHS = 12;

/** The time before which records may be deleted: `months` calendar months before `now` (UTC). */
export function retentionCutoff(now: Date, months: number = DEFAULT_RETENTION_MONTHS): Date {
  const cutoff = new Date(now.getTime());
  cutoff.setUTCMonth(cutoff.getUTCMonth() - months);
  return cutoff;
}

/**
 * The rotated files, oldest first, whose last record is older than `olderThan`. Stops at
 * the first file that is newer or whose last record cannot be read, so only a run of the
 * oldest files is ever deleted. The live file is never among them.
 */
export async function expiredAuditFiles(livePath: string, olderThan: Date): Promise<string[]> {
  const expired: string[] = [];
  for (const file of await listRotatedFiles(livePath)) {
    const { last } = await readFileEnds(file.path);
    if (last === undefined || Date.parse(last.time) >= olderThan.getTime()) break;
    expired.push(file.path);
  }
  return expired;
}

/** The `audit-pruned` event for deleting `paths` (oldest first, consecutive): which seq range goes and the last record's hash. */
export async function prunedEvent(paths: readonly string[], reason: 'retention' | 'rotation'): Promise<AuditEvent> {
  const first = paths[0] === undefined ? undefined : (await readFileEnds(paths[0])).first;
  const lastPath = paths[paths.length - 1];
  const last = lastPath === undefined ? undefined : (await readFileEnds(lastPath)).last;
  return {
    type: 'audit-pruned',
    reason,
    files: paths.length,
    ...(first === undefined ? {} : { firstSeq: first.seq }),
    ...(last === undefined ? {} : { lastSeq: last.seq, lastHash: last.hash, lastTime: last.time }),
  };
}
