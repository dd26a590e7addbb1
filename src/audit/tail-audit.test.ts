import { appendFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fakeClock, MACHINE, SAMPLE_EVENTS, useTempDir, writeLog } from '../../test/support/audit-fixtures';
import type { AuditEvent } from './audit-event';
import { AuditLog } from './audit-log';
import { tailLines, watchForChanges, type ChangeWaiter } from './tail-audit';

const dir = useTempDir('tail-audit-');
const live = (): string => join(dir.path, 'audit.jsonl');

/** A ChangeWaiter that runs one scripted step per wake-up, then says stop. */
function scripted(steps: (() => Promise<void>)[]): ChangeWaiter {
  return {
    async next() {
      const step = steps.shift();
      if (step === undefined) return false;
      await step();
      return true;
    },
    close: () => undefined,
  };
}

async function collect(lines: AsyncIterable<{ bytes: Buffer; number: number }>): Promise<string[]> {
  const out: string[] = [];
  for await (const line of lines) out.push(`${line.number}:${line.bytes.toString('utf8')}`);
  return out;
}

async function seqs(lines: AsyncIterable<{ bytes: Buffer }>): Promise<number[]> {
  const out: number[] = [];
  for await (const line of lines) out.push((JSON.parse(line.bytes.toString('utf8')) as { seq: number }).seq);
  return out;
}

describe('tailLines', () => {
  it('gives the last N whole lines, holding back a line still being written', async () => {
    await writeFile(live(), 'a\nb\nc\nd\npart');
    expect(await collect(tailLines(live(), 2))).toEqual(['3:c', '4:d']);
    expect(await collect(tailLines(live(), 10))).toEqual(['1:a', '2:b', '3:c', '4:d']);
    expect(await collect(tailLines(live(), 0))).toEqual([]);
  });

  it('follows appended records, across rotation, until told to stop', async () => {
    await writeLog(live(), 3);
    const time = fakeClock('2026-12-01T09:00:00.000Z');
    const log = await AuditLog.open(live(), { machine: MACHINE, clock: time.clock, maxBytes: 2000 });
    const appendSome = (n: number) => async () => {
      for (let i = 0; i < n; i++) await log.append(SAMPLE_EVENTS[i % SAMPLE_EVENTS.length] as AuditEvent);
    };
    const changes = scripted([appendSome(1), appendSome(12), appendSome(0), appendSome(5)]);
    expect(await seqs(tailLines(live(), 1, changes))).toEqual(Array.from({ length: 19 }, (_, i) => i + 3));
    await log.close();
  });

  it('starts a line again when the writer cut off the torn record it was part of', async () => {
    await writeLog(live(), 2);
    await appendFile(live(), '{"seq":3,"time":');
    let log: AuditLog | undefined;
    const changes = scripted([
      async () => {
        log = await AuditLog.open(live(), { machine: MACHINE, clock: fakeClock().clock });
      },
    ]);
    const lines: string[] = [];
    for await (const line of tailLines(live(), 0, changes)) lines.push(line.bytes.toString('utf8'));
    await log?.close();
    expect(lines.map((line) => JSON.parse(line) as { seq: number; event: { type: string } })).toMatchObject([{ seq: 3, event: { type: 'audit-repaired' } }]);
  });
});

describe('watchForChanges', () => {
  it('wakes when the file grows, and stops when aborted', async () => {
    await writeFile(live(), '');
    const stop = new AbortController();
    const changes = watchForChanges(live(), stop.signal, 50);
    try {
      const woke = changes.next();
      await appendFile(live(), 'x\n');
      expect(await woke).toBe(true);
      stop.abort();
      expect(await changes.next()).toBe(false);
    } finally {
      changes.close();
    }
  });

  it('a follower waiting for a change returns when aborted', async () => {
    await writeFile(live(), '');
    const stop = new AbortController();
    const changes = watchForChanges(live(), stop.signal, 60_000);
    try {
      const lines = collect(tailLines(live(), 10, changes));
      stop.abort();
      expect(await lines).toEqual([]);
    } finally {
      changes.close();
    }
  });
});
