/** The JSON-lines protocol between the host harness and the guest control program on ttyS1. */

/** A file condition the guest polls for: it exists, it is gone, or its trimmed text equals a value. */
export type FileCondition = { kind: 'exists' } | { kind: 'absent' } | { kind: 'equals'; value: string };

export interface RunResult {
  status: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
}

export interface UsbInterfaceInfo {
  /** `2-3:1.0` */
  name: string;
  /** The bound driver's name, or null. */
  driver: string | null;
}

export interface UsbDeviceInfo {
  /** The sysfs name, which is the port: `1-2`. */
  name: string;
  serial: string;
  /** The `authorized` attribute: `'1'` or `'0'`. */
  authorized: string;
  interfaces: UsbInterfaceInfo[];
}

export interface DiskInfo {
  /** `sda` */
  name: string;
  /** The USB device it belongs to (`2-3`), if any. */
  usbDevice: string | null;
  /** Whether udev/devtmpfs made `/dev/<name>`. */
  devNode: boolean;
}

export interface ExitInfo {
  code: number | null;
  signal: string | null;
}

/** Every command: its arguments and its result. */
export interface GuestCommands {
  run: { args: { argv: string[]; timeoutMs?: number }; result: RunResult };
  read: { args: { path: string }; result: string | null };
  write: { args: { path: string; value: string; mode?: number }; result: null };
  readlink: { args: { path: string }; result: string | null };
  waitFile: { args: { path: string; condition: FileCondition; timeoutMs: number }; result: { met: boolean; value: string | null } };
  start: { args: { name: string; argv: string[]; env?: Record<string, string> }; result: { pid: number } };
  signal: { args: { name: string; signal: NodeJS.Signals }; result: ExitInfo };
  usbDevice: { args: { serial: string; timeoutMs: number }; result: UsbDeviceInfo | null };
  disks: { args: Record<string, never>; result: DiskInfo[] };
  exit: { args: Record<string, never>; result: null };
}

export type GuestCommand = keyof GuestCommands;

export type GuestRequest = { id: number; cmd: GuestCommand } & Record<string, unknown>;

export type GuestResponse = { id: number; ok: true; result: unknown } | { id: number; ok: false; error: string };

/** Unsolicited events. `t` is the guest's CLOCK_MONOTONIC in ms. */
export type GuestEvent =
  | { ev: 'ready'; t: number; uptimeMs: number; node: string }
  | { ev: 'line'; t: number; name: string; stream: 'stdout' | 'stderr'; line: string }
  | { ev: 'exit'; t: number; name: string; code: number | null; signal: string | null };
