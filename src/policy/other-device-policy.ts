/** Decides about non-USB devices (disks, Bluetooth devices, printers, network interfaces) from the policy's `otherDevices` approvals and defaults, with a reason a person can read. */
import type { OtherBus, OtherDevice } from '../devices/other-devices/other-device';
import { assertNever } from '../util/assert-never';
import type { OtherDeviceApproval, PolicyDocument } from './policy-document';
import { describeExpiry, machineNameMatches, ruleInForce, type MachineContext } from './rule-scope';

export type OtherDeviceTarget = OtherDeviceApproval['target'];

/** What applies to a bus the policy says nothing about (docs/other-devices.md explains the choice). */
export const BUILT_IN_DEFAULTS: Readonly<Record<OtherBus, OtherDeviceTarget>> = { block: 'block', bluetooth: 'block', printer: 'allow', network: 'block' };

/** What a bus's default covers, in the plural: the PC's own disks and adapters are not among them. */
const DEFAULT_COVERS: Readonly<Record<OtherBus, string>> = {
  block: 'removable disks',
  bluetooth: 'Bluetooth devices',
  printer: 'printers',
  network: 'network interfaces on USB or Bluetooth',
};

export interface OtherDeviceDecision {
  target: OtherDeviceTarget;
  /** True when no approval applied and a default decided. */
  implicit: boolean;
  approval?: OtherDeviceApproval;
  /** Where the approval is: `policy v3, approval oa-0007`. */
  origin?: string;
  /** One sentence for people: `blocked: no approval allows an SD card "EOS_DIGITAL" (/dev/mmcblk0); ...`. */
  reason: string;
}

/** The parts of a policy document this module reads; `undefined` (a plain rules file) means the built-in defaults. */
export type OtherDevicePolicy = Pick<PolicyDocument, 'version' | 'otherDevices'>;

const VERB: Record<OtherDeviceTarget, string> = { allow: 'allowed', block: 'blocked' };

/** Every field the approval gives must match: `key` exactly (ignoring case), `name` and `vendor` as patterns where `*` stands for anything. */
export function approvalMatches(approval: OtherDeviceApproval, device: OtherDevice): boolean {
  const { key, name, vendor } = approval.match;
  return (
    (key === undefined || key.toLowerCase() === device.key.toLowerCase()) &&
    (name === undefined || machineNameMatches(name, device.name)) &&
    (vendor === undefined || (device.vendor !== undefined && machineNameMatches(vendor, device.vendor)))
  );
}

/** `an SD card "EOS_DIGITAL" (/dev/mmcblk0)`, `the Bluetooth phone "iPhone" (F0:99:B6:1A:2B:3C)`. */
export function describeOtherDevice(device: OtherDevice): string {
  const { details } = device;
  switch (device.bus) {
    case 'block': {
      const what = details.media === 'SD card' ? 'an SD card' : details.transport === 'usb' ? 'a USB disk' : 'a disk';
      return `${what} "${device.name}" (${details.device ?? device.key})`;
    }
    case 'bluetooth': {
      const type = details.type && details.type !== 'unknown' ? details.type.toLowerCase() : 'device';
      return `the Bluetooth ${type} "${device.name}" (${device.key})`;
    }
    case 'printer':
      return `the printer "${device.name}" (queue ${device.key})`;
    case 'network': {
      const via = details.attachment === 'usb' ? 'USB ' : details.attachment === 'bluetooth' ? 'Bluetooth ' : '';
      return `the ${via}network interface ${device.name}`;
    }
    default:
      return assertNever(device.bus);
  }
}

function describeApproval(approval: OtherDeviceApproval, origin: string): string {
  const until = approval.expires === undefined ? '' : `, until ${describeExpiry(approval.expires)}`;
  return `${origin} (approved by ${approval.approvedBy}, "${approval.reason}"${until})`;
}

/** The first approval in force that matches the device decides; failing that, an allowing approval that is not in force is kept to explain the decision. */
function byApprovals(device: OtherDevice, policy: OtherDevicePolicy, context: MachineContext, now: Date): { decision?: OtherDeviceDecision; dormant?: string } {
  let dormant: string | undefined;
  for (const approval of policy.otherDevices?.[device.bus]?.approvals ?? []) {
    if (!approvalMatches(approval, device)) continue;
    const origin = `policy v${policy.version}, approval ${approval.id}`;
    const status = ruleInForce(approval, context, now);
    if (status.inForce) return { decision: { target: approval.target, implicit: false, approval, origin, reason: `${VERB[approval.target]} by ${describeApproval(approval, origin)}` } };
    if (approval.target === 'allow') dormant ??= `${describeApproval(approval, origin)} would allow it but is not in force: ${status.why}`;
  }
  return { dormant };
}

/**
 * The decision for one device here and now. In order: the first approval in force that
 * matches it; a disk on USB is left to the USB device policy (allowed here); the PC's own
 * disks and network adapters (not removable) are allowed; anything else gets its bus's
 * default, the policy's or the built-in one.
 */
export function decideOtherDevice(device: OtherDevice, policy: OtherDevicePolicy | undefined, context: MachineContext, now: Date): OtherDeviceDecision {
  const { decision, dormant } = policy === undefined ? {} : byApprovals(device, policy, context, now);
  if (decision) return decision;
  const described = describeOtherDevice(device);
  if (device.bus === 'block' && device.details.transport === 'usb') {
    return { target: 'allow', implicit: true, reason: `allowed: ${described} is on USB, where the USB device policy decides` };
  }
  if (device.removable === false) return { target: 'allow', implicit: true, reason: `allowed: ${described} is part of this PC (not removable)` };
  const configured = policy?.otherDevices?.[device.bus]?.default;
  const target = configured ?? BUILT_IN_DEFAULTS[device.bus];
  const by = configured === undefined || policy === undefined ? 'the built-in default' : `policy v${policy.version}`;
  const base =
    target === 'block'
      ? `blocked: no approval allows ${described}; ${DEFAULT_COVERS[device.bus]} need SLT approval (${by})`
      : `allowed: no approval blocks ${described}, and ${DEFAULT_COVERS[device.bus]} are allowed (${by})`;
  return { target, implicit: true, reason: dormant === undefined ? base : `${base}; ${dormant}` };
}
