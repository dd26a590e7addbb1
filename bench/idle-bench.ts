/** Idle locking: how close to its configured time the lock lands on a real X server, and what an hour of idle watching costs in CPU. */
import { FakeScheduler } from '../test/support/fake-scheduler';
import { startXvfb, type XServer } from '../test/support/xvfb';
import { createIdleCommands } from '../src/cli/commands/idle';
import type { CliIo } from '../src/cli/command';
import { systemScheduler } from '../src/devices/scheduler';
import { IdleController } from '../src/idle/idle-controller';
import type { IdleSettings } from '../src/idle/idle-policy';
import { IdleRunner } from '../src/idle/idle-runner';
import { runCommand } from '../src/util/command-runner';
import type { Logger } from '../src/util/logger';

export interface LockAccuracy {
  /** Lock time minus configured time, by the wall clock (from the input xdotool gave to the lock event), ms. */
  wallLateMs: number[];
  /** The X server's idle counter at the lock minus the configured time, ms. */
  serverLateMs: number[];
}

const LOCK_AFTER_MS = 3_000;
const silent: Logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

/** One `portcullis idle run` on the X server: input, then wait for the lock event. */
async function oneLock(x: XServer): Promise<{ wall: number; server: number }> {
  let stop: (reason: string) => void = () => undefined;
  const stopped = new Promise<string>((resolve) => (stop = resolve));
  let locked: (line: { time: string; idleMs: number }) => void = () => undefined;
  const lock = new Promise<{ time: string; idleMs: number }>((resolve) => (locked = resolve));
  const io: CliIo = {
    readStdin: async () => '',
    out: (text) => {
      for (const line of text.split('\n').filter(Boolean)) {
        const event = JSON.parse(line) as { type: string; time: string; idleMs: number };
        if (event.type === 'locking') locked(event);
      }
    },
    err: (text) => process.stderr.write(text),
  };
  const [command] = createIdleCommands({ scheduler: systemScheduler, clock: Date.now, run: runCommand, env: { ...process.env, DISPLAY: x.display }, platform: 'linux', untilStopped: () => stopped });
  await x.input();
  const inputAt = Date.now();
  const done = command!.run(['--idle-source', 'x11', '--lock-after', '3s', '--warn-for', '1s', '--lock-command', 'true'], io);
  const event = await lock;
  stop('measured');
  await done;
  return { wall: Date.parse(event.time) - (inputAt + LOCK_AFTER_MS), server: event.idleMs - LOCK_AFTER_MS };
}

export async function measureLockAccuracy(rounds: number): Promise<LockAccuracy> {
  const x = await startXvfb();
  process.env.DISPLAY = x.display;
  const result: LockAccuracy = { wallLateMs: [], serverLateMs: [] };
  try {
    for (let round = 0; round < rounds; round += 1) {
      const { wall, server } = await oneLock(x);
      result.wallLateMs.push(wall);
      result.serverLateMs.push(server);
    }
  } finally {
    await x.stop();
  }
  return result;
}

/**
 * CPU for one simulated hour of watching an idle session, as the runner does it (a reading every
 * second, a lock, the logoff clock): the controller and runner alone, the idle source answering
 * at once. The idle source's own cost (an xprintidle process a second) is measured separately.
 */
export async function controllerCpuPerHourMs(): Promise<number> {
  const scheduler = new FakeScheduler();
  const settings: IdleSettings = { lockAfterMs: 300_000, logoffAfterMs: 1_800_000, warnForMs: 60_000, presentingLimitMs: 3_600_000, exemptBecause: undefined, source: 'bench' };
  const runner = new IdleRunner({
    controller: new IdleController(settings, 0),
    source: { name: 'callback', idleMs: async () => scheduler.now },
    actions: { lock: async () => ({}), logoff: async () => undefined, describe: () => ({ lock: '', logoff: '' }) },
    scheduler,
    clock: () => scheduler.now,
    onEvent: () => undefined,
    logger: silent,
  });
  const before = process.cpuUsage();
  runner.start();
  for (let second = 0; second < 3600; second += 1) {
    scheduler.advance(1_000);
    await runner.idle();
  }
  await runner.stop();
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1000;
}

/** CPU of reading the idle time from a real X server `count` times (xprintidle processes included), per reading. */
export async function xprintidleCpuPerReadingMs(count: number): Promise<number> {
  const x = await startXvfb();
  try {
    const env = { ...process.env, DISPLAY: x.display };
    const before = process.cpuUsage();
    const childrenBefore = childCpuMs();
    for (let i = 0; i < count; i += 1) await runCommand('xprintidle', [], { env });
    const used = process.cpuUsage(before);
    return ((used.user + used.system) / 1000 + childCpuMs() - childrenBefore) / count;
  } finally {
    await x.stop();
  }
}

/** CPU time of this process's finished children (cutime + cstime in /proc/self/stat), ms. */
function childCpuMs(): number {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const stat: string = require('node:fs').readFileSync('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[13]) + Number(fields[14])) * 10;
}
