/** Windows enforcement: PnP disable, enable and remove through pnputil, and the Device Installation Restrictions policy. */
import type { Device, InterfaceType } from '../devices/device';
import type { PnpUsbDevice, PnpUsbFunction } from '../devices/win32-pnp-source';
import { PNPUTIL } from '../devices/win32-pnp-source';
import { parseUsbInstanceId } from '../devices/win32-pnputil-records';
import { assertNever } from '../util/assert-never';
import type { CommandOutput, CommandRunner } from '../util/command-runner';
import type { Enforcer, EnforcementPlan, EnforcementResult } from './enforcer';
import { compileInstallRestrictions, removeInstallRestrictions, writeInstallRestrictions, type InstallAllowlist } from './win32-install-restrictions';

/** pnputil's exit statuses (Win32 error codes) that this enforcer tells apart. */
const SUCCESS = 0;
const REBOOT_REQUIRED = 3010;
const REBOOT_INITIATED = 1641;
const ACCESS_DENIED = 5;
const NO_SUCH_DEVINST = 0xe000020b;
/** What the command runner reports when the program could not be started at all. */
const NOT_STARTED = 127;

type PnpAction = 'enable' | 'disable' | 'remove';

const DONE: Record<PnpAction, string> = { enable: 'enabled', disable: 'disabled', remove: 'removed' };

function hint(exitCode: number): string {
  switch (exitCode) {
    case ACCESS_DENIED:
      return ' (access denied: the agent must run as SYSTEM or an administrator)';
    case NO_SUCH_DEVINST:
      return ' (the device is no longer present)';
    case NOT_STARTED:
      return ' (pnputil could not be started; /disable-device needs Windows 10 2004 or later)';
    default:
      return '';
  }
}

/**
 * Reads pnputil's answer to `/<action>-device <instance ID>`. Success is told by the exit status
 * alone (0, or 3010/1641 when a restart is needed); on failure pnputil prints
 * `Failed to <action> device:  <instance ID>` and then the reason, which goes into the error.
 */
export function pnputilResult(action: PnpAction, instanceId: string, output: CommandOutput): EnforcementResult {
  if (output.exitCode === SUCCESS) return { ok: true, detail: `pnputil /${action}-device ${instanceId}: ${DONE[action]}` };
  if (output.exitCode === REBOOT_REQUIRED || output.exitCode === REBOOT_INITIATED) {
    return { ok: true, detail: `pnputil /${action}-device ${instanceId}: ${DONE[action]}, takes effect after Windows restarts (exit ${output.exitCode})` };
  }
  const lines = `${output.stdout}\n${output.stderr}`.split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== '' && l !== 'Microsoft PnP Utility');
  const failedAt = lines.findIndex((l) => /^Failed to \w+ device:/.test(l));
  const reason = (failedAt >= 0 ? lines[failedAt + 1] : lines[0]) ?? '';
  return { ok: false, error: `pnputil /${action}-device ${instanceId} failed (exit ${output.exitCode})${reason ? `: ${reason}` : ''}${hint(output.exitCode)}` };
}

function sameInterface(a: InterfaceType, b: InterfaceType): boolean {
  return a.classCode === b.classCode && a.subclass === b.subclass && a.protocol === b.protocol;
}

/** What an allowed device's interface function needs: disabling if withheld, enabling if it was withheld before. */
function functionAction(fn: PnpUsbFunction, blocked: readonly InterfaceType[]): PnpAction | undefined {
  const iface = fn.interface;
  const withheld = iface !== undefined && blocked.some((b) => sameInterface(b, iface));
  if (withheld) return fn.status === 'Disabled' ? undefined : 'disable';
  return fn.status === 'Disabled' ? 'enable' : undefined;
}

/** What the enforcer needs from the device source: the composite functions of present devices. */
export interface PnpDeviceScanner {
  scan(): Promise<PnpUsbDevice[]>;
}

