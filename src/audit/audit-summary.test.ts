import { IDLE_EVENTS, SAMPLE_EVENTS, STICK } from '../../test/support/audit-fixtures';
import type { AuditEvent } from './audit-event';
import { GENESIS_PREV, sealRecord } from './audit-record';
import { formatDuration, formatLocalTime, formatRecordForPeople, summariseEvent } from './audit-summary';

describe('summariseEvent', () => {
  it('words each sample event in one line', () => {
    expect(SAMPLE_EVENTS.map(summariseEvent)).toEqual([
      'service started: version 0.1.0, enforce mode, policy /etc/portcullis/policy.json (policy v12, signed by k1)',
      'policy loaded from /etc/portcullis/policy.json: version 12, 40 rules in force',
      'arrived 0781:5567 Cruzer Blade (USB storage device) at port 1-2',
      'blocked 0781:5567 Cruzer Blade (USB storage device): no rule allows a USB storage device from SanDisk',
      'enforced 0781:5567 Cruzer Blade (USB storage device) (linux-sysfs): authorized=0 written to 1-2/authorized',
      'approval requested for 0781:5567 Cruzer Blade (USB storage device) by jsmith (REQ-42): "Year 11 coursework"',
      'policy refused from /etc/portcullis/policy.json: version 11 is below the minimum version 12',
      'removed 0781:5567 Cruzer Blade (USB storage device)',
      'service stopped: system shutdown',
    ]);
  });

  it.each<[AuditEvent, string]>([
    [
      { type: 'device-decided', device: STICK, target: 'block', implicit: true, reason: 'blocked: no rule allows a USB storage device from SanDisk' },
      'blocked 0781:5567 Cruzer Blade (USB storage device): no rule allows a USB storage device from SanDisk',
    ],
    [
      { type: 'device-decided', device: STICK, target: 'allow', implicit: false, rule: 'allow id 0781:5567', origin: 'policy v3, rule r-0042', reason: 'allowed by policy v3, rule r-0042 (approved by B. Bursar)' },
      'allowed 0781:5567 Cruzer Blade (USB storage device) by policy v3, rule r-0042 (approved by B. Bursar)',
    ],
    [
      { type: 'device-decided', device: { ...STICK, name: '' }, target: 'allow', implicit: false, reason: 'kept: it was present when the service started' },
      'allowed 0781:5567 (USB storage device): kept: it was present when the service started',
    ],
    [
      { type: 'device-enforced', device: STICK, enforcer: 'linux-sysfs', ok: false, error: 'EACCES: permission denied' },
      'enforcement FAILED for 0781:5567 Cruzer Blade (USB storage device) (linux-sysfs): EACCES: permission denied',
    ],
    [{ type: 'policy-loaded', source: 'rules.conf', ruleCount: 1 }, 'policy loaded from rules.conf: 1 rule in force'],
    [{ type: 'audit-repaired', lostBytes: 31, afterSeq: 3 }, 'audit log repaired: 31 bytes of a record cut off mid-write after seq 3 removed'],
    [
      { type: 'audit-pruned', reason: 'retention', files: 2, firstSeq: 1, lastSeq: 900, lastHash: GENESIS_PREV, lastTime: '2025-10-01T08:00:00.000Z' },
      'audit records seq 1..900 deleted (2 files past the retention period, the last from 2025-10-01T08:00:00.000Z)',
    ],
    [{ type: 'audit-pruned', reason: 'rotation', files: 1 }, 'audit records of an unknown seq range deleted (1 file beyond the number of rotated files kept)'],
    [
      { type: 'offline-code-refused', device: STICK, user: 'jsmith', reason: 'this code was already used on this PC; each code works once' },
      'one-time code refused for 0781:5567 Cruzer Blade (USB storage device), typed by jsmith: this code was already used on this PC; each code works once',
    ],
  ])('words %j', (event, words) => {
    expect(summariseEvent(event)).toBe(words);
  });
});

