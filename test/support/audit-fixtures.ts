/** Audit logs for tests: a fake clock, a temporary directory, one event of each kind, and whole logs written through AuditLog. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deviceIdentity, type AuditEvent } from '../../src/audit/audit-event';
import { AuditLog, type AuditLogOptions } from '../../src/audit/audit-log';
import type { AuditRecord } from '../../src/audit/audit-record';
import { sampleDevice } from './sample-device';

/** A clock that moves only when told. */
export function fakeClock(start = '2026-11-28T10:02:11.000Z'): { clock: () => Date; advance(ms: number): void; set(iso: string): void } {
  let now = Date.parse(start);
  return {
    clock: () => new Date(now),
    advance: (ms) => void (now += ms),
    set: (iso) => void (now = Date.parse(iso)),
  };
}

/** A fresh temporary directory per test: `const dir = useTempDir('audit-log-')`, then `dir.path`. */
export function useTempDir(prefix: string): { path: string } {
  const dir = { path: '' };
  beforeEach(async () => {
    dir.path = await mkdtemp(join(tmpdir(), prefix));
  });
  afterEach(async () => {
    await rm(dir.path, { recursive: true, force: true });
  });
  return dir;
}

export const STICK = deviceIdentity(sampleDevice());

/** One event of each type the agent writes, in the order a session might produce them. */
export const SAMPLE_EVENTS: readonly AuditEvent[] = [
  { type: 'service-started', version: '0.1.0', mode: 'enforce', policy: '/etc/portcullis/policy.json (policy v12, signed by k1)' },
  { type: 'policy-loaded', source: '/etc/portcullis/policy.json', version: 12, ruleCount: 40 },
  { type: 'device-arrived', device: STICK },
  { type: 'device-decided', device: STICK, target: 'block', implicit: true, reason: 'blocked: no rule allows a USB storage device from SanDisk' },
  { type: 'device-enforced', device: STICK, enforcer: 'linux-sysfs', ok: true, detail: 'authorized=0 written to 1-2/authorized' },
  { type: 'approval-requested', requestId: 'REQ-42', device: STICK, user: 'jsmith', justification: 'Year 11 coursework' },
  { type: 'policy-refused', source: '/etc/portcullis/policy.json', reason: 'version 11 is below the minimum version 12' },
  { type: 'device-removed', device: STICK },
  { type: 'service-stopped', reason: 'system shutdown' },
];

export const MACHINE = 'ICT-07';

/** Writes `count` records (the sample events, round and round) through an AuditLog, a minute apart; returns them. */
export async function writeLog(path: string, count: number, options: Partial<AuditLogOptions> = {}): Promise<AuditRecord[]> {
  const time = fakeClock();
  const log = await AuditLog.open(path, { machine: MACHINE, clock: time.clock, ...options });
  const records: AuditRecord[] = [];
  for (let i = 0; i < count; i++) {
    records.push(await log.append(SAMPLE_EVENTS[i % SAMPLE_EVENTS.length] as AuditEvent, i % 2 === 0 ? 'jsmith' : undefined));
    time.advance(60_000);
  }
  await log.close();
  return records;
}

/** One idle-locking event of each type, as the idle producer writes them. */
export const IDLE_EVENTS: readonly AuditEvent[] = [
  { type: 'idle-warning', action: 'lock', session: '3', deadline: '2026-11-28T10:07:11.000Z' },
  { type: 'idle-warning-dismissed', action: 'lock', session: '3', by: 'input' },
  { type: 'idle-locked', session: '3', idleMs: 302_000, by: 'tray' },
  { type: 'idle-logged-off', session: '3', lockedForMs: 1_800_000, by: 'service' },
  { type: 'idle-action-failed', action: 'logoff', session: '3', error: 'loginctl terminate-session 3: exit status 1' },
  { type: 'presenting-started', session: '3', until: '2026-11-28T11:00:00.000Z' },
  { type: 'presenting-ended', session: '3', reason: 'limit' },
  { type: 'presenting-refused', session: '3', reason: 'the policy allows presenting mode only in classrooms' },
  { type: 'idle-exemption-applied', session: '3', reason: 'exempt group EXAM-INVIGILATORS' },
];

/** An event at a given time, on a given machine (MACHINE when absent), as a given user. */
export interface TimedEvent {
  time: string;
  event: AuditEvent;
  machine?: string;
  user?: string;
}

/** Writes each event through an AuditLog at its own time, reopening the log when the machine changes (one chain throughout); returns the records. */
export async function writeEvents(path: string, entries: readonly TimedEvent[], options: Partial<AuditLogOptions> = {}): Promise<AuditRecord[]> {
  let now = new Date(0);
  let log: AuditLog | undefined;
  let machine: string | undefined;
  const records: AuditRecord[] = [];
  for (const entry of entries) {
    const wanted = entry.machine ?? MACHINE;
    if (log === undefined || wanted !== machine) {
      await log?.close();
      log = await AuditLog.open(path, { ...options, machine: wanted, clock: () => now });
      machine = wanted;
    }
    now = new Date(entry.time);
    records.push(await log.append(entry.event, entry.user));
  }
  await log?.close();
  return records;
}
