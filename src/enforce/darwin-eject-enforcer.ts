/** macOS enforcement: storage that is not allowed is ejected with diskutil; nothing else can be blocked without a system extension. */
import type { Device } from '../devices/device';
import { kindNoun } from '../devices/device-kind';
import type { DarwinUsbScan } from '../devices/darwin-usb-source';
import { assertNever } from '../util/assert-never';
import type { CommandOutput, CommandRunner } from '../util/command-runner';
import type { Enforcer, EnforcementPlan, EnforcementResult } from './enforcer';

const DISKUTIL = 'diskutil';

/** What the enforcer needs from the device source: the disks of present devices. */
export interface DarwinDeviceScanner {
  scan(): Promise<DarwinUsbScan>;
}

export interface DarwinEjectEnforcerOptions {
  run: CommandRunner;
  source: DarwinDeviceScanner;
}

/** Reads diskutil's answer to `eject /dev/diskN`: `Disk /dev/disk4 ejected`, or why not (a volume in use, no such disk). */
export function ejectResult(disk: string, output: CommandOutput): EnforcementResult {
  const said = `${output.stdout}\n${output.stderr}`
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '');
  if (output.exitCode === 0) return { ok: true, detail: said[0] ?? `Disk ${disk} ejected` };
  return { ok: false, error: `diskutil eject ${disk} failed (exit ${output.exitCode})${said.length > 0 ? `: ${said.join(' ')}` : ''}` };
}

export class DarwinEjectEnforcer implements Enforcer {
  readonly name = 'darwin-eject';
  private readonly run: CommandRunner;
  private readonly source: DarwinDeviceScanner;

  constructor(options: DarwinEjectEnforcerOptions) {
    this.run = options.run;
    this.source = options.source;
  }

  /** macOS cannot make new devices wait for a decision; storage is ejected when its decision is made. */
  async prepare(): Promise<EnforcementResult> {
    return { ok: true, detail: 'macOS: nothing to prepare; devices are not held back while they wait for a decision' };
  }

  async apply(device: Device, plan: EnforcementPlan): Promise<EnforcementResult> {
    switch (plan.target) {
      case 'allow':
        if (plan.blockedInterfaces.length === 0) return { ok: true, detail: 'macOS: allowed, nothing to do' };
        return { ok: false, error: `macOS: cannot withhold one interface of a ${kindNoun(device.kind)} without a system extension; recorded and notified only` };
      case 'block':
      case 'reject':
        return this.eject(device);
      default:
        return assertNever(plan.target);
    }
  }

  /** Nothing was changed on the Mac that would outlast the agent. */
  async restoreDefaults(): Promise<EnforcementResult> {
    return { ok: true, detail: 'macOS: nothing to restore' };
  }

  /** Ejects every disk of the device; a device with no disk listed cannot be blocked. */
  private async eject(device: Device): Promise<EnforcementResult> {
    const scan = await this.source.scan();
    const bsdNames = scan.devices.find((e) => e.device.viaPort === device.viaPort)?.bsdNames ?? [];
    if (bsdNames.length === 0) {
      if (device.kind === 'storage') return { ok: false, error: 'macOS: storage not ejected: system_profiler lists no disk for it now; recorded and notified only' };
      // Newer macOS fills only SPUSBHostDataType, which names no disks, so storage cannot be told apart there.
      const noDisks = scan.format === 'SPUSBHostDataType' ? ', and this macOS lists USB devices without their disks, so storage cannot be found to eject' : '';
      return { ok: false, error: `macOS: cannot block a ${kindNoun(device.kind)} without a system extension${noDisks}; recorded and notified only` };
    }
    const details: string[] = [];
    for (const name of bsdNames) {
      const disk = `/dev/${name}`;
      const result = ejectResult(disk, await this.run(DISKUTIL, ['eject', disk]));
      if (!result.ok) return details.length > 0 ? { ok: false, error: `${details.join('; ')}; ${result.error}` } : result;
      details.push(result.detail);
    }
    return { ok: true, detail: details.join('; ') };
  }
}
