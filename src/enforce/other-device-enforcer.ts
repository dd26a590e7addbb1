/** The one interface every enforcement backend for non-USB devices implements (Linux; elsewhere, recording only). */
import type { OtherDevice } from '../devices/other-devices/other-device';
import type { OtherDeviceTarget } from '../policy/other-device-policy';
import type { EnforcementResult } from './enforcer';

export interface OtherDeviceEnforcer {
  /** `linux-other-devices`. */
  readonly name: string;
  /** Carries out a decision for a device that is present. */
  apply(device: OtherDevice, target: OtherDeviceTarget): Promise<EnforcementResult>;
  /**
   * After each inventory, with the devices present: re-applies what can wear off (a blocked
   * disk mounted again) and forgets devices that left. One result per action taken.
   */
  recheck(present: readonly OtherDevice[]): Promise<EnforcementResult[]>;
}
