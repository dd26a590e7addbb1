/** The guest's control program: runs the host's commands (JSON lines on stdin/stdout = ttyS1) and reports child output as events. */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, readlinkSync, realpathSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { createInterface } from 'node:readline';
import type { DiskInfo, FileCondition, GuestCommands, GuestEvent, GuestRequest, RunResult, UsbDeviceInfo } from '../guest-protocol';

const USB_DEVICES = '/sys/bus/usb/devices';
const POLL_MS = 20;

const monotonicMs = (): number => Number(process.hrtime.bigint() / 1000n) / 1000;
const send = (message: object): void => {
  process.stdout.write(`${JSON.stringify(message)}\n`);
};
const emit = (event: GuestEvent): void => send(event);
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function readText(path: string): string | null {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return null;
  }
}

function readLink(path: string): string | null {
  try {
    return readlinkSync(path);
  } catch {
    return null;
  }
}

function conditionMet(path: string, condition: FileCondition): { met: boolean; value: string | null } {
  const value = readText(path);
  switch (condition.kind) {
    case 'exists':
      return { met: existsSync(path), value };
    case 'absent':
      return { met: !existsSync(path), value };
    case 'equals':
      return { met: value === condition.value, value };
  }
}

async function waitFile(path: string, condition: FileCondition, timeoutMs: number): Promise<{ met: boolean; value: string | null }> {
  const end = monotonicMs() + timeoutMs;
  for (;;) {
    const state = conditionMet(path, condition);
    if (state.met || monotonicMs() >= end) return state;
    await sleep(POLL_MS);
  }
}

function usbInfo(name: string): UsbDeviceInfo {
  const dir = join(USB_DEVICES, name);
  const interfaces = readdirSync(dir)
    .filter((entry) => entry.startsWith(`${name}:`))
    .map((entry) => {
      const driver = readLink(join(dir, entry, 'driver'));
      return { name: entry, driver: driver === null ? null : basename(driver) };
    });
  return { name, serial: readText(join(dir, 'serial')) ?? '', authorized: readText(join(dir, 'authorized')) ?? '', interfaces };
}

async function usbDevice(serial: string, timeoutMs: number): Promise<UsbDeviceInfo | null> {
  const end = monotonicMs() + timeoutMs;
  for (;;) {
    const name = readdirSync(USB_DEVICES).find((n) => /^\d+-[\d.]+$/.test(n) && readText(join(USB_DEVICES, n, 'serial')) === serial);
    if (name !== undefined) return usbInfo(name);
    if (monotonicMs() >= end) return null;
    await sleep(POLL_MS);
  }
}

function disks(): DiskInfo[] {
  return readdirSync('/sys/class/block')
    .filter((name) => /^sd[a-z]+$/.test(name))
    .map((name) => {
      const usb = /\/(\d+-[\d.]+):\d+\.\d+\//.exec(realpathSync(join('/sys/class/block', name)));
      return { name, usbDevice: usb?.[1] ?? null, devNode: existsSync(`/dev/${name}`) };
    });
}

function run(argv: string[], timeoutMs = 30_000): Promise<RunResult> {
  return new Promise((resolve) => {
    const [program, ...args] = argv;
    const child = spawn(program ?? '', args, { stdio: ['ignore', 'pipe', 'pipe'], timeout: timeoutMs });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', (error) => resolve({ status: null, signal: null, stdout, stderr: stderr + String(error) }));
    child.on('close', (status, signal) => resolve({ status, signal, stdout, stderr }));
  });
}

const children = new Map<string, ChildProcess>();

function start(name: string, argv: string[], env: Record<string, string> = {}): { pid: number } {
  if (children.has(name)) throw new Error(`'${name}' is already running`);
  const [program, ...args] = argv;
  const child = spawn(program ?? '', args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  if (child.pid === undefined) throw new Error(`cannot start ${argv.join(' ')}`);
  children.set(name, child);
  for (const stream of ['stdout', 'stderr'] as const) {
    createInterface({ input: child[stream] }).on('line', (line) => emit({ ev: 'line', t: monotonicMs(), name, stream, line }));
  }
  child.on('exit', (code, signal) => {
    children.delete(name);
    emit({ ev: 'exit', t: monotonicMs(), name, code, signal });
  });
  return { pid: child.pid };
}

function stop(name: string, signal: NodeJS.Signals): Promise<{ code: number | null; signal: string | null }> {
  const child = children.get(name);
  if (!child) throw new Error(`'${name}' is not running`);
  return new Promise((resolve) => {
    child.once('exit', (code, sig) => resolve({ code, signal: sig }));
    child.kill(signal);
  });
}

type Handlers = { [K in keyof GuestCommands]: (args: GuestCommands[K]['args']) => GuestCommands[K]['result'] | Promise<GuestCommands[K]['result']> };

const handlers: Handlers = {
  run: ({ argv, timeoutMs }) => run(argv, timeoutMs),
  read: ({ path }) => readText(path),
  write: ({ path, value, mode }) => {
    writeFileSync(path, value, { mode: mode ?? 0o644 });
    return null;
  },
  readlink: ({ path }) => readLink(path),
  waitFile: ({ path, condition, timeoutMs }) => waitFile(path, condition, timeoutMs),
  start: ({ name, argv, env }) => start(name, argv, env),
  signal: ({ name, signal }) => stop(name, signal),
  usbDevice: ({ serial, timeoutMs }) => usbDevice(serial, timeoutMs),
  disks: () => disks(),
  exit: () => {
    for (const child of children.values()) child.kill('SIGKILL');
    setTimeout(() => process.exit(0), 50);
    return null;
  },
};

async function handle(request: GuestRequest): Promise<void> {
  try {
    const handler = handlers[request.cmd] as (args: unknown) => unknown;
    send({ id: request.id, ok: true, result: (await handler(request)) ?? null });
  } catch (error) {
    send({ id: request.id, ok: false, error: error instanceof Error ? error.message : String(error) });
  }
}

createInterface({ input: process.stdin }).on('line', (line) => {
  const start = line.indexOf('{');
  if (start < 0) return;
  let request: GuestRequest;
  try {
    request = JSON.parse(line.slice(start)) as GuestRequest;
  } catch {
    process.stderr.write(`control: not JSON: ${line}\n`);
    return;
  }
  void handle(request);
});

const uptime = readText('/proc/uptime')?.split(' ')[0] ?? '0';
emit({ ev: 'ready', t: monotonicMs(), uptimeMs: Math.round(Number(uptime) * 1000), node: process.version });
