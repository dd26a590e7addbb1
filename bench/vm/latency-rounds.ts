/** Plug-to-enforcement latency, enforcer beside enforcer in one VM: rounds of the same plugs, the enforcers' order alternating. */
import { usbDeviceInfo } from '../../test/e2e/guest-usb';
import type { TestVm } from '../../test/e2e/vm/test-vm';
import { usbDevice, type UsbDevice } from '../../test/e2e/vm/usb-devices';
import { resetKernelDefaults, type BenchEnforcer } from './bench-enforcers';
import type { UsbProbe } from './usb-probe';

export interface BenchDevice {
  label: string;
  device: UsbDevice;
  /** What the test rules decide; an allowed device is timed to `authorized`=1, a blocked one to its logged decision. */
  allowed: boolean;
}

/** The same devices as the end-to-end tests, under the same rules. */
export const BENCH_DEVICES: readonly BenchDevice[] = [
  { label: 'keyboard (allowed)', device: usbDevice('keyboard', 'bench-kbd', 'KBD-0001'), allowed: true },
  { label: 'mouse (allowed)', device: usbDevice('mouse', 'bench-mouse', 'MOUSE-0001'), allowed: true },
  { label: 'approved stick', device: usbDevice('stick', 'bench-stick-a', 'STICK-APPROVED'), allowed: true },
  { label: 'unapproved stick (blocked)', device: usbDevice('stick', 'bench-stick-b', 'STICK-UNAPPROVED'), allowed: false },
];

/** Not measured: a freshly started enforcer runs its allow and its block path once before the timed plugs. */
const WARM_UPS = [usbDevice('keyboard', 'bench-warm-allow', 'WARM-ALLOW'), usbDevice('tablet', 'bench-warm-block', 'WARM-BLOCK')];
/**
 * Pause before each timed plug: at least MIN, plus a random part as long as the agent's 3 s
 * inventory cycle, so plugs land at every phase of the enforcers' periodic work, not always the same one.
 */
const SETTLE_MIN_MS = 300;
const SETTLE_SPREAD_MS = 3000;
/** How long after the probe gives up on a blocked device its decision may still be logged. */
const LATE_DECISION_MS = 3000;

export interface LatencySample {
  round: number;
  enforcer: BenchEnforcer['name'];
  device: string;
  /** ms from the kernel's add uevent to `authorized`=1 (allowed) or to the decision in the log (blocked); null when neither came. */
  ms: number | null;
  /** ms from the kernel's add uevent to the first interface's driver binding (allowed devices: the device works). */
  bindMs: number | null;
  /** ms from the kernel's add uevent to udevd's (what the `usb` package would hear; the agent hears the kernel's), when it came while the device was watched. */
  udevMs: number | null;
  /** Whether the device ended as the rules say (authorised or not). */
  asExpected: boolean;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function unplugAll(vm: TestVm, devices: readonly UsbDevice[]): Promise<void> {
  for (const device of devices) {
    const { name } = await usbDeviceInfo(vm, device.serial);
    await vm.unplug(device.id);
    await vm.guest.request('waitFile', { path: `/sys/bus/usb/devices/${name}`, condition: { kind: 'absent' }, timeoutMs: 20_000 });
  }
}

async function measure(vm: TestVm, probe: UsbProbe, enforcer: BenchEnforcer, bench: BenchDevice, round: number): Promise<LatencySample> {
  const from = vm.guest.events.mark();
  await vm.plug(bench.device);
  const watch = await probe.watched(bench.device.serial, from);
  const authorized = watch.result === 'authorized';
  let ms: number | null = null;
  if (bench.allowed) ms = watch.lat_ms ?? null;
  else {
    const line = await probe.logLine(enforcer.decisionLog, (l) => enforcer.isDecision(l, bench.device.serial), from, LATE_DECISION_MS);
    ms = line === undefined ? null : line.t - watch.t0;
  }
  const now = await usbDeviceInfo(vm, bench.device.serial);
  return { round, enforcer: enforcer.name, device: bench.label, ms, bindMs: watch.bind_ms ?? null, udevMs: watch.udev_ms ?? null, asExpected: authorized === bench.allowed && (now.authorized === '1') === bench.allowed };
}

/**
 * For each round and each enforcer (A B, then B A, ...): reset the kernel defaults, start the
 * enforcer, plug and unplug the warm-up devices, then plug each bench device in turn; unplug them all and stop it.
 */
export async function runLatencyRounds(
  vm: TestVm,
  probe: UsbProbe,
  enforcers: readonly BenchEnforcer[],
  rounds: number,
  progress: (text: string) => void,
): Promise<LatencySample[]> {
  const samples: LatencySample[] = [];
  for (let round = 1; round <= rounds; round++) {
    const order = enforcers.map((_, i) => enforcers[(i + round - 1) % enforcers.length] as BenchEnforcer);
    for (const enforcer of order) {
      await resetKernelDefaults(vm);
      await enforcer.start();
      for (const device of WARM_UPS) {
        const from = vm.guest.events.mark();
        await vm.plug(device);
        await probe.watched(device.serial, from);
      }
      await unplugAll(vm, WARM_UPS);
      for (const bench of BENCH_DEVICES) {
        await sleep(SETTLE_MIN_MS + Math.random() * SETTLE_SPREAD_MS);
        samples.push(await measure(vm, probe, enforcer, bench, round));
      }
      await unplugAll(vm, BENCH_DEVICES.map((b) => b.device));
      await enforcer.stop();
    }
    const done = samples.filter((s) => s.round === round);
    progress(`round ${round}/${rounds}: ${done.map((s) => `${s.enforcer} ${s.device} ${s.ms === null ? '-' : s.ms.toFixed(1)}`).join(', ')}`);
  }
  return samples;
}
