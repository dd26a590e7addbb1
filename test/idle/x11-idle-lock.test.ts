/**
 * `portcullis idle run` on a real X server: real input (xdotool through XTEST), the real X11
 * idle source (xprintidle), real timers, and lock and logoff commands that really run.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createIdleCommands } from '../../src/cli/commands/idle';
import type { CliIo } from '../../src/cli/command';
import { systemScheduler } from '../../src/devices/scheduler';
import { runCommand } from '../../src/util/command-runner';
import { startXvfb, type XServer } from '../support/xvfb';

jest.setTimeout(60_000);

interface EventLine {
  time: string;
  type: string;
  [field: string]: unknown;
}

/** The command's JSON lines as they come, each stamped with when it was printed. */
class EventStream {
  readonly lines: Array<EventLine & { printedAt: number }> = [];
  private waiters: Array<() => void> = [];

  readonly io: CliIo = {
    readStdin: async () => '',
    out: (text) => {
      for (const line of text.split('\n').filter(Boolean)) this.lines.push({ ...(JSON.parse(line) as EventLine), printedAt: Date.now() });
      this.waiters.forEach((wake) => wake());
    },
    err: (text) => {
      throw new Error(`unexpected error output: ${text}`);
    },
  };

  async next(match: (line: EventLine) => boolean, timeoutMs = 15_000, from = 0): Promise<EventLine & { printedAt: number }> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.lines.slice(from).find(match);
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`no matching event in ${timeoutMs} ms; got:\n${this.lines.map((l) => JSON.stringify(l)).join('\n')}`);
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 100);
      });
    }
  }
}

let x: XServer;
let dir: string;
let stop: (reason: string) => void;
let running: Promise<number> | undefined;
let savedDisplay: string | undefined;

beforeAll(async () => {
  x = await startXvfb();
  savedDisplay = process.env.DISPLAY;
  process.env.DISPLAY = x.display;
});
afterAll(async () => {
  process.env.DISPLAY = savedDisplay;
  if (savedDisplay === undefined) delete process.env.DISPLAY;
  await x.stop();
});
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'idle-x11-'));
});
afterEach(async () => {
  stop('test over');
  await running;
  running = undefined;
  const pid = await readFile(join(dir, 'locker.pid'), 'utf8').catch(() => '');
  if (pid.trim()) {
    try {
      process.kill(Number(pid));
    } catch {
      // already gone
    }
  }
  await rm(dir, { recursive: true, force: true });
});

