import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sampleDevice } from '../../test/support/sample-device';
import { DailyRetention } from './daily-retention';
import { RequestQueue } from './request-queue';
import { createLogger } from '../util/logger';

const quiet = createLogger('test', { write: () => true });
const noRequests = { prune: async () => 0 };

describe('DailyRetention', () => {
  it('prunes at most once a day, with a cutoff twelve months back by default', async () => {
    let now = new Date('2026-11-28T10:00:00Z');
    const cutoffs: string[] = [];
    const requestCutoffs: string[] = [];
    const requests = { prune: async (cutoff: Date) => (requestCutoffs.push(cutoff.toISOString().slice(0, 10)), 0) };
    const retention = new DailyRetention({ prune: async (olderThan: Date) => void cutoffs.push(olderThan.toISOString().slice(0, 10)) }, requests, () => now, quiet);
    await retention.run();
    now = new Date('2026-11-28T20:00:00Z');
    await retention.run();
    now = new Date('2026-11-29T10:00:00Z');
    await retention.run();
    expect(cutoffs).toEqual(['2025-11-28', '2025-11-29']);
    expect(requestCutoffs).toEqual(cutoffs);
  });

  it("keeps records as long as the policy in force says (the DPO's setting)", async () => {
    const cutoffs: string[] = [];
    const log = { prune: async (olderThan: Date) => void cutoffs.push(olderThan.toISOString().slice(0, 10)) };
    await new DailyRetention(log, noRequests, () => new Date('2026-11-28T10:00:00Z'), quiet, () => 6).run();
    expect(cutoffs).toEqual(['2026-05-28']);
  });

  it('tries again next time after a failure', async () => {
    let calls = 0;
    const retention = new DailyRetention(
      {
        prune: async () => {
          calls += 1;
          if (calls === 1) throw new Error('disk full');
          return undefined;
        },
      },
      noRequests,
      () => new Date('2026-11-28T10:00:00Z'),
      quiet,
    );
    await retention.run();
    await retention.run();
    expect(calls).toBe(2);
  });

  it("forgets the PC's decided requests made before the cutoff, keeping those still waiting, on disk too", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'portcullis-retention-'));
    try {
      const queue = await RequestQueue.open(dir);
      const { id, serial, name, manufacturer, hash, kind, interfaces, warnings } = sampleDevice();
      const ask = (localId: string, requestedAt: string) =>
        queue.add({ id: localId, viaPort: '1-2', device: { id, serial, name, manufacturer, hash, kind, interfaces, warnings }, user: 'jsmith', userVerified: true, machine: 'ICT-07', justification: 'coursework', durationDays: 30, requestedAt, status: 'pending' });
      await ask('old-decided', '2025-10-01T09:00:00.000Z');
      await ask('old-waiting', '2025-10-02T09:00:00.000Z');
      await ask('old-unsent', '2025-10-03T09:00:00.000Z');
      await ask('new-decided', '2026-10-01T09:00:00.000Z');
      const at = new Date('2026-10-02T09:00:00Z');
      await queue.recordAnswers(
        [
          { localId: 'old-decided', serverId: 's1', status: 'refused', detail: 'no' },
          { localId: 'old-waiting', serverId: 's2', status: 'pending' },
          { localId: 'new-decided', serverId: 's3', status: 'approved' },
        ],
        at,
      );
      const retention = new DailyRetention({ prune: async () => undefined }, queue, () => new Date('2026-11-28T10:00:00Z'), quiet);
      await retention.run();
      const ids = ['old-waiting', 'old-unsent', 'new-decided'];
      expect(queue.pending().map((request) => request.id)).toEqual(ids);
      expect((await RequestQueue.open(dir)).pending().map((request) => request.id)).toEqual(ids);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
