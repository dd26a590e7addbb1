import { sampleDevice } from '../../test/support/sample-device';
import { IDLE_EVENTS, SAMPLE_EVENTS, STICK } from '../../test/support/audit-fixtures';
import { auditEventSchema, deviceIdentity } from './audit-event';

describe('deviceIdentity', () => {
  it('keeps who the device says it is and where it is plugged in, and nothing more', () => {
    expect(deviceIdentity(sampleDevice())).toEqual({
      id: '0781:5567',
      serial: '4C530001230317116462',
      name: 'Cruzer Blade',
      kind: 'storage',
      viaPort: '1-2',
      hash: 'r0ZkgJlKKGlTiAuDh6uT1g5xVvM3mn4P3tbKVeX1J0g=',
      bus: 'usb',
      interfaces: ['08:06:50'],
    });
  });

  it('lists each interface type once, and none for a device that presents none', () => {
    const badUsb = sampleDevice({ interfaces: [{ classCode: 8, subclass: 6, protocol: 0x50 }, { classCode: 3, subclass: 1, protocol: 1 }, { classCode: 3, subclass: 1, protocol: 1 }] });
    expect(deviceIdentity(badUsb).interfaces).toEqual(['08:06:50', '03:01:01']);
    expect(deviceIdentity(sampleDevice({ interfaces: [] }))).not.toHaveProperty('interfaces');
  });

  it('names the bus of a device that did not come from USB', () => {
    expect(deviceIdentity(sampleDevice({ kind: 'storage' }), 'block').bus).toBe('block');
  });
});

describe('auditEventSchema', () => {
  it.each(SAMPLE_EVENTS.map((event) => [event.type, event]))('accepts a %s event', (_type, event) => {
    expect(auditEventSchema.parse(event)).toEqual(event);
  });

  it('accepts a failed enforcement with its error, and refuses one that mixes success and failure', () => {
    const failed = { type: 'device-enforced', device: STICK, enforcer: 'linux-sysfs', ok: false, error: 'EACCES writing 1-2/authorized' };
    expect(auditEventSchema.safeParse(failed).success).toBe(true);
    expect(auditEventSchema.safeParse({ ...failed, ok: true }).success).toBe(false);
  });

  it('refuses fields it does not know, so a whole Device (or a file name) never reaches the log', () => {
    expect(auditEventSchema.safeParse({ type: 'device-arrived', device: { ...STICK, descriptors: 'EgEAAgAAAEA=' } }).success).toBe(false);
    expect(auditEventSchema.safeParse({ type: 'device-arrived', device: { ...STICK, interfaces: [{ classCode: 8, subclass: 6, protocol: 0x50 }] } }).success).toBe(false);
    expect(auditEventSchema.safeParse({ type: 'device-arrived', device: { ...STICK, interfaces: ['8:6:50'] } }).success).toBe(false);
    expect(auditEventSchema.safeParse({ type: 'device-removed', device: STICK, files: ['coursework.docx'] }).success).toBe(false);
  });

  it('refuses an unknown event type', () => {
    expect(auditEventSchema.safeParse({ type: 'keystroke', key: 'a' }).success).toBe(false);
  });

  it('records whatever a device reports about itself, so no device can stop its own record', () => {
    const odd = { ...STICK, id: '12345:x', name: '', serial: '\u0000"}\n{"seq":1' };
    expect(auditEventSchema.safeParse({ type: 'device-arrived', device: odd }).success).toBe(true);
  });
});

describe('auditEventSchema: idle locking', () => {
  it.each(IDLE_EVENTS.map((event) => [event.type, event]))('accepts a %s event', (_type, event) => {
    expect(auditEventSchema.parse(event)).toEqual(event);
  });

  it('accepts every action, dismissal, actor and ending the producer may write', () => {
    for (const action of ['lock', 'logoff']) {
      expect(auditEventSchema.safeParse({ type: 'idle-warning', action, session: 'c2', deadline: '2026-11-28T10:07:11Z' }).success).toBe(true);
      expect(auditEventSchema.safeParse({ type: 'idle-action-failed', action, session: 'c2', error: '' }).success).toBe(true);
    }
    for (const by of ['input', 'still-here']) expect(auditEventSchema.safeParse({ type: 'idle-warning-dismissed', action: 'lock', session: '3', by }).success).toBe(true);
    for (const by of ['tray', 'service', 'command']) {
      expect(auditEventSchema.safeParse({ type: 'idle-locked', session: '3', idleMs: 0, by }).success).toBe(true);
      expect(auditEventSchema.safeParse({ type: 'idle-logged-off', session: '3', lockedForMs: 0, by }).success).toBe(true);
    }
    expect(auditEventSchema.safeParse({ type: 'presenting-ended', session: '3', reason: 'user' }).success).toBe(true);
  });

  it.each<[string, Record<string, unknown>]>([
    ['an unknown action', { type: 'idle-warning', action: 'shutdown', session: '3', deadline: '2026-11-28T10:07:11Z' }],
    ['a deadline that is not an ISO date-time', { type: 'idle-warning', action: 'lock', session: '3', deadline: 'in 60 seconds' }],
    ['an empty session', { type: 'idle-locked', session: '', idleMs: 1000, by: 'tray' }],
    ['a negative idle time', { type: 'idle-locked', session: '3', idleMs: -1, by: 'tray' }],
    ['a fractional idle time', { type: 'idle-locked', session: '3', idleMs: 1.5, by: 'tray' }],
    ['an unknown actor', { type: 'idle-logged-off', session: '3', lockedForMs: 1000, by: 'user' }],
    ['a missing lockedForMs', { type: 'idle-logged-off', session: '3', by: 'service' }],
    ['an unknown dismissal', { type: 'idle-warning-dismissed', action: 'lock', session: '3', by: 'mouse' }],
    ['an unknown ending', { type: 'presenting-ended', session: '3', reason: 'shutdown' }],
    ['a presenting end time that is not a date-time', { type: 'presenting-started', session: '3', until: '11:00' }],
    ['keystrokes', { type: 'idle-warning-dismissed', action: 'lock', session: '3', by: 'input', keys: 'password1' }],
    ['a window title', { type: 'idle-locked', session: '3', idleMs: 1000, by: 'tray', window: 'Report - Word' }],
    ['a refusal without its reason', { type: 'presenting-refused', session: '3' }],
    ['an exemption with extra detail', { type: 'idle-exemption-applied', session: '3', reason: 'exam', app: 'Exam.exe' }],
  ])('refuses %s', (_what, event) => {
    expect(auditEventSchema.safeParse(event).success).toBe(false);
  });
});
