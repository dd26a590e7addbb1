/**
 * Linux enforcement for non-USB devices: a blocked disk is made read-only and unmounted, and
 * kept unmounted; a blocked Bluetooth device is blocked in BlueZ; a blocked network interface
 * is taken down; printers are recorded and notified only.
 */
import { readdir, readFile } from 'node:fs/promises';
import { posix as path } from 'node:path';
import type { OtherDevice } from '../devices/other-devices/other-device';
import type { OtherDeviceTarget } from '../policy/other-device-policy';
import { assertNever } from '../util/assert-never';
import type { CommandRunner } from '../util/command-runner';
import type { EnforcementResult } from './enforcer';
import type { OtherDeviceEnforcer } from './other-device-enforcer';

export interface LinuxOtherEnforcerOptions {
  run: CommandRunner;
  /** Where sysfs is mounted (partitions are found under `class/block/<disk>`). Default `/sys`. */
  sysfsRoot?: string;
  /** The mount table. Default `/proc/self/mounts`. */
  mountsFile?: string;
}

export interface Mount {
  source: string;
  target: string;
}

/** The mount table's lines, with its octal escapes (`\040` for a space) undone. */
export function parseMounts(text: string): Mount[] {
  const unescape = (field: string): string => field.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(Number.parseInt(octal, 8)));
  return text
    .split('\n')
    .map((line) => line.split(' '))
    .filter((fields) => fields.length >= 2)
    .map(([source = '', target = '']) => ({ source: unescape(source), target: unescape(target) }));
}

/** The system's own mount points: a disk holding one is never unmounted, whatever the decision. */
const SYSTEM_MOUNT = /^\/(boot|usr|var|home|etc|opt|srv|tmp)?(\/|$)/;
const DISK_NODE = /^\/dev\/([A-Za-z0-9]+)$/;
const BLUETOOTH_ADDRESS = /^[0-9A-F]{2}(:[0-9A-F]{2}){5}$/i;
const INTERFACE_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,14}$/;
const TIMEOUT = { timeoutMs: 10_000 };

type Step = { ok: true; detail: string } | { ok: false; error: string };

/** Done steps and failures as one result: failed if any step failed, naming what was done all the same. */
function combine(steps: Step[], nothing: string): EnforcementResult {
  const done = steps.flatMap((step) => (step.ok ? [step.detail] : []));
  const failed = steps.flatMap((step) => (step.ok ? [] : [step.error]));
  if (failed.length === 0) return { ok: true, detail: done.length > 0 ? done.join('; ') : nothing };
  return { ok: false, error: done.length > 0 ? `${failed.join('; ')} (done: ${done.join('; ')})` : failed.join('; ') };
}

export class LinuxOtherDeviceEnforcer implements OtherDeviceEnforcer {
  readonly name = 'linux-other-devices';
  /** Disks this enforcer blocked, by key, to keep them unmounted and to make them writable again when allowed. */
  private readonly blockedDisks = new Map<string, OtherDevice>();
  private readonly sysfsRoot: string;
  private readonly mountsFile: string;

  constructor(private readonly options: LinuxOtherEnforcerOptions) {
    this.sysfsRoot = options.sysfsRoot ?? '/sys';
    this.mountsFile = options.mountsFile ?? '/proc/self/mounts';
  }

  async apply(device: OtherDevice, target: OtherDeviceTarget): Promise<EnforcementResult> {
    switch (device.bus) {
      case 'block':
        return target === 'block' ? this.blockDisk(device) : this.releaseDisk(device);
      case 'bluetooth':
        return this.bluetooth(device, target);
      case 'network':
        return target === 'block' ? this.takeDown(device) : { ok: true, detail: 'nothing to do: Portcullis never brings an interface up' };
      case 'printer':
        return { ok: true, detail: target === 'block' ? 'not enforced: printers are recorded and notified only' : 'nothing to do' };
      default:
        return assertNever(device.bus);
    }
  }

  async recheck(present: readonly OtherDevice[]): Promise<EnforcementResult[]> {
    const keys = new Set(present.filter((device) => device.bus === 'block').map((device) => device.key));
    for (const key of [...this.blockedDisks.keys()]) if (!keys.has(key)) this.blockedDisks.delete(key);
    const results: EnforcementResult[] = [];
    for (const device of this.blockedDisks.values()) {
      const names = await this.diskNames(device);
      const mounts = names.ok ? await this.mountsOf(names.value) : [];
      if (mounts.length > 0) results.push(combine(this.refusal(device, mounts) ?? (await this.unmountAll(mounts)), ''));
    }
    return results;
  }

