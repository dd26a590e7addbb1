/** What an audit record says happened: the event bodies, their schema, and the device identity they may carry (nothing more). */

import { z } from 'zod';
import type { OtherBus, OtherDevice } from '../devices/other-devices/other-device';
import { distinctInterfaceTypes, type Device, type DeviceKind } from '../devices/device';

/** Every kind, listed once: the compiler insists on all of src/devices' kinds and no others. */
const KINDS: Record<DeviceKind, true> = {
  hub: true,
  storage: true,
  keyboard: true,
  mouse: true,
  input: true,
  'phone-or-camera': true,
  audio: true,
  video: true,
  printer: true,
  network: true,
  wireless: true,
  'smart-card': true,
  serial: true,
  'security-key': true,
  composite: true,
  other: true,
};

export const nonEmptyTextSchema = z.string().min(1, { error: 'expected a non-empty string' });
const count = z.int().min(0);
export const seqSchema = z.int().min(1);
export const sha256HexSchema = z.string().regex(/^[0-9a-f]{64}$/, { error: 'expected 64 lower-case hex digits (SHA-256)' });

const DEVICE_BUSES = ['usb', 'block', 'bluetooth', 'printer', 'network'] as const;
export type DeviceBus = (typeof DEVICE_BUSES)[number];

/**
 * Who the device says it is and where it is plugged in: never its contents, file names or
 * keystrokes. The values are what the device reports, so any string is recorded as it is (a
 * device must not be able to stop its own record); only the fields are fixed.
 */
export const deviceIdentitySchema = z.strictObject({
  /** `vvvv:pppp`, vendor and product id as the device source read them. */
  id: z.string(),
  serial: z.string(),
  name: z.string(),
  kind: z.enum(Object.keys(KINDS) as [DeviceKind, ...DeviceKind[]]),
  viaPort: z.string(),
  hash: z.string(),
  bus: z.enum(DEVICE_BUSES),
  /** Each interface type the device presents (`08:06:50`), so the console can tell a stick that is also a keyboard; absent for other buses. */
  interfaces: z.array(z.string().regex(/^[0-9a-f]{2}:[0-9a-f]{2}:[0-9a-f]{2}$/, 'expected an interface type like 08:06:50')).optional(),
});
export type DeviceIdentity = z.infer<typeof deviceIdentitySchema>;

const target = z.enum(['allow', 'block', 'reject']);
/** Sentences from other parts of Portcullis (reasons, errors): recorded whatever they say. */
const words = z.string();
/** What an idle warning or action does to the session. */
const idleAction = z.enum(['lock', 'logoff']);
/** Which part of Portcullis carried out an idle lock or logoff: the tray in the session, the service, or `portcullis` run by an administrator. */
const idleActor = z.enum(['tray', 'service', 'command']);

