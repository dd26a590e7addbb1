import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fakeClock, MACHINE, SAMPLE_EVENTS, useTempDir, writeLog } from '../../../test/support/audit-fixtures';
import { runCommand } from '../../../test/support/run-command';
import type { AuditEvent } from '../../audit/audit-event';
import { AuditLog } from '../../audit/audit-log';
import type { ChangeWaiter } from '../../audit/tail-audit';
import { UsageError, type Command } from '../command';
import { auditCommands, createAuditCommands } from './audit';

const dir = useTempDir('audit-cli-');
const live = (): string => join(dir.path, 'audit.jsonl');
const [verify, tail] = createAuditCommands({ timeZone: 'Europe/London' }) as [Command, Command];

/** The log's files as a shell glob (`audit.jsonl*`) lists them: not in chain order. */
async function globbed(): Promise<string[]> {
  return (await readdir(dir.path)).filter((name) => name.startsWith('audit.jsonl')).sort().map((name) => join(dir.path, name));
}

async function rewrite(path: string, change: (lines: string[]) => string[]): Promise<void> {
  const lines = (await readFile(path, 'utf8')).split('\n').slice(0, -1);
  await writeFile(path, change(lines).map((line) => `${line}\n`).join(''));
}

describe('audit commands', () => {
  it('are registered under "audit" with usage text', () => {
    expect(auditCommands.map((command) => command.path.join(' '))).toEqual(['audit verify', 'audit tail']);
    for (const command of auditCommands) expect(command.usage).toMatch(/^portcullis audit /);
  });
});

describe('audit verify', () => {
  it('says OK with the count and seq range, and gives the last record to compare with the console', async () => {
    const records = await writeLog(live(), 6);
    const run = await runCommand(verify, [live()]);
    expect(run).toEqual({
      status: 0,
      err: '',
      out: [
        'OK: 6 records, seq 1..6, chain intact',
        `Last record: seq 6 at 2026-11-28 10:07:11, hash ${records[5]?.hash}`,
        "(The files cannot show that no records were cut off after it: compare with the console server's copy.)",
        '',
      ].join('\n'),
    });
  });

  it('verifies rotated files oldest first whatever order they are given in', async () => {
    await writeLog(live(), 40, { maxBytes: 1300, keep: 20 });
    const files = await globbed();
    expect(files.length).toBeGreaterThan(11);
    const oldestFirst = [...files.keys()].slice(1).map((n) => `${live()}.${files.length - n}`);
    const run = await runCommand(verify, files);
    expect(run.status).toBe(0);
    expect(run.out).toContain('OK: 40 records, seq 1..40, chain intact\n');
    expect(run.out).toContain(`Files, oldest first: ${[...oldestFirst, live()].join(', ')}\n`);
  });

  it('names the first bad record and exits 1', async () => {
    await writeLog(live(), 6);
    await rewrite(live(), (lines) => lines.map((line, i) => (i === 3 ? line.replace('ICT-07', 'ICT-99') : line)));
    expect(await runCommand(verify, [live()])).toEqual({ status: 1, out: '', err: `${live()}: line 4 (seq 4) was edited: its hash does not match its contents\n` });
  });

  it('asks for the older files when the chain starts after missing records, and accepts them with --from-pruned', async () => {
    await writeLog(live(), 6);
    await rewrite(live(), (lines) => lines.slice(2));
    const refused = await runCommand(verify, [live()]);
    expect(refused.status).toBe(1);
    expect(refused.err).toBe(
      `${live()}: line 1 (seq 3) follows seq 2, which is not in the files given, and no record in them says it was pruned\nGive the older files too, or --from-pruned if they were deleted.\n`,
    );
    const accepted = await runCommand(verify, ['--from-pruned', live()]);
    expect(accepted.status).toBe(0);
    expect(accepted.out).toContain('OK: 4 records, seq 3..6, chain intact\nIt starts at seq 3: the records before it are not here and no record says they were pruned (accepted with --from-pruned).\n');
  });

  it('accepts a chain that starts after records it recorded pruning', async () => {
    const time = fakeClock('2025-01-01T00:00:00Z');
    const log = await AuditLog.open(live(), { machine: MACHINE, clock: time.clock, maxBytes: 2000 });
    for (let i = 0; i < 30; i++) {
      await log.append(SAMPLE_EVENTS[i % SAMPLE_EVENTS.length] as AuditEvent);
      time.advance(24 * 60 * 60 * 1000);
    }
    const pruned = await log.prune(new Date('2025-01-10T00:00:00Z'));
    await log.close();
    if (pruned?.event.type !== 'audit-pruned') throw new Error('expected a pruning');
    const run = await runCommand(verify, await globbed());
    expect(run.status).toBe(0);
    expect(run.out).toContain(`It starts after records seq 1..${pruned.event.lastSeq}, deleted for retention as the record at seq ${pruned.seq} says.\n`);
  });

  it('needs at least one file', async () => {
    await expect(runCommand(verify, [])).rejects.toThrow(UsageError);
    await expect(runCommand(verify, ['--colour', live()])).rejects.toThrow(UsageError);
  });

  it('names a file it cannot read', async () => {
    expect(await runCommand(verify, [join(dir.path, 'nope.jsonl')])).toEqual({ status: 1, out: '', err: `${join(dir.path, 'nope.jsonl')}: cannot read (no such file)\n` });
  });
});

