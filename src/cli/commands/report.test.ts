import { appendFile, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { useTempDir, writeEvents, type TimedEvent } from '../../../test/support/audit-fixtures';
import { runCommand } from '../../../test/support/run-command';
import { parseAgentConfig } from '../../agent/agent-config';
import type { AuditEvent } from '../../audit/audit-event';
import { UsageError, type CliIo, type Command } from '../command';
import { runCli } from '../run-cli';
import { createReportCommands, csvField, DEFAULT_AUDIT_LOG, reportCommands } from './report';

const dir = useTempDir('report-cli-');
const live = (): string => join(dir.path, 'audit.jsonl');
const [idle] = createReportCommands({ timeZone: 'Europe/London' }) as [Command];

const locked = (idleMs: number): AuditEvent => ({ type: 'idle-locked', session: '3', idleMs, by: 'tray' });
const dismissed: AuditEvent = { type: 'idle-warning-dismissed', action: 'lock', session: '3', by: 'input' };
const STAFF_ROOM = 'Staff Room, "Block B"';

/** Two days on ICT-07 and one on the staff room PC, whose name needs quoting in CSV. */
const DAYS: TimedEvent[] = [
  { time: '2026-11-27T09:00:00Z', event: locked(302_000), user: 'jsmith' },
  { time: '2026-11-27T09:30:00Z', event: dismissed, user: 'jsmith' },
  { time: '2026-11-27T10:00:00Z', event: locked(600_000), user: 'jsmith' },
  { time: '2026-11-27T10:05:00Z', event: { type: 'idle-logged-off', session: '3', lockedForMs: 1_800_000, by: 'service' } },
  { time: '2026-11-27T12:00:00Z', event: { type: 'presenting-started', session: '4', until: '2026-11-27T13:00:00Z' }, user: 'akhan' },
  { time: '2026-11-27T12:00:00Z', event: { type: 'idle-action-failed', action: 'lock', session: '5', error: 'no session bus' } },
  { time: '2026-11-28T08:00:00Z', event: locked(3_725_000), user: 'jsmith' },
  { time: '2026-11-27T11:00:00Z', event: locked(45_000), machine: STAFF_ROOM, user: 'bbursar' },
];

/** Parses RFC 4180 CSV: quoted fields may hold commas, doubled quotes and line breaks. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  const pattern = /("(?:[^"]|"")*"|[^",\r\n]*)(,|\r\n|$)/gy;
  let row: string[] = [];
  for (let match = pattern.exec(text); match !== null && match[0] !== ''; match = pattern.exec(text)) {
    const field = match[1] ?? '';
    row.push(field.startsWith('"') ? field.slice(1, -1).replace(/""/g, '"') : field);
    if (match[2] !== ',') {
      rows.push(row);
      row = [];
    }
  }
  return rows;
}

describe('report commands', () => {
  it('are registered as "report idle", reading the agent\'s own audit log by default', () => {
    expect(reportCommands.map((command) => command.path.join(' '))).toEqual(['report idle']);
    const config = parseAgentConfig({}, 'agent.json');
    expect(config.ok && config.value.auditLog).toBe(DEFAULT_AUDIT_LOG);
    expect(reportCommands[0]?.usage).toMatch(/^portcullis report idle .*--audit-log FILE \(default \/var\/log\/portcullis\/audit\.jsonl\)/);
  });
});

describe('report idle', () => {
  beforeEach(async () => {
    await writeEvents(live(), DAYS);
  });

  it('shows a table per machine and day, durations in minutes and seconds', async () => {
    const run = await runCommand(idle, ['--audit-log', live()]);
    expect(run).toEqual({
      status: 0,
      err: '',
      out: [
        'Machine                Day         Idle locks  Logoffs  Warnings dismissed  Presenting  Failed  Idle before lock (median)  Idle before lock (longest)',
        '---------------------  ----------  ----------  -------  ------------------  ----------  ------  -------------------------  --------------------------',
        'ICT-07                 2026-11-27           2        1                   1           1       1                     7m 31s                     10m 00s',
        'ICT-07                 2026-11-28           1        0                   0           0       0                 1h 02m 05s                  1h 02m 05s',
        'Staff Room, "Block B"  2026-11-27           1        0                   0           0       0                        45s                         45s',
        '',
      ].join('\n'),
    });
  });

  it('reads the default log when no --audit-log is given', async () => {
    const [byDefault] = createReportCommands({ timeZone: 'UTC', auditLog: live() }) as [Command];
    const run = await runCommand(byDefault, ['--format', 'json']);
    expect(run.status).toBe(0);
    expect(JSON.parse(run.out)).toHaveLength(3);
  });

  it('gives JSON rows with durations in milliseconds, null when there was no lock', async () => {
    await writeEvents(live(), [{ time: '2026-11-29T09:00:00Z', event: dismissed }]);
    const run = await runCommand(idle, ['--audit-log', live(), '--format', 'json', '--since', '2026-11-28']);
    expect(run.status).toBe(0);
    expect(JSON.parse(run.out)).toEqual([
      { machine: 'ICT-07', day: '2026-11-28', idleLocks: 1, logoffs: 0, warningsDismissed: 0, presenting: 0, failed: 0, idleBeforeLockMedianMs: 3_725_000, idleBeforeLockLongestMs: 3_725_000 },
      { machine: 'ICT-07', day: '2026-11-29', idleLocks: 0, logoffs: 0, warningsDismissed: 1, presenting: 0, failed: 0, idleBeforeLockMedianMs: null, idleBeforeLockLongestMs: null },
    ]);
  });

  it('gives RFC 4180 CSV with a header row, in which a machine name with a comma and quotes round-trips', async () => {
    const run = await runCommand(idle, ['--audit-log', live(), '--format', 'csv', '--until', '2026-11-27']);
    expect(run.status).toBe(0);
    expect(run.out.split('\r\n')[2]).toBe('"Staff Room, ""Block B""",2026-11-27,1,0,0,0,0,45000,45000');
    expect(parseCsv(run.out)).toEqual([
      ['Machine', 'Day', 'Idle locks', 'Logoffs', 'Warnings dismissed', 'Presenting', 'Failed', 'Idle before lock (median, ms)', 'Idle before lock (longest, ms)'],
      ['ICT-07', '2026-11-27', '2', '1', '1', '1', '1', '451000', '600000'],
      [STAFF_ROOM, '2026-11-27', '1', '0', '0', '0', '0', '45000', '45000'],
    ]);
    expect(csvField('line\nbreak')).toBe('"line\nbreak"');
  });

  it('says so when no idle locking was recorded in the days asked for', async () => {
    const run = await runCommand(idle, ['--audit-log', live(), '--since', '2026-12-01', '--until', '2026-12-31']);
    expect(run).toEqual({ status: 0, err: '', out: `No idle locking recorded in ${live()} from 2026-12-01 to 2026-12-31.\n` });
    expect((await runCommand(idle, ['--audit-log', live(), '--since', '2026-12-01', '--format', 'csv'])).out.split('\r\n')).toHaveLength(2);
  });

  it('reads rotated files too, and leaves out, names and does not count a tampered line (exit 1)', async () => {
    const week: TimedEvent[] = ['23', '24', '25', '26'].flatMap((day) => [9, 10, 11, 12].map((hour) => ({ time: `2026-11-${day}T${String(hour).padStart(2, '0')}:00:00Z`, event: locked(hour * 60_000) })));
    await writeEvents(live(), week, { maxBytes: 1500 });
    expect((await readdir(dir.path)).length).toBeGreaterThan(2);
    const rotated = join(dir.path, 'audit.jsonl.2');
    const lines = (await readFile(rotated, 'utf8')).split('\n');
    lines[0] = (lines[0] ?? '').replace(/"idleMs":\d+/, '"idleMs":1');
    await writeFile(rotated, lines.join('\n'));
    await appendFile(live(), 'not a record\n');
    const run = await runCommand(idle, ['--audit-log', live(), '--format', 'json', '--since', '2026-11-23', '--until', '2026-11-26']);
    expect(run.status).toBe(1);
    expect(run.err).toMatch(
      new RegExp(
        `^Left out 2 lines that are not a record whose hash checks \\(not counted; run 'portcullis audit verify' on the files\\):\n` +
          `  ${rotated}: line 1 \\(seq \\d+\\) was edited: its hash does not match its contents\n` +
          `  ${live()}: line \\d+ is not valid JSON\n$`,
      ),
    );
    const rows = JSON.parse(run.out) as { day: string; idleLocks: number; idleBeforeLockLongestMs: number }[];
    expect(rows.map((r) => r.day)).toEqual(['2026-11-23', '2026-11-24', '2026-11-25', '2026-11-26']);
    expect(rows.reduce((sum, r) => sum + r.idleLocks, 0)).toBe(15);
    expect(rows.every((r) => r.idleBeforeLockLongestMs === 720_000)).toBe(true);
  });

  it('names a missing log file', async () => {
    const missing = join(dir.path, 'gone', 'audit.jsonl');
    expect(await runCommand(idle, ['--audit-log', missing])).toEqual({ status: 1, out: '', err: `${missing}: cannot read (no such file)\n` });
  });

  it.each([
    [['--since', '28/11/2026'], '--since expects a date as YYYY-MM-DD, not "28/11/2026"'],
    [['--until', '2026-02-30'], '--until expects a date as YYYY-MM-DD, not "2026-02-30"'],
    [['--since', '2026-11-28', '--until', '2026-11-01'], '--until 2026-11-01 is before --since 2026-11-28'],
    [['--format', 'xlsx'], '--format must be one of table, json, csv, not "xlsx"'],
  ])('refuses %j', async (args, message) => {
    await expect(runCommand(idle, ['--audit-log', live(), ...args])).rejects.toThrow(new UsageError(message));
  });

  it('exits 2 with the flag, the value and the usage for a bad date', async () => {
    const run = { out: '', err: '' };
    const io: CliIo = { readStdin: async () => '', out: (text) => void (run.out += text), err: (text) => void (run.err += text) };
    expect(await runCli([idle], ['report', 'idle', '--since', 'yesterday'], io)).toBe(2);
    expect(run.err).toBe(`portcullis report idle: --since expects a date as YYYY-MM-DD, not "yesterday"\nUsage: ${idle.usage}\n`);
  });
});
