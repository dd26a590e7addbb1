import { parseRule } from '../../rules/parser';
import { compileDeviceMatch } from '../../rules/device-match';
import { approvalRuleEntry, parseApprovalDecision, type ApprovalDecisionInput } from './approval-scope';
import { badUsbClone, cruzerBlade, ironKey, noSerialStick, otherCruzerBlade, sampleRequest, termDates2026To27, yubiKey } from '../../../test/fixtures/approvals/sample-requests';
import { sampleDevice } from '../../../test/support/sample-device';

const terms = termDates2026To27();
const now = new Date('2026-11-02T10:00:00Z');
const headOfYear = { name: 'A. Head', role: 'Deputy Head' };
const simple: ApprovalDecisionInput = { deviceScope: { by: 'serial' }, machineScope: { machines: 'this' }, userScope: 'requester' };

function entryFor(decision: ApprovalDecisionInput, request = sampleRequest(cruzerBlade), at = now) {
  const result = approvalRuleEntry(request, decision, headOfYear, at, terms);
  if (!result.ok) throw new Error(result.error);
  return result.value;
}

function refusal(decision: ApprovalDecisionInput, request = sampleRequest(cruzerBlade), at = now): string {
  const result = approvalRuleEntry(request, decision, headOfYear, at, terms);
  if (result.ok) throw new Error(`expected a refusal, got ${JSON.stringify(result.value)}`);
  return result.error;
}

