/** `npm run bench:vm`: the agent beside Debian's usbguard-daemon in one QEMU VM (real kernel, emulated USB): enforcement latency, then idle memory and CPU. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GUEST_PATHS, GuestAgent, TEST_RULES } from '../../test/e2e/guest-agent';
import { buildVmImage } from '../../test/e2e/vm/build-image';
import { findProgram } from '../../test/e2e/vm/host-command';
import { TestVm } from '../../test/e2e/vm/test-vm';
import { textTable } from '../../src/util/text-table';
import { portcullisEnforcer, resetKernelDefaults, usbguardEnforcer } from './bench-enforcers';
import { measureIdle, type IdleUsage } from './idle-usage';
import { BENCH_DEVICES, runLatencyRounds, type LatencySample } from './latency-rounds';
import { median, p95 } from './stats';
import { UsbProbe } from './usb-probe';
import { USBGUARD_AUDIT_LOG, usbguardBenchPart } from './usbguard-part';

const ROUNDS = Number(process.env.BENCH_VM_ROUNDS ?? 20);
const IDLE_SECONDS = Number(process.env.BENCH_VM_IDLE_SECONDS ?? 60);
/** Start-up work (reading the policy, the first scans) is left out of the idle window. */
const IDLE_SETTLE_MS = 10_000;

const ms = (value: number): string => (Number.isFinite(value) ? value.toFixed(1) : '-');
const ratio = (a: number, b: number): string => (Number.isFinite(a / b) ? `${(a / b).toFixed(2)}x` : '-');
const log = (text: string): void => void process.stderr.write(`bench:vm ${text}\n`);

function latencyTable(samples: readonly LatencySample[]): string {
  const measures = BENCH_DEVICES.flatMap((bench) => [
    { bench, to: bench.allowed ? 'authorized=1' : 'decision logged', pick: (s: LatencySample) => s.ms },
    ...(bench.allowed ? [{ bench, to: 'driver bound', pick: (s: LatencySample) => s.bindMs }] : []),
  ]);
  const rows = measures.map(({ bench, to, pick }) => {
    const of = (enforcer: string): number[] =>
      samples.filter((s) => s.enforcer === enforcer && s.device === bench.label).flatMap((s) => (pick(s) === null ? [] : [pick(s) as number]));
    const p = of('Portcullis');
    const u = of('USBGuard');
    return [bench.label, to, `${p.length}/${u.length}`, ms(median(p)), ms(p95(p)), ms(median(u)), ms(p95(u)), ratio(median(p), median(u)), ratio(p95(p), p95(u))];
  });
  return textTable(
    ['device', 'from add uevent to', 'n P/U', 'Portcullis median', 'p95', 'USBGuard median', 'p95', 'P/U median', 'P/U p95'],
    rows,
    ['left', 'left', 'right', 'right', 'right', 'right', 'right', 'right', 'right'],
  );
}

function idleTable(usage: readonly IdleUsage[]): string {
  const usbguard = usage.find((u) => u.name === 'usbguard-daemon');
  return textTable(
    ['process', 'RSS MiB (mean)', 'max', 'of which anonymous', `CPU ms in ${IDLE_SECONDS} s`, 'CPU %', 'RSS vs usbguard-daemon'],
    usage.map((u) => [u.name, u.rssMeanMiB.toFixed(1), u.rssMaxMiB.toFixed(1), u.anonMeanMiB.toFixed(1), u.cpuMs.toFixed(0), u.cpuPercent.toFixed(2), ratio(u.rssMeanMiB, usbguard?.rssMeanMiB ?? NaN)]),
    ['left', 'right', 'right', 'right', 'right', 'right', 'right'],
  );
}

/** The agent, usbguard-daemon and a bare `node` side by side, idle, sampled together. */
async function idlePhase(vm: TestVm): Promise<IdleUsage[]> {
  await resetKernelDefaults(vm);
  const pids = {
    'portcullis agent': await portcullisEnforcer(vm).start(),
    'usbguard-daemon': await usbguardEnforcer(vm).start(),
    "node -e 'setInterval(()=>{},1e9)'": (await vm.guest.request('start', { name: 'idle-node', argv: ['node', '-e', 'setInterval(()=>{},1e9)'] })).pid,
  };
  await new Promise((resolve) => setTimeout(resolve, IDLE_SETTLE_MS));
  return measureIdle(vm, pids, IDLE_SECONDS);
}

async function main(): Promise<void> {
  if (findProgram('qemu-system-x86_64') === undefined) {
    console.log('VM benchmark: qemu-system-x86_64 is not installed (apt-get install qemu-system-x86, or run .ci/run); nothing measured.');
    return;
  }
  const started = Date.now();
  const image = buildVmImage([usbguardBenchPart()]);
  const vm = await TestVm.boot({ image, name: 'bench' });
  log(`VM booted in ${(vm.bootMs / 1000).toFixed(1)} s; ${ROUNDS} rounds; logs in ${vm.runDir}`);
  let samples: LatencySample[];
  let idle: IdleUsage[];
  try {
    await new GuestAgent(vm).installRules(TEST_RULES);
    const probe = new UsbProbe(vm);
    await probe.start([GUEST_PATHS.auditLog, USBGUARD_AUDIT_LOG]);
    samples = await runLatencyRounds(vm, probe, [portcullisEnforcer(vm), usbguardEnforcer(vm)], ROUNDS, log);
    idle = await idlePhase(vm);
  } finally {
    await vm.shutdown();
  }
  writeFileSync(join(vm.runDir, 'bench-results.json'), JSON.stringify({ rounds: ROUNDS, samples, idle }, null, 1));

  console.log(`\nUSB enforcement on a real kernel (Debian ${image.kernelVersion}, QEMU ${vm.accel}, 2 vCPUs), ${ROUNDS} plugs per device and enforcer, same rules`);
  console.log('Portcullis = `portcullis agent --mode enforce`; USBGuard = Debian usbguard-daemon; order alternating each round\n');
  console.log(latencyTable(samples));
  const udev = samples.filter((s) => s.enforcer === 'Portcullis' && s.udevMs !== null).map((s) => s.udevMs as number);
  console.log(`Both hear of a device from the kernel's uevent (Portcullis through udevadm monitor --kernel); udevd's copy, which the usb package would hear, comes later: median ${ms(median(udev))} ms, p95 ${ms(p95(udev))} (n=${udev.length}).\n`);
  const odd = samples.filter((s) => !s.asExpected || s.ms === null);
  if (odd.length > 0) console.log(`Not as expected (left out above where no time was measured): ${odd.map((s) => `round ${s.round} ${s.enforcer} ${s.device}${s.ms === null ? ' (no time)' : ''}`).join('; ')}\n`);
  console.log(`Idle for ${IDLE_SECONDS} s, side by side in the same VM (no devices plugged)\n`);
  console.log(idleTable(idle));
  console.log(`Whole run ${((Date.now() - started) / 60_000).toFixed(1)} min; raw samples: ${join(vm.runDir, 'bench-results.json')}. Ratios are Portcullis / USBGuard; under TCG compare ratios, not milliseconds.`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exitCode = 1;
});
