import { compileDeviceMatch, type MatchableDevice } from './device-match';
import type { Rule } from './rule';

const composite: MatchableDevice = {
  id: { vendor: '0781', product: '5581' },
  serial: '4C530001',
  name: 'Ultra',
  hash: 'H',
  parentHash: 'P',
  viaPort: '2-1',
  interfaces: [
    { classCode: 0x08, subclass: 0x06, protocol: 0x50 },
    { classCode: 0x03, subclass: 0x01, protocol: 0x01 },
  ],
  connectType: 'hotplug',
};

const applies = (rule: Omit<Rule, 'target'>): boolean => compileDeviceMatch({ target: 'allow', ...rule })(composite);

describe('compileDeviceMatch', () => {
  it('applies a rule without attributes to every device', () => {
    expect(applies({})).toBe(true);
  });

  it('matches ids as text with * wildcards, as USBGuard does', () => {
    expect(applies({ id: { operator: undefined, values: [{ vendor: '0781', product: '*' }] } })).toBe(true);
    expect(applies({ id: { operator: undefined, values: [{ vendor: '*', product: '*' }] } })).toBe(true);
    expect(applies({ id: { operator: undefined, values: [{ vendor: '0781', product: '5580' }] } })).toBe(false);
    expect(applies({ id: { operator: undefined, values: [{ vendor: '0781', product: '5581' }] } })).toBe(true);
  });

  it('requires every named attribute to apply', () => {
    expect(applies({ serial: { operator: undefined, values: ['4C530001'] }, viaPort: { operator: undefined, values: ['2-1'] } })).toBe(true);
    expect(applies({ serial: { operator: undefined, values: ['4C530001'] }, viaPort: { operator: undefined, values: ['2-2'] } })).toBe(false);
    expect(applies({ withConnectType: { operator: undefined, values: ['hardwired'] } })).toBe(false);
  });

  it('never matches on label', () => {
    expect(applies({ label: { operator: undefined, values: ['anything'] } })).toBe(true);
  });

  it('compares a single with-interface value against the whole interface set', () => {
    // equals: a storage-only rule does not apply to a stick that is also a keyboard.
    expect(applies({ withInterface: { operator: undefined, values: [{ classCode: '08', subclass: '*', protocol: '*' }] } })).toBe(false);
    expect(applies({ withInterface: { operator: 'one-of', values: [{ classCode: '03', subclass: '01', protocol: '01' }] } })).toBe(true);
    expect(applies({ withInterface: { operator: 'all-of', values: [{ classCode: '08', subclass: '06', protocol: '*' }, { classCode: '03', subclass: '*', protocol: '*' }] } })).toBe(true);
    expect(applies({ withInterface: { operator: 'match-all', values: [{ classCode: '08', subclass: '*', protocol: '*' }] } })).toBe(false);
  });
});
