/** The one interface every enforcement backend (Linux sysfs, Windows PnP, macOS, audit-only) implements. */
import type { Device, InterfaceType } from '../devices/device';
import type { DecidingTarget } from '../rules/rule-set';

/** What to do with one device, from its decision. */
export interface EnforcementPlan {
  target: DecidingTarget;
  /**
   * Interfaces that get no driver even though the device is allowed: the keyboard of a USB
   * stick that also claims to be one. Empty for most devices.
   */
  blockedInterfaces: InterfaceType[];
}

/** What happened, in words for the audit log: `authorized=1 written to .../1-2/authorized`, or why it failed. */
export type EnforcementResult = { ok: true; detail: string } | { ok: false; error: string };

export interface Enforcer {
  /** `linux-sysfs`, `audit-only`, `win32-pnp`, `darwin-eject`. */
  readonly name: string;
  /** At start: devices that arrive from now on wait, blocked, for a decision (Linux: `authorized_default=0`). */
  prepare(): Promise<EnforcementResult>;
  /** Carries out a decision for a device that is present. */
  apply(device: Device, plan: EnforcementPlan): Promise<EnforcementResult>;
  /** `portcullis agent uninstall`: give the platform its own defaults back. */
  restoreDefaults(): Promise<EnforcementResult>;
}