describe('summariseEvent: idle locking', () => {
  it('words each idle event in one line, times in the time zone given', () => {
    const lines = IDLE_EVENTS.map((event, i) => formatRecordForPeople(sealRecord({ seq: i + 1, time: '2026-11-28T10:06:11.000Z', machine: 'ICT-07', user: 'jsmith', event, prev: GENESIS_PREV }).record, 'Europe/London'));
    expect(lines.map((line) => line.replace('2026-11-28 10:06:11  ICT-07  jsmith  ', ''))).toEqual([
      'lock warning in session 3: locks at 2026-11-28 10:07:11 unless dismissed',
      'lock warning dismissed in session 3 (input)',
      'locked session 3 after 5m 02s idle (tray)',
      'logged off session 3, locked for 30m 00s (service)',
      'idle logoff FAILED for session 3: loginctl terminate-session 3: exit status 1',
      'presenting mode started in session 3, until 2026-11-28 11:00:00',
      'presenting mode ended in session 3 (time limit reached)',
      'presenting mode refused in session 3: the policy allows presenting mode only in classrooms',
      'idle lock exemption applied to session 3: exempt group EXAM-INVIGILATORS',
    ]);
  });

  it.each<[AuditEvent, string]>([
    [{ type: 'idle-warning-dismissed', action: 'logoff', session: 'c2', by: 'still-here' }, 'logoff warning dismissed in session c2 ("I\'m still here")'],
    [{ type: 'idle-locked', session: '3', idleMs: 3_725_000, by: 'command' }, 'locked session 3 after 1h 02m 05s idle (command)'],
    [{ type: 'idle-action-failed', action: 'lock', session: '3', error: 'no session bus' }, 'idle lock FAILED for session 3: no session bus'],
    [{ type: 'presenting-ended', session: '3', reason: 'user' }, 'presenting mode ended in session 3 (by the user)'],
  ])('words %j', (event, words) => {
    expect(summariseEvent(event)).toBe(words);
  });

  it('words a warning in the time zone of the record', () => {
    const event: AuditEvent = { type: 'idle-warning', action: 'logoff', session: '3', deadline: '2026-07-01T12:00:00.000Z' };
    const { record } = sealRecord({ seq: 1, time: '2026-07-01T11:59:00.000Z', machine: 'ICT-07', event, prev: GENESIS_PREV });
    expect(formatRecordForPeople(record, 'Europe/London')).toBe('2026-07-01 12:59:00  ICT-07  -  logoff warning in session 3: logs off at 2026-07-01 13:00:00 unless dismissed');
  });
});

describe('formatDuration', () => {
  it.each([
    [0, '0s'],
    [499, '0s'],
    [42_000, '42s'],
    [59_600, '1m 00s'],
    [302_000, '5m 02s'],
    [3_600_000, '1h 00m 00s'],
    [90_061_000, '25h 01m 01s'],
    [-5, '0s'],
    [Number.NaN, '0s'],
  ])('shows %d ms as %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});

describe('formatLocalTime', () => {
  it('shows UK time, British Summer Time included', () => {
    expect(formatLocalTime('2026-11-28T10:02:11.000Z', 'Europe/London')).toBe('2026-11-28 10:02:11');
    expect(formatLocalTime('2026-07-01T23:30:00.000Z', 'Europe/London')).toBe('2026-07-02 00:30:00');
  });
});

describe('formatRecordForPeople', () => {
  it('is one line: time, machine, user and what happened', () => {
    const { record } = sealRecord({ seq: 1, time: '2026-11-28T10:02:11.000Z', machine: 'ICT-07', user: 'jsmith', event: SAMPLE_EVENTS[3] as AuditEvent, prev: GENESIS_PREV });
    expect(formatRecordForPeople(record, 'Europe/London')).toBe(
      '2026-11-28 10:02:11  ICT-07  jsmith  blocked 0781:5567 Cruzer Blade (USB storage device): no rule allows a USB storage device from SanDisk',
    );
    expect(formatRecordForPeople({ ...record, user: undefined }, 'UTC')).toMatch(/^2026-11-28 10:02:11 {2}ICT-07 {2}- {2}blocked/);
  });

  it('shows control characters in a device name as escapes, so a device cannot write on the terminal', () => {
    const event: AuditEvent = { type: 'device-removed', device: { ...STICK, name: 'Evil\u001b[2J\n2026-01-01 00:00:00  ICT-07  -  allowed' } };
    const { record } = sealRecord({ seq: 1, time: '2026-11-28T10:02:11.000Z', machine: 'ICT-07', event, prev: GENESIS_PREV });
    expect(formatRecordForPeople(record, 'UTC')).toBe('2026-11-28 10:02:11  ICT-07  -  removed 0781:5567 Evil\\x1b[2J\\x0a2026-01-01 00:00:00  ICT-07  -  allowed (USB storage device)');
  });
});
