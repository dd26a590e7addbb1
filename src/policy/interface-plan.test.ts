import type { Device, InterfaceType } from '../devices/device';
import { classifyDevice } from '../devices/device-kind';
import { parseRule } from '../rules/parser';
import { sampleDevice } from '../../test/support/sample-device';
import { lockoutSafeDecision, lockoutSafeTarget, planEnforcement } from './interface-plan';

const STORAGE = { classCode: 0x08, subclass: 0x06, protocol: 0x50 };
const KEYBOARD = { classCode: 0x03, subclass: 0x01, protocol: 0x01 };
const MOUSE = { classCode: 0x03, subclass: 0x01, protocol: 0x02 };
const GENERIC_HID = { classCode: 0x03, subclass: 0x00, protocol: 0x00 };
const HUB = { classCode: 0x09, subclass: 0x00, protocol: 0x00 };
const AUDIO = { classCode: 0x01, subclass: 0x01, protocol: 0x00 };

/** A device with these interfaces and the kind Portcullis would give it. */
function device(interfaces: InterfaceType[], overrides: Partial<Device> = {}): Device {
  const name = overrides.name ?? 'Gadget';
  return sampleDevice({ interfaces, name, ...classifyDevice({ interfaces, name, vendor: '1234' }), ...overrides });
}

describe('planEnforcement', () => {
  it('blocks nothing for a device that is only storage', () => {
    expect(planEnforcement(device([STORAGE]), { target: 'allow' })).toEqual({ target: 'allow', blockedInterfaces: [] });
  });

  it('blocks the keyboard of a USB stick that also presents one', () => {
    const stick = device([STORAGE, KEYBOARD]);
    expect(stick.kind).toBe('storage');
    expect(planEnforcement(stick, { target: 'allow' }).blockedInterfaces).toEqual([KEYBOARD]);
  });

  it('blocks every HID interface of a non-input device, the generic 03:00:00 that also types included, once each', () => {
    const headset = device([AUDIO, GENERIC_HID, MOUSE, GENERIC_HID]);
    expect(planEnforcement(headset, { target: 'allow' }).blockedInterfaces).toEqual([GENERIC_HID, MOUSE]);
  });

  it('blocks the keyboard of a hub that presents one', () => {
    expect(planEnforcement(device([HUB, KEYBOARD]), { target: 'allow' }).blockedInterfaces).toEqual([KEYBOARD]);
  });

  it.each([
    ['a keyboard', device([KEYBOARD, GENERIC_HID])],
    ['a wireless keyboard and mouse receiver', device([KEYBOARD, MOUSE, GENERIC_HID])],
    ['a security key that types one-time passwords', device([KEYBOARD, GENERIC_HID, { classCode: 0x0b, subclass: 0, protocol: 0 }], { name: 'YubiKey OTP+FIDO+CCID' })],
  ])('leaves %s whole: typing is what it is for', (_name, input) => {
    expect(planEnforcement(input, { target: 'allow' }).blockedInterfaces).toEqual([]);
  });

  it('keeps a HID interface the deciding rule names, parsed or as canonical text, and only that one', () => {
    const stick = device([STORAGE, KEYBOARD, MOUSE]);
    const text = 'allow id 0781:5567 with-interface { 08:06:50 03:01:01 03:01:02 }';
    expect(planEnforcement(stick, { target: 'allow', rule: parseRule(text) }).blockedInterfaces).toEqual([]);
    expect(planEnforcement(stick, { target: 'allow', rule: text }).blockedInterfaces).toEqual([]);
    expect(planEnforcement(stick, { target: 'allow', rule: 'allow with-interface all-of { 08:*:* 03:01:* }' }).blockedInterfaces).toEqual([]);
    expect(planEnforcement(stick, { target: 'allow', rule: 'allow with-interface one-of { 08:06:50 03:01:01 }' }).blockedInterfaces).toEqual([MOUSE]);
  });

  it('approves nothing through a rule that names HID only to exclude it, or names no interface', () => {
    const stick = device([STORAGE, KEYBOARD]);
    expect(planEnforcement(stick, { target: 'allow', rule: 'allow with-interface none-of { 03:*:* }' }).blockedInterfaces).toEqual([KEYBOARD]);
    expect(planEnforcement(stick, { target: 'allow', rule: 'allow id 0781:5567' }).blockedInterfaces).toEqual([KEYBOARD]);
  });

  it.each(['block', 'reject'] as const)('plans no interfaces for %s: the whole device goes', (target) => {
    expect(planEnforcement(device([STORAGE, KEYBOARD]), { target })).toEqual({ target, blockedInterfaces: [] });
  });
});

describe('lockoutSafeTarget', () => {
  const keyboard = device([KEYBOARD, GENERIC_HID], { authorized: true });
  const atStart = { atStart: true };

  it('at start, keeps a working keyboard the policy would block, and says why', () => {
    expect(lockoutSafeTarget(keyboard, { target: 'block' }, atStart)).toEqual({
      target: 'allow',
      kept: 'kept: present at start, so nobody is locked out (the policy would block this input device)',
    });
  });

  it('at start, keeps a working hub the policy would reject', () => {
    expect(lockoutSafeTarget(device([HUB], { authorized: true }), { target: 'reject' }, atStart)).toEqual({
      target: 'allow',
      kept: 'kept: present at start, so nobody is locked out (the policy would reject this hub)',
    });
  });

  it.each([
    ['a device that arrives later', keyboard, { atStart: false }],
    ['storage present at start', device([STORAGE], { authorized: true }), atStart],
    ['a stick that also presents a keyboard', device([STORAGE, KEYBOARD], { authorized: true }), atStart],
    ['a security key', device([GENERIC_HID], { authorized: true, name: 'Security Key by Yubico' }), atStart],
    ['a keyboard the kernel held back while the agent was not running', device([KEYBOARD], { authorized: false }), atStart],
  ])('gives the policy to %s', (_name, subject, options) => {
    expect(lockoutSafeTarget(subject, { target: 'block' }, options)).toEqual({ target: 'block' });
  });

  it('lockoutSafeDecision replaces only the target of a kept decision', () => {
    const decision = { target: 'block' as const, implicit: true, reason: 'blocked: no rule allows a keyboard from SanDisk' };
    expect(lockoutSafeDecision(keyboard, decision, atStart)).toEqual({ decision: { ...decision, target: 'allow' }, keptAtStart: expect.stringMatching(/^kept: /) });
    expect(lockoutSafeDecision(keyboard, decision, { atStart: false })).toEqual({ decision });
  });
});