/** Every event type. */
export const auditEventSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('service-started'), version: nonEmptyTextSchema, mode: z.enum(['enforce', 'audit']), policy: words }),
  z.strictObject({ type: z.literal('service-stopped'), reason: words }),
  z.strictObject({ type: z.literal('policy-loaded'), source: nonEmptyTextSchema, version: z.int().min(1).optional(), ruleCount: count }),
  z.strictObject({ type: z.literal('policy-refused'), source: nonEmptyTextSchema, reason: words }),
  z.strictObject({ type: z.literal('device-arrived'), device: deviceIdentitySchema }),
  z.strictObject({
    type: z.literal('device-decided'),
    device: deviceIdentitySchema,
    target,
    implicit: z.boolean(),
    rule: words.optional(),
    origin: words.optional(),
    reason: words,
  }),
  /** What the enforcer did (`ok: true` and its detail) or why it could not (`ok: false` and the error). */
  z.discriminatedUnion('ok', [
    z.strictObject({ type: z.literal('device-enforced'), device: deviceIdentitySchema, enforcer: nonEmptyTextSchema, ok: z.literal(true), detail: words }),
    z.strictObject({ type: z.literal('device-enforced'), device: deviceIdentitySchema, enforcer: nonEmptyTextSchema, ok: z.literal(false), error: words }),
  ]),
  z.strictObject({ type: z.literal('device-removed'), device: deviceIdentitySchema }),
  z.strictObject({ type: z.literal('approval-requested'), requestId: nonEmptyTextSchema, device: deviceIdentitySchema, user: nonEmptyTextSchema, justification: words }),
  /** A one-time code from SLT let the device in while the PC was offline, until `expires`; or it was refused, and why. */
  z.strictObject({ type: z.literal('offline-code-accepted'), device: deviceIdentitySchema, user: nonEmptyTextSchema, expires: z.iso.datetime() }),
  z.strictObject({ type: z.literal('offline-code-refused'), device: deviceIdentitySchema, user: nonEmptyTextSchema, reason: words }),
  /** The agent found the end of its log cut off mid-record (a crash while writing) and removed the partial bytes. */
  z.strictObject({ type: z.literal('audit-repaired'), lostBytes: z.int().min(1), afterSeq: seqSchema.optional() }),
  /**
   * Whole rotated files were deleted, for retention or because rotation keeps only so many.
   * `lastSeq` and `lastHash` name the last deleted record, so a chain that starts just after
   * it can be accepted; they are absent only if the deleted files could not be read.
   */
  z.strictObject({
    type: z.literal('audit-pruned'),
    reason: z.enum(['retention', 'rotation']),
    files: z.int().min(1),
    firstSeq: seqSchema.optional(),
    lastSeq: seqSchema.optional(),
    lastHash: sha256HexSchema.optional(),
    lastTime: z.iso.datetime().optional(),
  }),
  /*
   * Idle locking. Who, where and when are the record's `user`, `machine` and `time`; the bodies
   * hold only what the policy needs (never keystrokes or window titles). `session` is the
   * login session the action concerns.
   */
  z.strictObject({ type: z.literal('idle-warning'), action: idleAction, session: nonEmptyTextSchema, deadline: z.iso.datetime() }),
  z.strictObject({ type: z.literal('idle-warning-dismissed'), action: idleAction, session: nonEmptyTextSchema, by: z.enum(['input', 'still-here']) }),
  /** `idleMs`: how long the session stood idle and unlocked before the lock. */
  z.strictObject({ type: z.literal('idle-locked'), session: nonEmptyTextSchema, idleMs: count, by: idleActor }),
  z.strictObject({ type: z.literal('idle-logged-off'), session: nonEmptyTextSchema, lockedForMs: count, by: idleActor }),
  z.strictObject({ type: z.literal('idle-action-failed'), action: idleAction, session: nonEmptyTextSchema, error: words }),
  z.strictObject({ type: z.literal('presenting-started'), session: nonEmptyTextSchema, until: z.iso.datetime() }),
  z.strictObject({ type: z.literal('presenting-ended'), session: nonEmptyTextSchema, reason: z.enum(['user', 'limit']) }),
  z.strictObject({ type: z.literal('presenting-refused'), session: nonEmptyTextSchema, reason: words }),
  z.strictObject({ type: z.literal('idle-exemption-applied'), session: nonEmptyTextSchema, reason: words }),
]);
export type AuditEvent = z.infer<typeof auditEventSchema>;

/** The part of a Device the audit log keeps. A non-USB source names its bus. */
export function deviceIdentity(device: Device, bus: DeviceBus = 'usb'): DeviceIdentity {
  return {
    id: `${device.id.vendor}:${device.id.product}`,
    serial: device.serial,
    name: device.name,
    kind: device.kind,
    viaPort: device.viaPort,
    hash: device.hash,
    bus,
    ...(device.interfaces.length === 0 ? {} : { interfaces: distinctInterfaceTypes(device.interfaces) }),
  };
}

/** The kind people would call a non-USB device, for the audit log. */
const OTHER_BUS_KINDS: Record<OtherBus, DeviceKind> = { block: 'storage', bluetooth: 'wireless', printer: 'printer', network: 'network' };

/** The part of a non-USB device (SD card, Bluetooth device, printer, network interface) the audit log keeps: its key stands in for the id. */
export function otherDeviceIdentity(device: OtherDevice): DeviceIdentity {
  return { id: device.key, serial: device.details.serial ?? '', name: device.name, kind: OTHER_BUS_KINDS[device.bus], viaPort: device.details.device ?? device.key, hash: '', bus: device.bus };
}
