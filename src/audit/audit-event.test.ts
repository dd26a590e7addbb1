import { sampleDevice } from '../../test/support/sample-device';
import { SAMPLE_EVENTS, STICK } from '../../test/support/audit-fixtures';
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
    });
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
    expect(auditEventSchema.safeParse({ type: 'device-arrived', device: { ...STICK, interfaces: [] } }).success).toBe(false);
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