describe('audit tail', () => {
  beforeEach(async () => {
    await writeLog(live(), 12);
  });

  it('prints the last 10 records, one line each, in UK time', async () => {
    const run = await runCommand(tail, [live()]);
    expect(run.status).toBe(0);
    const lines = run.out.split('\n').slice(0, -1);
    expect(lines).toHaveLength(10);
    expect(lines[0]).toBe('2026-11-28 10:04:11  ICT-07  jsmith  arrived 0781:5567 Cruzer Blade (USB storage device) at port 1-2');
    expect(lines[1]).toBe('2026-11-28 10:05:11  ICT-07  -  blocked 0781:5567 Cruzer Blade (USB storage device): no rule allows a USB storage device from SanDisk');
  });

  it('prints the stored lines as they are with --json, and as many as -n says', async () => {
    const stored = (await readFile(live(), 'utf8')).split('\n').slice(-3).join('\n');
    expect(await runCommand(tail, ['-n', '2', '--json', live()])).toEqual({ status: 0, err: '', out: stored });
    expect((await runCommand(tail, ['-n', '0', live()])).out).toBe('');
  });

  it('names a line that is not a good record, shows the rest, and exits 1', async () => {
    await rewrite(live(), (lines) => lines.map((line, i) => (i === 10 ? 'garbage' : i === 11 ? line.replace('ICT-07', 'ICT-99') : line)));
    const run = await runCommand(tail, ['-n', '3', live()]);
    expect(run.status).toBe(1);
    expect(run.err).toBe(`${live()}: line 11 is not valid JSON\n${live()}: line 12 (seq 12) was edited: its hash does not match its contents\n`);
    expect(run.out.split('\n').slice(0, -1)).toEqual([expect.stringContaining('  ICT-07  '), expect.stringContaining('  ICT-99  ')]);
  });

  it('keeps printing appended records with --follow until the follower is told to stop', async () => {
    const log = await AuditLog.open(live(), { machine: MACHINE, clock: fakeClock('2026-11-28T11:00:00Z').clock });
    const steps = [() => log.append({ type: 'service-stopped', reason: 'system shutdown' }, 'jsmith'), () => log.append({ type: 'service-started', version: '0.1.0', mode: 'audit', policy: 'rules.conf' })];
    const changes: ChangeWaiter = {
      next: async () => {
        const step = steps.shift();
        if (step) await step();
        return step !== undefined;
      },
      close: () => undefined,
    };
    const [, following] = createAuditCommands({ timeZone: 'Europe/London', watchChanges: () => changes }) as [Command, Command];
    const run = await runCommand(following, ['-n', '1', '--follow', live()]);
    await log.close();
    expect(run.status).toBe(0);
    expect(run.out.split('\n').slice(0, -1)).toEqual([
      '2026-11-28 10:13:11  ICT-07  -  arrived 0781:5567 Cruzer Blade (USB storage device) at port 1-2',
      '2026-11-28 11:00:00  ICT-07  jsmith  service stopped: system shutdown',
      '2026-11-28 11:00:00  ICT-07  -  service started: version 0.1.0, audit mode, policy rules.conf',
    ]);
  });

  it('says when the file cannot be read, and refuses bad usage', async () => {
    expect(await runCommand(tail, [join(dir.path, 'nope')])).toEqual({ status: 1, out: '', err: `${join(dir.path, 'nope')}: cannot read (no such file)\n` });
    const [, following] = createAuditCommands() as [Command, Command];
    const gone = join(dir.path, 'gone', 'audit.jsonl');
    expect(await runCommand(following, ['--follow', gone])).toEqual({ status: 1, out: '', err: `${gone}: cannot read (no such file)\n` });
    await expect(runCommand(tail, ['-n', 'ten', live()])).rejects.toThrow(UsageError);
    await expect(runCommand(tail, [live(), live()])).rejects.toThrow(UsageError);
  });
});