export interface Win32PnpEnforcerOptions {
  run: CommandRunner;
  source: PnpDeviceScanner;
  /** The current approvals, as install policy can express them (`installAllowlistFromRules`). */
  allowlist: () => InstallAllowlist;
}

export class Win32PnpEnforcer implements Enforcer {
  readonly name = 'win32-pnp';
  private readonly run: CommandRunner;
  private readonly source: PnpDeviceScanner;
  private readonly allowlist: () => InstallAllowlist;
  /** The policy last written, so that an unchanged allowlist is not written again. */
  private written: string | undefined;

  constructor(options: Win32PnpEnforcerOptions) {
    this.run = options.run;
    this.source = options.source;
    this.allowlist = options.allowlist;
  }

  /** Writes the install policy for the current allowlist, so Windows refuses drivers for new devices that are not approved. */
  async prepare(): Promise<EnforcementResult> {
    this.written = undefined;
    return this.syncPolicy();
  }

  async apply(device: Device, plan: EnforcementPlan): Promise<EnforcementResult> {
    const instanceId = device.viaPort;
    if (!parseUsbInstanceId(instanceId)) return { ok: false, error: `"${instanceId}" is not the PnP instance ID of a USB device` };
    switch (plan.target) {
      case 'allow':
        return this.allow(device, instanceId, plan.blockedInterfaces);
      case 'block':
        return this.pnputil('disable', instanceId);
      case 'reject':
        return this.pnputil('remove', instanceId);
      default:
        return assertNever(plan.target);
    }
  }

  /** Removes Portcullis's install policy. Devices it disabled stay disabled until allowed or re-plugged. */
  async restoreDefaults(): Promise<EnforcementResult> {
    this.written = undefined;
    return removeInstallRestrictions(this.run);
  }

  /** Rewrites the install policy if the allowlist changed since it was last written. */
  private async syncPolicy(): Promise<EnforcementResult> {
    let keys;
    try {
      keys = compileInstallRestrictions(this.allowlist());
    } catch (error) {
      return { ok: false, error: `install policy not written: ${error instanceof Error ? error.message : String(error)}` };
    }
    const fingerprint = JSON.stringify(keys);
    if (fingerprint === this.written) return { ok: true, detail: 'install policy unchanged' };
    const result = await writeInstallRestrictions(this.run, keys);
    if (result.ok) this.written = fingerprint;
    return result;
  }

  private async pnputil(action: PnpAction, instanceId: string): Promise<EnforcementResult> {
    return pnputilResult(action, instanceId, await this.run(PNPUTIL, [`/${action}-device`, instanceId]));
  }

  /**
   * Enables the device after bringing the install policy up to date (an approval may just have
   * arrived), then makes each interface function of a composite device match the plan: withheld
   * interfaces (the keyboard of a storage stick) disabled, the others enabled again.
   */
  private async allow(device: Device, instanceId: string, blocked: readonly InterfaceType[]): Promise<EnforcementResult> {
    const policy = await this.syncPolicy();
    const enabled = await this.pnputil('enable', instanceId);
    if (!enabled.ok) return enabled;
    const details = [enabled.detail];
    const composite = blocked.length > 0 || device.interfaces.length > 1;
    for (const fn of composite ? await this.functionsOf(device) : []) {
      const action = functionAction(fn, blocked);
      if (!action) continue;
      const result = await this.pnputil(action, fn.instanceId);
      if (!result.ok) return { ok: false, error: `${details.join('; ')}, but ${result.error}` };
      details.push(result.detail);
    }
    if (!policy.ok) return { ok: false, error: `${details.join('; ')}, but the install policy was not updated: ${policy.error}` };
    return { ok: true, detail: details.join('; ') };
  }

  /**
   * The device's interface functions. PnP does not say which parent a function belongs to, so
   * with two identical composite devices attached, a withheld interface is withheld on both: the
   * safe side.
   */
  private async functionsOf(device: Device): Promise<PnpUsbFunction[]> {
    return (await this.source.scan()).find((e) => e.device.viaPort === device.viaPort)?.functions ?? [];
  }
}
