/** A policy reload re-applies devices whose enforcement changes first, and tells which do. */
import { sampleDevice } from '../../test/support/sample-device';
import { changedFirst, enforcementChanges } from './reload-order';

const stick = sampleDevice();
const keyboardStick = sampleDevice({ interfaces: [{ classCode: 0x08, subclass: 0x06, protocol: 0x50 }, { classCode: 0x03, subclass: 0x01, protocol: 0x01 }] });

describe('enforcementChanges', () => {
  it('is true when the target changes (an approval, a revocation)', () => {
    expect(enforcementChanges(stick, { target: 'block' }, { target: 'allow', rule: 'allow id 0781:5567' })).toBe(true);
    expect(enforcementChanges(stick, { target: 'allow', rule: 'allow id 0781:5567' }, { target: 'block' })).toBe(true);
  });

  it('is false when the device would be enforced as before, whichever rule decides', () => {
    expect(enforcementChanges(stick, { target: 'block' }, { target: 'block' })).toBe(false);
    expect(enforcementChanges(stick, { target: 'allow', rule: 'allow id 0781:5567' }, { target: 'allow', rule: 'allow id 0781:*' })).toBe(false);
  });

  it('is true when the interfaces kept from their drivers change', () => {
    const storageOnly = { target: 'allow' as const, rule: 'allow id 0781:5567' };
    const withKeyboard = { target: 'allow' as const, rule: 'allow id 0781:5567 with-interface { 08:06:50 03:01:01 }' };
    expect(enforcementChanges(keyboardStick, storageOnly, withKeyboard)).toBe(true);
    expect(enforcementChanges(keyboardStick, storageOnly, storageOnly)).toBe(false);
  });
});

describe('changedFirst', () => {
  it('puts the changed items first, keeping the order within each part', () => {
    expect(changedFirst(['hub', 'mouse', 'stick', 'camera', 'card'], (name) => name === 'stick' || name === 'card')).toEqual(['stick', 'card', 'hub', 'mouse', 'camera']);
    expect(changedFirst([], () => true)).toEqual([]);
  });
});
