import { parseRule } from '../rules/parser';
import { installAllowlistFromRules } from './win32-install-allowlist';

const compile = (...texts: string[]) => installAllowlistFromRules(texts.map((text) => ({ rule: parseRule(text), text })));

describe('installAllowlistFromRules', () => {
  test('an allowed id is an approved model; with a serial it is one approved device', () => {
    expect(compile('allow id 0781:5567', 'allow id 0951:1666 serial "E0D55E000000000000000001"')).toEqual({
      allowlist: { models: [{ vendor: '0781', product: '5567' }], devices: [{ vendor: '0951', product: '1666', serial: 'E0D55E000000000000000001' }] },
      notes: [],
    });
  });

  test('one-of sets of ids and serials give one entry each', () => {
    const { allowlist } = compile('allow id one-of { 046d:c52b 046d:c534 }', 'allow id 0781:5567 serial one-of { "A1" "B2" }');
    expect(allowlist.models).toEqual([
      { vendor: '046d', product: 'c52b' },
      { vendor: '046d', product: 'c534' },
    ]);
    expect(allowlist.devices.map((d) => d.serial)).toEqual(['A1', 'B2']);
  });

  test('block and reject rules are not part of an allowlist', () => {
    expect(compile('block id 0781:5567', 'reject id 0951:1666')).toEqual({ allowlist: { models: [], devices: [] }, notes: [] });
  });

  test('rules install policy cannot express are left out, with the reason', () => {
    const { allowlist, notes } = compile(
      'allow with-interface equals { 03:01:01 }',
      'allow id 0781:*',
      'allow id 0781:5567 if localtime(08:00-16:00)',
      'allow id 0781:5567 serial all-of { "A1" }',
    );
    expect(allowlist).toEqual({ models: [], devices: [] });
    expect(notes).toEqual([
      'not in the install policy, which needs one or more exact ids: allow with-interface equals { 03:01:01 }',
      'not in the install policy, which cannot express wildcard ids: allow id 0781:*',
      'not in the install policy, which cannot check conditions: allow id 0781:5567 if localtime(08:00-16:00)',
      'not in the install policy, which needs exact serial numbers: allow id 0781:5567 serial all-of { "A1" }',
    ]);
  });

  test('a rule with attributes install policy cannot check is widened to its id, and says so', () => {
    const { allowlist, notes } = compile('allow id 0781:5567 name "Cruzer Blade" with-interface equals { 08:06:50 }');
    expect(allowlist.models).toEqual([{ vendor: '0781', product: '5567' }]);
    expect(notes).toEqual(['in the install policy by id only, without name, with-interface: allow id 0781:5567 name "Cruzer Blade" with-interface equals { 08:06:50 }']);
  });
});