  /** Read-only first, so that nothing more is written, then every mount of the disk and its partitions undone. A disk holding a system mount is left alone. */
  private async blockDisk(device: OtherDevice): Promise<EnforcementResult> {
    const names = await this.diskNames(device);
    if (!names.ok) return names;
    const mounts = await this.mountsOf(names.value);
    const refusal = this.refusal(device, mounts);
    if (refusal) return combine(refusal, '');
    this.blockedDisks.set(device.key, device);
    const nodes = names.value.map((name) => `/dev/${name}`);
    const readOnly = await this.exec('blockdev', ['--setro', ...nodes], `set ${nodes.join(', ')} read-only`);
    return combine([readOnly, ...(await this.unmountAll(mounts))], 'nothing mounted');
  }

  private async releaseDisk(device: OtherDevice): Promise<EnforcementResult> {
    if (!this.blockedDisks.delete(device.key)) return { ok: true, detail: 'nothing to do' };
    const names = await this.diskNames(device);
    if (!names.ok) return names;
    const nodes = names.value.map((name) => `/dev/${name}`);
    return combine([await this.exec('blockdev', ['--setrw', ...nodes], `set ${nodes.join(', ')} writable again`)], '');
  }

  private refusal(device: OtherDevice, mounts: Mount[]): Step[] | undefined {
    const system = mounts.filter((mount) => SYSTEM_MOUNT.test(mount.target)).map((mount) => mount.target);
    if (system.length === 0) return undefined;
    return [{ ok: false, error: `refused to block ${device.details.device ?? device.key}: it holds the system's ${system.join(', ')}` }];
  }

  /** Deepest mount first; a busy one is detached lazily (`umount --lazy`), which takes it away from every program at once. */
  private async unmountAll(mounts: Mount[]): Promise<Step[]> {
    const steps: Step[] = [];
    for (const mount of [...mounts].sort((a, b) => b.target.length - a.target.length)) {
      const plain = await this.exec('umount', [mount.target], `unmounted ${mount.target} (${mount.source})`);
      steps.push(plain.ok ? plain : await this.exec('umount', ['--lazy', mount.target], `detached ${mount.target} (${mount.source}), which was busy`));
    }
    return steps;
  }

  /** The disk and its partitions (`mmcblk0`, `mmcblk0p1`), the partitions as sysfs lists them. */
  private async diskNames(device: OtherDevice): Promise<{ ok: true; value: string[] } | { ok: false; error: string }> {
    const disk = DISK_NODE.exec(device.details.device ?? '')?.[1];
    if (disk === undefined) return { ok: false, error: `not enforced: "${device.details.device ?? ''}" is not a disk's device node` };
    return { ok: true, value: [disk, ...(await this.partitionsOf(disk))] };
  }

  private async partitionsOf(disk: string): Promise<string[]> {
    const dir = path.join(this.sysfsRoot, 'class/block', disk);
    let entries: string[];
    try {
      entries = await readdir(dir);
    } catch {
      return [];
    }
    const partitions: string[] = [];
    for (const entry of entries.filter((name) => name.startsWith(disk)).sort()) {
      if (await readFile(path.join(dir, entry, 'partition')).then(() => true, () => false)) partitions.push(entry);
    }
    return partitions;
  }

  private async mountsOf(names: string[]): Promise<Mount[]> {
    const nodes = new Set(names.map((name) => `/dev/${name}`));
    return parseMounts(await readFile(this.mountsFile, 'utf8')).filter((mount) => nodes.has(mount.source));
  }

  private async bluetooth(device: OtherDevice, target: OtherDeviceTarget): Promise<EnforcementResult> {
    if (!BLUETOOTH_ADDRESS.test(device.key)) return { ok: false, error: `not enforced: "${device.key}" is not a Bluetooth address` };
    const verb = target === 'block' ? 'block' : 'unblock';
    const output = await this.options.run('bluetoothctl', [verb, device.key], TIMEOUT);
    // Some BlueZ versions of bluetoothctl exit 0 when the change failed ('Device ... not available'): only its "succeeded" line is sure.
    if (output.exitCode === 0 && /succeeded/.test(output.stdout)) return { ok: true, detail: `${verb}ed ${device.key} in BlueZ (bluetoothctl ${verb})` };
    return { ok: false, error: `bluetoothctl ${verb} ${device.key} failed: ${(output.stdout + output.stderr).trim() || `exit ${output.exitCode}`}` };
  }

  /** NetworkManager may bring it up again: it then comes back into the inventory and is decided, and taken down, again. */
  private async takeDown(device: OtherDevice): Promise<EnforcementResult> {
    const iface = device.details.interface ?? device.name;
    if (!INTERFACE_NAME.test(iface)) return { ok: false, error: `not enforced: "${iface}" is not a network interface name` };
    return combine([await this.exec('ip', ['link', 'set', 'dev', iface, 'down'], `took ${iface} down`)], '');
  }

  private async exec(program: string, args: string[], done: string): Promise<Step> {
    const output = await this.options.run(program, args, TIMEOUT);
    if (output.exitCode === 0) return { ok: true, detail: done };
    return { ok: false, error: `${[program, ...args].join(' ')} failed (exit ${output.exitCode}): ${output.stderr.trim() || output.stdout.trim()}` };
  }
}