/** Runs `portcullis idle run` with a locker that keeps running until it is killed (xautolock style), and a logoff that writes a line. */
async function startIdleRun(extraArgs: string[] = []): Promise<{ events: EventStream; done: Promise<number>; actions: (expected?: string[]) => Promise<string[]> }> {
  const actionsFile = join(dir, 'actions');
  await writeFile(join(dir, 'agent.json'), JSON.stringify({ idle: { lockAfter: '4s', warnFor: '2s', logoffAfter: '5s' } }));
  const events = new EventStream();
  const stopped = new Promise<string>((resolve) => (stop = resolve));
  const [command] = createIdleCommands({ scheduler: systemScheduler, clock: Date.now, run: runCommand, env: process.env, platform: 'linux', untilStopped: () => stopped });
  const done = command!.run(
    [
      ...['--config', join(dir, 'agent.json'), '--idle-source', 'x11'],
      ...['--lock-command', `echo $$ > '${dir}/locker.pid'; echo locked >> '${actionsFile}'; exec sleep 600`],
      ...['--logoff-command', `echo logged-off >> '${actionsFile}'`],
      ...['--audit-log', join(dir, 'audit.jsonl')],
      ...extraArgs,
    ],
    events.io,
  );
  running = done;
  /** The commands that ran, once they are `expected` (a command that was started needs a moment to write its line), or as they are after 3 s. */
  const actions = async (expected?: string[]): Promise<string[]> => {
    for (let waited = 0; ; waited += 50) {
      const ran = (await readFile(actionsFile, 'utf8').catch(() => '')).split('\n').filter(Boolean);
      if (expected === undefined || JSON.stringify(ran) === JSON.stringify(expected) || waited >= 3_000) return ran;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };
  return { events, done, actions };
}

it('locks within a second of the threshold, keeps the lock through later input, and logs off when the time after the lock is up', async () => {
  await x.input();
  const inputAt = Date.now();
  const { events, done, actions } = await startIdleRun();
  expect(await events.next((e) => e.type === 'started')).toEqual(expect.objectContaining({ source: 'x11', lockAfterMs: 4000, warnForMs: 2000, logoffAfterMs: 5000 }));

  const warning = await events.next((e) => e.type === 'warning' && e.action === 'lock');
  expect(Date.parse(warning.deadline as string) - inputAt).toBeGreaterThanOrEqual(3_900);
  const locking = await events.next((e) => e.type === 'locking');
  const late = Date.parse(locking.time) - (inputAt + 4_000);
  expect(late).toBeGreaterThanOrEqual(-100);
  expect(late).toBeLessThan(1_000);
  expect(locking.idleMs).toBeGreaterThanOrEqual(4_000);
  expect(locking.idleMs).toBeLessThan(5_000);
  expect(await actions(['locked'])).toEqual(['locked']);

  const afterLock = events.lines.length;
  await x.input();
  const logoffWarning = await events.next((e) => e.type === 'warning' && e.action === 'logoff', 10_000, afterLock);
  expect(events.lines.slice(afterLock).filter((e) => e.type === 'warning-dismissed' || (e.type === 'state' && e.to === 'active'))).toEqual([]);
  const loggingOff = await events.next((e) => e.type === 'logging-off', 10_000, afterLock);
  expect(Date.parse(loggingOff.time) - Date.parse(locking.time)).toBeGreaterThanOrEqual(5_000);
  expect(Date.parse(loggingOff.time) - Date.parse(logoffWarning.time)).toBeGreaterThanOrEqual(1_900);
  expect(await done).toBe(0);
  expect(await actions(['locked', 'logged-off'])).toEqual(['locked', 'logged-off']);
  expect(events.lines.at(-1)).toEqual(expect.objectContaining({ type: 'stopped', reason: 'logged off' }));

  const audit = (await readFile(join(dir, 'audit.jsonl'), 'utf8')).split('\n').filter(Boolean).map((line) => JSON.parse(line) as { event: { type: string; by?: string } });
  expect(audit.map((record) => record.event.type)).toEqual(['idle-warning', 'idle-locked', 'idle-warning', 'idle-logged-off']);
  expect(audit[1]?.event.by).toBe('command');
});

it('cancels the lock warning on input, and locks only after a new idle period', async () => {
  await x.input();
  const { events, done, actions } = await startIdleRun(['--lock-after', '3s', '--warn-for', '2s']);
  await events.next((e) => e.type === 'warning' && e.action === 'lock');
  await x.input();
  const inputAt = Date.now();
  const dismissed = await events.next((e) => e.type === 'warning-dismissed');
  expect(dismissed).toEqual(expect.objectContaining({ action: 'lock', by: 'input' }));
  expect(Date.parse(dismissed.time) - inputAt).toBeLessThan(1_500);
  const locking = await events.next((e) => e.type === 'locking');
  expect(Date.parse(locking.time) - inputAt).toBeGreaterThanOrEqual(2_900);
  expect(await actions(['locked'])).toEqual(['locked']);
  stop('test over');
  expect(await done).toBe(0);
});

it('treats the locker exiting as the unlock: idle counts again from then', async () => {
  await x.input();
  const { events, done } = await startIdleRun(['--lock-after', '2s', '--warn-for', '1s', '--logoff-after', '20s']);
  await events.next((e) => e.type === 'locking');
  // Past the half second in which a configured lock command that exits counts as a failed lock.
  await new Promise((resolve) => setTimeout(resolve, 800));
  await x.input();
  process.kill(Number(await readFile(join(dir, 'locker.pid'), 'utf8')));
  expect(await events.next((e) => e.type === 'state' && e.from === 'locked' && e.to === 'active')).toBeDefined();
  stop('test over');
  expect(await done).toBe(0);
});
