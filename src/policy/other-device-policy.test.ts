import { sampleDocument } from '../../test/support/policy-fixtures';
import type { OtherDevice } from '../devices/other-devices/other-device';
import { approvalMatches, decideOtherDevice, describeOtherDevice, type OtherDevicePolicy } from './other-device-policy';
import { parsePolicyDocument, type OtherDeviceApproval, type OtherDevicesPolicy } from './policy-document';
import type { MachineContext } from './rule-scope';

const card: OtherDevice = {
  bus: 'block',
  key: '0x9a3c2f41',
  name: 'EOS_DIGITAL',
  details: { device: '/dev/mmcblk0', size: '31.9 GB', transport: 'mmc', label: 'EOS_DIGITAL', media: 'SD card' },
  removable: true,
};
const ssd: OtherDevice = { bus: 'block', key: 'S4EWNX0R412345', name: 'Samsung SSD 980 500GB', details: { device: '/dev/nvme0n1', transport: 'nvme' }, removable: false };
const stick: OtherDevice = { bus: 'block', key: '4C530001230317116462', name: 'Cruzer Blade', details: { device: '/dev/sdb', transport: 'usb' }, removable: true };
const iphone: OtherDevice = { bus: 'bluetooth', key: 'F0:99:B6:1A:2B:3C', name: 'iPhone', details: { address: 'F0:99:B6:1A:2B:3C', type: 'Phone' }, removable: true };
const headset: OtherDevice = { bus: 'bluetooth', key: 'A4:C3:F0:11:22:33', name: 'AirPods Pro', vendor: 'Apple', details: { type: 'Headset' }, removable: true };
const printer: OtherDevice = { bus: 'printer', key: 'HP_LaserJet_Professional_P1102', name: 'HP LaserJet Professional P1102', vendor: 'HP', details: { connection: 'usb' } };
const tether: OtherDevice = { bus: 'network', key: '8a:3f:2b:1c:4d:5e', name: 'enx8a3f2b1c4d5e', details: { attachment: 'usb' }, removable: true };
const ethernet: OtherDevice = { bus: 'network', key: '02:fc:00:00:00:01', name: 'eth0', details: { attachment: 'built-in' }, removable: false };

const context: MachineContext = { machine: 'ICT-SUITE-07', user: 'jsmith', groups: [] };
const now = new Date('2026-05-01T09:00:00Z');

function approval(overrides: Partial<OtherDeviceApproval> = {}): OtherDeviceApproval {
  return { id: 'oa-1', match: { key: '0x9a3c2f41' }, target: 'allow', approvedBy: 'A. Head (Deputy Head)', reason: 'Art department camera card', ...overrides };
}

function policy(otherDevices: OtherDevicesPolicy): OtherDevicePolicy {
  return { version: 7, otherDevices };
}

describe('decideOtherDevice without a policy (built-in defaults)', () => {
  it.each<[string, string, OtherDevice, string]>([
    ['card', 'block', card, 'blocked: no approval allows an SD card "EOS_DIGITAL" (/dev/mmcblk0); removable disks need SLT approval (the built-in default)'],
    ['ssd', 'allow', ssd, 'allowed: a disk "Samsung SSD 980 500GB" (/dev/nvme0n1) is part of this PC (not removable)'],
    ['stick', 'allow', stick, 'allowed: a USB disk "Cruzer Blade" (/dev/sdb) is on USB, where the USB device policy decides'],
    ['iphone', 'block', iphone, 'blocked: no approval allows the Bluetooth phone "iPhone" (F0:99:B6:1A:2B:3C); Bluetooth devices need SLT approval (the built-in default)'],
    ['printer', 'allow', printer, 'allowed: no approval blocks the printer "HP LaserJet Professional P1102" (queue HP_LaserJet_Professional_P1102), and printers are allowed (the built-in default)'],
    ['tether', 'block', tether, 'blocked: no approval allows the USB network interface enx8a3f2b1c4d5e; network interfaces on USB or Bluetooth need SLT approval (the built-in default)'],
    ['ethernet', 'allow', ethernet, 'allowed: the network interface eth0 is part of this PC (not removable)'],
  ])('%s: %s', (_label, target, device, reason) => {
    expect(decideOtherDevice(device, undefined, context, now)).toEqual({ target, implicit: true, reason });
  });
});