describe('approvalRuleEntry', () => {
  it('approves this one stick on this machine for its requester until the end of term, in plain words', () => {
    expect(entryFor(simple)).toEqual({
      id: 'approval-REQ-42-20261102T100000Z',
      rule: 'allow id 0781:5567 serial "4C530001230317116462" with-interface 08:06:50',
      scope: { machines: ['ICT-SUITE-07'], users: ['jsmith'] },
      expires: '2026-12-18',
      approvedBy: 'A. Head (Deputy Head)',
      reason:
        'Allows this USB storage device only (SanDisk Cruzer Blade, 0781:5567, serial "4C530001230317116462") on ICT-SUITE-07, for jsmith, until 2026-12-18 (end of Autumn term 2026); asked for by jsmith on ICT-SUITE-07 (request REQ-42)',
      requestId: 'REQ-42',
    });
  });

  it('takes a rule id from the caller', () => {
    expect(approvalRuleEntry(sampleRequest(cruzerBlade), simple, headOfYear, now, terms, { ruleId: 'A-7' })).toMatchObject({ ok: true, value: { id: 'A-7' } });
  });

  it('refuses to approve a serial-less device by serial, saying how it can be approved', () => {
    expect(refusal(simple, sampleRequest(yubiKey))).toBe(
      'decision.deviceScope: Yubico YubiKey OTP+FIDO+CCID (1050:0407) reports no serial number, so it cannot be approved as this one device: approve it by model (every device of this model) or by hash (this exact device description)',
    );
    expect(entryFor({ ...simple, deviceScope: { by: 'model' } }, sampleRequest(noSerialStick)).rule).toBe('allow id 058f:6387 with-interface 08:06:50');
    expect(entryFor({ ...simple, deviceScope: { by: 'hash' } }, sampleRequest(yubiKey)).rule).toBe('allow hash "Q2nV7xK1pT9sR4mZ6cB0wL3hD8fG5jY2aE1uN7iO4rs="');
  });

  it('approves a model with its interface set, so a stick that also presents a keyboard is not a plain stick', () => {
    const stickModel = parseRule(entryFor({ ...simple, deviceScope: { by: 'model' } }).rule);
    const matches = compileDeviceMatch(stickModel);
    expect(matches(otherCruzerBlade)).toBe(true);
    expect(matches(badUsbClone)).toBe(false);
    const badModel = entryFor({ ...simple, deviceScope: { by: 'model' } }, sampleRequest(badUsbClone));
    expect(badModel.rule).toBe('allow id 0781:5567 with-interface { 08:06:50 03:01:01 }');
    expect(compileDeviceMatch(parseRule(badModel.rule))(cruzerBlade)).toBe(false);
    expect(badModel.reason).toContain('approved despite the warning: this USB storage device also presents itself as a keyboard');
  });

  it('holds a serial approval to the interface set too: a clone with the same serial and a keyboard is not let in', () => {
    const rule = parseRule(entryFor(simple).rule);
    expect(compileDeviceMatch(rule)(cruzerBlade)).toBe(true);
    expect(compileDeviceMatch(rule)(badUsbClone)).toBe(false);
    expect(compileDeviceMatch(rule)(otherCruzerBlade)).toBe(false);
  });

  it('scopes to groups, or to every machine and anyone', () => {
    expect(entryFor({ ...simple, machineScope: { groups: ['Science', 'Science'] }, userScope: 'anyone' }).scope).toEqual({ groups: ['Science'] });
    const everywhere = entryFor({ ...simple, machineScope: 'every', userScope: 'anyone' });
    expect(everywhere.scope).toBeUndefined();
    expect(everywhere.reason).toContain('on every machine, for anyone, until');
  });

  it('refuses to name one machine by a name that would be a pattern', () => {
    expect(refusal(simple, sampleRequest(cruzerBlade, { machine: 'ICT-*' }))).toBe(
      'decision.machineScope: the request\'s machine name "ICT-*" cannot name one machine: approve for groups or every machine',
    );
  });

  it('uses an explicit expiry, and refuses one already past', () => {
    const entry = entryFor({ ...simple, expires: '2027-01-31' });
    expect(entry.expires).toBe('2027-01-31');
    expect(entry.reason).toContain('until 2027-01-31;');
    expect(refusal({ ...simple, expires: '2026-11-01' })).toBe('decision.expires: 2026-11-01 has already passed');
  });

  it('defaults between terms to the end of the next term, and asks for a date after the last known term', () => {
    expect(entryFor(simple, sampleRequest(cruzerBlade), new Date('2027-04-01T10:00:00Z')).expires).toBe('2027-07-21');
    expect(refusal(simple, sampleRequest(cruzerBlade), new Date('2027-08-01T10:00:00Z'))).toBe(
      'decision.expires: no term dates known after 2027-08-01, so there is no end of term to default to: give an expiry date',
    );
    expect(entryFor({ ...simple, expires: '2027-09-30' }, sampleRequest(cruzerBlade), new Date('2027-08-01T10:00:00Z')).expires).toBe('2027-09-30');
  });

  it('records a virus check as the approver affirmed it, with the date', () => {
    expect(entryFor({ ...simple, conditions: { virusChecked: true } }).reason).toContain('; virus-checked by A. Head on 2026-11-02');
  });

  it('allows an encrypted-only approval only for a model on the list, and pins the name it claims', () => {
    const entry = entryFor({ ...simple, deviceScope: { by: 'model' }, conditions: { encryptedOnly: true } }, sampleRequest(ironKey));
    expect(entry.rule).toBe('allow id 0951:1710 name "IronKey Keypad 200" with-interface 08:06:50');
    expect(entry.reason).toContain('encrypted models only: it reports itself as a Kingston IronKey');
    expect(refusal({ ...simple, conditions: { encryptedOnly: true } })).toBe(
      'decision.conditions.encryptedOnly: SanDisk Cruzer Blade (0781:5567) does not report itself as a hardware-encrypted model; those recognised are Kingston IronKey, Kingston DataTraveler Vault Privacy, Apricorn Aegis Secure Key, iStorage datAshur',
    );
  });

  it('escapes what the device reports through the rule printer', () => {
    const odd = sampleDevice({ serial: 'AB"C\\D\u00e9', name: 'Stick "Pro"' });
    const entry = entryFor(simple, sampleRequest(odd));
    expect(entry.rule).toBe('allow id 0781:5567 serial "AB\\"C\\\\D\\xc3\\xa9" with-interface 08:06:50');
    expect(parseRule(entry.rule).serial?.values).toEqual(['AB"C\\D\u00e9']);
  });

  it('refuses a device whose id could not be written in a rule', () => {
    expect(refusal(simple, sampleRequest(sampleDevice({ id: { vendor: '0781 allow', product: '5567' } })))).toMatch(/^decision\.deviceScope: the device's vendor:product id "0781 allow:5567" is not two groups of four hex digits/);
  });

  it('refuses the requester scope when the request names no user', () => {
    expect(refusal(simple, sampleRequest(cruzerBlade, { user: '' }))).toMatch(/^decision\.userScope: the request names no user/);
  });

  it('names the field of a malformed decision', () => {
    expect(refusal({ ...simple, machineScope: { groups: [] } })).toBe('decision.machineScope.groups: expected at least one group name');
    expect(refusal({ ...simple, machineScope: 'all' } as unknown as ApprovalDecisionInput)).toBe('decision.machineScope: expected { "machines": "this" }, { "groups": [...] } or "every"');
    expect(refusal({ ...simple, deviceScope: { by: 'colour' } } as unknown as ApprovalDecisionInput)).toBe(
      'decision.deviceScope.by: expected { "by": "serial" }, { "by": "model" } or { "by": "hash" }',
    );
    expect(refusal({ ...simple, expires: '18/12/2026' })).toBe('decision.expires: expected an ISO 8601 date (2026-12-18)');
  });
});

describe('parseApprovalDecision', () => {
  it('fills in the conditions', () => {
    expect(parseApprovalDecision(simple)).toEqual({ ok: true, value: { ...simple, conditions: { virusChecked: false, encryptedOnly: false } } });
  });

  it('names a missing field and an unknown one', () => {
    const parsed = parseApprovalDecision({ deviceScope: { by: 'serial' }, machineScope: 'every', colour: 'red' });
    expect(!parsed.ok && parsed.error.split('\n')).toEqual(['decision.userScope: required, but missing', 'decision: unknown field "colour"']);
  });
});
