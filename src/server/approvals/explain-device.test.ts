import { approvalRuleEntry, type ApprovalDecisionInput } from './approval-scope';
import { explainDevice, type Sighting } from './explain-device';
import type { ApprovalRecord } from './policy-builder';
import { badUsbClone, cruzerBlade, iPhone, ironKey, otherCruzerBlade, pixelTethering, sampleRequest, termDates2026To27, yubiKey } from '../../../test/fixtures/approvals/sample-requests';
import type { Device } from '../../devices/device';
import { sampleDevice } from '../../../test/support/sample-device';

const now = new Date('2026-11-02T10:00:00Z');
const bursar = { name: 'B. Bursar' };

function approved(id: string, device: Device, machine: string, decision: Partial<ApprovalDecisionInput>, extra: Partial<ApprovalRecord> = {}): ApprovalRecord {
  const full: ApprovalDecisionInput = { deviceScope: { by: 'serial' }, machineScope: { machines: 'this' }, userScope: 'anyone', ...decision };
  const entry = approvalRuleEntry(sampleRequest(device, { id: `REQ-${id}`, machine }), full, bursar, now, termDates2026To27(), { ruleId: `r-${id}` });
  if (!entry.ok) throw new Error(entry.error);
  return { id, requestId: `REQ-${id}`, entry: entry.value, createdAt: '2026-10-01T09:00:00Z', ...extra };
}

