import { DailyRetention } from './daily-retention';
import { createLogger } from '../util/logger';

describe('DailyRetention', () => {
  it('prunes at most once a day, with a cutoff twelve months back by default', async () => {
    let now = new Date('2026-11-28T10:00:00Z');
    const cutoffs: string[] = [];
    const retention = new DailyRetention({ prune: async (olderThan: Date) => void cutoffs.push(olderThan.toISOString().slice(0, 10)) }, () => now, createLogger('test', { write: () => true }));
    await retention.run();
    now = new Date('2026-11-28T20:00:00Z');
    await retention.run();
    now = new Date('2026-11-29T10:00:00Z');
    await retention.run();
    expect(cutoffs).toEqual(['2025-11-28', '2025-11-29']);
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
      () => new Date('2026-11-28T10:00:00Z'),
      createLogger('test', { write: () => true }),
    );
    await retention.run();
    await retention.run();
    expect(calls).toBe(2);
  });
});
