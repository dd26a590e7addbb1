/** Memory and CPU of idle processes in the guest, read from /proc over a fixed window. */
import type { TestVm } from '../../test/e2e/vm/test-vm';

export interface IdleUsage {
  name: string;
  /** VmRSS, sampled through the window. */
  rssMeanMiB: number;
  rssMaxMiB: number;
  /** RssAnon (the heap and other private memory, not the mapped program), mean. */
  anonMeanMiB: number;
  /** user + system time over the window, including children it waited for, in ms. */
  cpuMs: number;
  /** cpuMs as a share of one CPU over the window. */
  cpuPercent: number;
}

/** The kernel's USER_HZ on x86-64: /proc/PID/stat counts CPU time in 1/100 s. */
const TICKS_PER_SECOND = 100;
const SAMPLE_EVERY_MS = 5000;

/** The process and the children it started (the agent's udevadm monitor), whose memory and CPU count as the agent's. */
async function family(vm: TestVm, pid: number): Promise<number[]> {
  const children = (await vm.guest.request('read', { path: `/proc/${pid}/task/${pid}/children` })) ?? '';
  return [pid, ...children.split(' ').filter(Boolean).map(Number)];
}

async function sumOver(vm: TestVm, pid: number, measure: (vm: TestVm, pid: number) => Promise<number>): Promise<number> {
  const values = await Promise.all((await family(vm, pid)).map((member) => measure(vm, member)));
  return values.reduce((a, b) => a + b, 0);
}

async function cpuTicks(vm: TestVm, pid: number): Promise<number> {
  const stat = await vm.guest.request('read', { path: `/proc/${pid}/stat` });
  if (stat === null) throw new Error(`process ${pid} is gone`);
  // Fields after the command name (which may contain spaces): state is field 3, utime 14, stime 15, cutime 16, cstime 17.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return [11, 12, 13, 14].reduce((sum, i) => sum + Number(fields[i]), 0);
}

/** One line of /proc/PID/status, in KiB. */
function statusKiB(field: 'VmRSS' | 'RssAnon'): (vm: TestVm, pid: number) => Promise<number> {
  return async (vm, pid) => {
    const status = (await vm.guest.request('read', { path: `/proc/${pid}/status` })) ?? '';
    return Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  };
}

const mean = (values: readonly number[]): number => values.reduce((a, b) => a + b, 0) / values.length;

/** Samples every process in `pids` (with its children) together for `seconds`. */
export async function measureIdle(vm: TestVm, pids: Readonly<Record<string, number>>, seconds: number): Promise<IdleUsage[]> {
  const names = Object.keys(pids);
  const pidOf = (name: string): number => pids[name] ?? 0;
  const startTicks = await Promise.all(names.map((n) => sumOver(vm, pidOf(n), cpuTicks)));
  const rss: number[][] = names.map(() => []);
  const anon: number[][] = names.map(() => []);
  const started = Date.now();
  const end = started + seconds * 1000;
  while (Date.now() < end) {
    const sampled = await Promise.all(names.map((n) => sumOver(vm, pidOf(n), statusKiB('VmRSS'))));
    sampled.forEach((value, i) => rss[i]?.push(value));
    const anonSampled = await Promise.all(names.map((n) => sumOver(vm, pidOf(n), statusKiB('RssAnon'))));
    anonSampled.forEach((value, i) => anon[i]?.push(value));
    await new Promise((resolve) => setTimeout(resolve, Math.min(SAMPLE_EVERY_MS, Math.max(0, end - Date.now()))));
  }
  const endTicks = await Promise.all(names.map((n) => sumOver(vm, pidOf(n), cpuTicks)));
  const windowMs = Date.now() - started;
  return names.map((name, i) => {
    const samples = rss[i] ?? [];
    const cpuMs = (((endTicks[i] ?? 0) - (startTicks[i] ?? 0)) * 1000) / TICKS_PER_SECOND;
    return {
      name,
      rssMeanMiB: mean(samples) / 1024,
      rssMaxMiB: Math.max(...samples) / 1024,
      anonMeanMiB: mean(anon[i] ?? []) / 1024,
      cpuMs,
      cpuPercent: (cpuMs / windowMs) * 100,
    };
  });
}