describe('explainDevice', () => {
  it('explains a SanDisk Cruzer Blade in plain words, with where it was seen', () => {
    const sightings: Sighting[] = [
      { machine: 'ICT-SUITE-03', at: '2026-10-01T08:00:00Z', user: 'jsmith' },
      { machine: 'LIB-02', at: '2026-10-20T14:00:00Z' },
      { machine: 'ict-suite-03', at: '2026-10-08T08:00:00Z', user: 'akhan' },
    ];
    expect(explainDevice(sampleRequest(cruzerBlade), { now, sightings })).toEqual({
      headline: 'jsmith asks to use a USB storage device (SanDisk Cruzer Blade) on ICT-SUITE-07',
      facts: [
        'Maker: SanDisk (vendor id 0781)',
        'Model: Cruzer Blade (vendor:product 0781:5567)',
        'Serial number: 4C530001230317116462',
        'Presents itself as: USB storage (08:06:50)',
        'Asked for by jsmith on ICT-SUITE-07 on 2026-11-02, for 30 days',
      ],
      warnings: [],
      seenBefore: ['Seen on LIB-02 on 2026-10-20', 'Seen on ICT-SUITE-03 2 times, from 2026-10-01 to 2026-10-08 (by akhan and jsmith)'],
      similar: [],
    });
  });

  it('warns about a "BadUSB" stick that also presents a keyboard, and that it is not the model approved elsewhere', () => {
    const stickModel = approved('a1', cruzerBlade, 'LIB-01', { deviceScope: { by: 'model' }, machineScope: { groups: ['Library'] } });
    const stickSerial = approved('a2', cruzerBlade, 'ICT-SUITE-01', {});
    const explanation = explainDevice(sampleRequest(badUsbClone), { now, approvals: [stickModel, stickSerial] });
    expect(explanation.facts).toContain('Presents itself as: USB storage (08:06:50) and keyboard (03:01:01)');
    expect(explanation.warnings).toEqual(['this USB storage device also presents itself as a keyboard']);
    expect(explanation.similar).toEqual([
      'A device with the same id and serial number but different interfaces is approved on ICT-SUITE-01, for anyone, until 2026-12-18 (rule r-a2, approved by B. Bursar): this one may not be the device that was approved',
      'Its model is approved on machines or for users in group Library, for anyone, until 2026-12-18 (rule r-a1, approved by B. Bursar), but with interfaces 08:06:50 only (this one also presents 03:01:01): this device is not the model that was approved',
    ]);
  });

  it('explains an iPhone: photo transfer, Apple sync, and tethering that would bypass the web filter', () => {
    const explanation = explainDevice(sampleRequest(iPhone, { justification: 'Photos of the Year 9 trip for the newsletter', durationDays: 1 }), { now });
    expect(explanation.headline).toBe('jsmith asks to use a phone or camera (Apple Inc. iPhone) on ICT-SUITE-07');
    expect(explanation.facts).toContain('Presents itself as: photo and file transfer (PTP/MTP) (06:01:01), Apple sync and backup (usbmux) (ff:fe:02) and Apple USB tethering (ff:fd:01)');
    expect(explanation.facts).toContain('Asked for by jsmith on ICT-SUITE-07 on 2026-11-02, for 1 day');
    expect(explanation.warnings).toEqual([
      "this phone or camera can also act as a network adapter (USB tethering), which would connect the PC to a network that bypasses the school's web filtering",
    ]);
  });

  it('warns about an Android phone offering USB tethering (RNDIS)', () => {
    expect(explainDevice(sampleRequest(pixelTethering), { now }).warnings).toEqual([expect.stringMatching(/^this phone or camera can also act as a network adapter/)]);
  });

  it('explains a FIDO2 security key: a keyboard interface is what it is for, and it has no serial number', () => {
    const explanation = explainDevice(sampleRequest(yubiKey), { now });
    expect(explanation.headline).toBe('jsmith asks to use a security key (Yubico YubiKey OTP+FIDO+CCID) on ICT-SUITE-07');
    expect(explanation.warnings).toEqual([]);
    expect(explanation.facts).toContain('No serial number: it can be approved only by model (every device like it) or by hash (this exact device description)');
    expect(explanation.facts).toContain('Presents itself as: keyboard (03:01:01), input device (HID) (03:00:00) and smart card (0b:00:00)');
  });

  it('says when a device claims to be a hardware-encrypted model', () => {
    expect(explainDevice(sampleRequest(ironKey), { now }).facts).toContain('Reports itself as a hardware-encrypted model (Kingston IronKey)');
  });

  it('lists the same device and its model approved elsewhere, leaving out revoked and expired approvals', () => {
    const approvals = [
      approved('a1', otherCruzerBlade, 'ICT-SUITE-01', {}),
      approved('a2', cruzerBlade, 'LIB-01', { deviceScope: { by: 'model' } }),
      approved('a3', cruzerBlade, 'HALL-01', { deviceScope: { by: 'hash' } }, { createdAt: '2026-09-01T09:00:00Z' }),
      approved('a4', cruzerBlade, 'ART-01', {}, { revokedAt: '2026-10-15T09:00:00Z' }),
      approved('a5', cruzerBlade, 'ART-02', {}, { entry: { ...approved('a5', cruzerBlade, 'ART-02', {}).entry, expires: '2026-10-31' } }),
    ];
    expect(explainDevice(sampleRequest(cruzerBlade), { now, approvals }).similar).toEqual([
      'This same device is approved on HALL-01, for anyone, until 2026-12-18 (rule r-a3, approved by B. Bursar)',
      'Its model is approved on LIB-01, for anyone, until 2026-12-18 (rule r-a2, approved by B. Bursar)',
      'Another SanDisk Cruzer Blade (serial "4C530001240317117531") is approved on ICT-SUITE-01, for anyone, until 2026-12-18 (rule r-a1, approved by B. Bursar)',
    ]);
  });

  it('counts the times a merged request was asked for, leaves the justifications to the page, and warns when the requester is only the program\'s word', () => {
    const explanation = explainDevice({ ...sampleRequest(cruzerBlade, { userVerified: false }), mergedCount: 2 }, { now });
    expect(explanation.facts.at(-1)).toBe('Asked for by jsmith on ICT-SUITE-07 on 2026-11-02, for 30 days (asked for 3 times in all)');
    expect(explanation.facts.filter((fact) => fact.includes('Year 11 coursework'))).toEqual([]);
    expect(explanation.warnings).toEqual(["the agent could not confirm that jsmith made this request: the name is the requesting program's word"]);
  });

  it('names an unnamed device by its vendor id, and warns about a placeholder serial number', () => {
    const explanation = explainDevice(sampleRequest(sampleDevice({ name: '', manufacturer: '', serial: '0000000000000001' })), { now });
    expect(explanation.headline).toBe('jsmith asks to use a USB storage device (unnamed device from vendor 0781) on ICT-SUITE-07');
    expect(explanation.facts.slice(0, 2)).toEqual(['Maker: not given (vendor id 0781)', 'Model: not given (vendor:product 0781:5567)']);
    expect(explanation.warnings).toEqual(['its serial number "0000000000000001" looks like a placeholder many devices share: approving it by serial may let in other devices']);
  });
});