describe('decideOtherDevice with a policy', () => {
  it('applies the first approval in force that matches, naming it', () => {
    const first = approval({ expires: '2026-07-22' });
    const decision = decideOtherDevice(card, policy({ block: { approvals: [first, approval({ id: 'oa-2', target: 'block' })] } }), context, now);
    expect(decision).toEqual({
      target: 'allow',
      implicit: false,
      approval: first,
      origin: 'policy v7, approval oa-1',
      reason: 'allowed by policy v7, approval oa-1 (approved by A. Head (Deputy Head), "Art department camera card", until 2026-07-22)',
    });
  });

  it('lets an approval block what would otherwise be allowed', () => {
    const decision = decideOtherDevice(ethernet, policy({ network: { approvals: [approval({ match: { name: 'eth*' }, target: 'block', reason: 'Exam room: wired network off' })] } }), context, now);
    expect(decision.target).toBe('block');
    expect(decision.reason).toBe('blocked by policy v7, approval oa-1 (approved by A. Head (Deputy Head), "Exam room: wired network off")');
  });

  it('uses the policy default for its bus, and says so', () => {
    expect(decideOtherDevice(iphone, policy({ bluetooth: { default: 'allow' } }), context, now).reason).toBe(
      'allowed: no approval blocks the Bluetooth phone "iPhone" (F0:99:B6:1A:2B:3C), and Bluetooth devices are allowed (policy v7)',
    );
    expect(decideOtherDevice(printer, policy({ printer: { default: 'block' } }), context, now).target).toBe('block');
  });

  it('explains that an approval would allow the device but has expired or is scoped elsewhere', () => {
    const expired = decideOtherDevice(card, policy({ block: { approvals: [approval({ expires: '2026-04-01' })] } }), context, now);
    expect(expired).toEqual({
      target: 'block',
      implicit: true,
      reason:
        'blocked: no approval allows an SD card "EOS_DIGITAL" (/dev/mmcblk0); removable disks need SLT approval (the built-in default); ' +
        'policy v7, approval oa-1 (approved by A. Head (Deputy Head), "Art department camera card", until 2026-04-01) would allow it but is not in force: expired on 2026-04-01',
    });
    const elsewhere = decideOtherDevice(card, policy({ block: { approvals: [approval({ scope: { machines: ['ART-*'] } })] } }), context, now);
    expect(elsewhere.reason).toMatch(/would allow it but is not in force: only for machines ART-\*, not ICT-SUITE-07$/);
  });
});

describe('approvalMatches', () => {
  it.each<[OtherDeviceApproval['match'], string, boolean, OtherDevice]>([
    [{ key: 'f0:99:b6:1a:2b:3c' }, 'iphone', true, iphone],
    [{ key: 'F0:99:B6:1A:2B:3D' }, 'iphone', false, iphone],
    [{ name: 'airpods*' }, 'headset', true, headset],
    [{ vendor: 'Apple', name: 'AirPods Pro' }, 'headset', true, headset],
    [{ vendor: 'Apple', name: 'iPhone' }, 'headset', false, headset],
    [{ vendor: 'Apple' }, 'iphone', false, iphone],
  ])('%j matches %s: %s', (match, _label, expected, device) => {
    expect(approvalMatches(approval({ match }), device)).toBe(expected);
  });
});

describe('describeOtherDevice', () => {
  it('says what kind of thing each device is', () => {
    expect(describeOtherDevice(headset)).toBe('the Bluetooth headset "AirPods Pro" (A4:C3:F0:11:22:33)');
    expect(describeOtherDevice({ ...iphone, details: { type: 'unknown' } })).toBe('the Bluetooth device "iPhone" (F0:99:B6:1A:2B:3C)');
    expect(describeOtherDevice({ ...tether, name: 'bnep0', details: { attachment: 'bluetooth' } })).toBe('the Bluetooth network interface bnep0');
  });
});

describe('the otherDevices field of a policy document', () => {
  const withOther = (otherDevices: unknown): string => JSON.stringify({ ...sampleDocument(), otherDevices });

  it('is optional, and accepted with defaults and approvals', () => {
    expect(parsePolicyDocument(JSON.stringify(sampleDocument()), 'p.json').ok).toBe(true);
    const otherDevices: OtherDevicesPolicy = {
      block: { default: 'block', approvals: [approval({ expires: '2026-07-22', scope: { machines: ['ART-*'] }, requestId: 'REQ-7' })] },
      printer: { default: 'allow' },
    };
    expect(parsePolicyDocument(withOther(otherDevices), 'p.json')).toEqual({ ok: true, value: { ...sampleDocument(), otherDevices } });
  });

  it.each([
    [{ usb: {} }, 'p.json: otherDevices: unknown field "usb"'],
    [{ block: { default: 'reject' } }, 'p.json: otherDevices.block.default: expected "allow" or "block"'],
    [{ block: { approvals: [{ ...approval(), match: {} }] } }, 'p.json: otherDevices.block.approvals[0].match: expected at least one of key, name and vendor'],
    [{ block: { approvals: [{ ...approval(), approvedBy: undefined }] } }, 'p.json: otherDevices.block.approvals[0].approvedBy: required, but missing'],
    [{ block: { approvals: [{ ...approval(), expires: 'end of term' }] } }, expect.stringMatching(/^p\.json: otherDevices\.block\.approvals\[0\]\.expires: expected an ISO 8601 date/)],
    [{ block: { approvals: [approval()] }, network: { approvals: [approval()] } }, 'p.json: otherDevices.network.approvals[0].id: duplicate id "oa-1" (already used by block.approvals[0])'],
  ])('names the field at fault (%#)', (otherDevices, message) => {
    expect(parsePolicyDocument(withOther(otherDevices), 'p.json')).toEqual({ ok: false, error: message });
  });
});
