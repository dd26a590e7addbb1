/** Builds a real sysfs-shaped directory tree from a umockdev recording, as `umockdev-run` does, so tests need no LD_PRELOAD. */
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { posix as path } from 'node:path';

/** One device paragraph of a recording. */
export interface UmockdevDevice {
  /** `/devices/...` */
  path: string;
  subsystem: string;
  /** `E:` lines, in order: they become the `uevent` file. */
  properties: Array<[string, string]>;
  /** `A:` (unescaped) and `H:` (hex-decoded) lines. */
  attributes: Array<[string, Buffer]>;
  /** `L:` lines: attribute name and link target. */
  links: Array<[string, string]>;
}

/** Subsystems umockdev files under `/sys/bus` (with a `devices/` link); the rest go under `/sys/class`. */
const BUS_SUBSYSTEMS = new Set([
  'usb', 'pci', 'hid', 'platform', 'acpi', 'scsi', 'serio', 'sdio', 'mmc', 'i2c', 'spi', 'pnp', 'virtio', 'gpio', 'thunderbolt', 'typec', 'usb-serial',
]);

const SIMPLE_ESCAPES: Record<string, number> = { b: 0x08, f: 0x0c, n: 0x0a, r: 0x0d, t: 0x09, v: 0x0b };

/** GLib's g_strcompress, which umockdev applies to `A:` values: C escapes and octal `\NNN` become bytes. */
export function strcompress(value: string): Buffer {
  const input = Buffer.from(value, 'utf8');
  const out: number[] = [];
  for (let i = 0; i < input.length; i += 1) {
    const byte = input[i] ?? 0;
    if (byte !== 0x5c) {
      out.push(byte);
      continue;
    }
    i += 1;
    if (i >= input.length) throw new Error(`trailing backslash in attribute value ${JSON.stringify(value)}`);
    const next = String.fromCharCode(input[i] ?? 0);
    const octal = /^[0-7]{1,3}/.exec(input.subarray(i, i + 3).toString('latin1'));
    if (octal) {
      out.push(Number.parseInt(octal[0], 8) & 0xff);
      i += octal[0].length - 1;
    } else {
      out.push(SIMPLE_ESCAPES[next] ?? input[i] ?? 0);
    }
  }
  return Buffer.from(out);
}

function parseParagraph(lines: string[]): UmockdevDevice {
  const first = /^P: (.*)$/.exec(lines[0] ?? '');
  if (!first?.[1]?.startsWith('/devices/')) throw new Error(`a device must start with "P: /devices/...", found ${JSON.stringify(lines[0])}`);
  const device: UmockdevDevice = { path: first[1], subsystem: '', properties: [], attributes: [], links: [] };
  for (const line of lines.slice(1)) {
    const keyValue = /^([EAHL]): ([^=\n]+)=(.*)$/.exec(line);
    const [, type, key = '', value = ''] = keyValue ?? [];
    if (type === 'E') {
      device.properties.push([key, key === 'DEVNAME' && value.startsWith('/dev/') ? value.slice(5) : value]);
      if (key === 'SUBSYSTEM') device.subsystem = value;
    } else if (type === 'A') {
      device.attributes.push([key, strcompress(value)]);
    } else if (type === 'H') {
      if (!/^([0-9A-Fa-f]{2})*$/.test(value)) throw new Error(`bad hex in ${device.path} ${key}`);
      device.attributes.push([key, Buffer.from(value, 'hex')]);
    } else if (type === 'L') {
      device.links.push([key, value]);
    } else if (!/^[NS]: /.test(line)) {
      throw new Error(`malformed line in the description of ${device.path}: ${JSON.stringify(line)}`);
    }
  }
  if (device.subsystem === '') throw new Error(`missing SUBSYSTEM property in the description of ${device.path}`);
  return device;
}

/** Parses a `.umockdev` recording into its device paragraphs. */
export function parseUmockdev(text: string): UmockdevDevice[] {
  return text
    .split(/\n(?:[ \t]*\n)+/)
    .map((paragraph) => paragraph.split('\n').filter((line) => line !== ''))
    .filter((lines) => lines.length > 0)
    .map(parseParagraph);
}

async function link(target: string, at: string): Promise<void> {
  await mkdir(path.dirname(at), { recursive: true });
  await rm(at, { force: true });
  await symlink(target, at);
}

/** `../` enough times to climb from `/sys/<devicePath>` back up to `/sys`. */
function upToSys(devicePath: string): string {
  return '../'.repeat(devicePath.split('/').filter(Boolean).length);
}

async function materializeDevice(sys: string, device: UmockdevDevice): Promise<void> {
  const dir = path.join(sys, device.path);
  const name = path.basename(device.path);
  await mkdir(dir, { recursive: true });
  const isBus = BUS_SUBSYSTEMS.has(device.subsystem);
  const home = isBus ? path.join('bus', device.subsystem) : path.join('class', device.subsystem);
  await link(`${upToSys(device.path)}${home}`, path.join(dir, 'subsystem'));
  if (isBus) await link(`../../..${device.path}`, path.join(sys, home, 'devices', name));
  else await link(`../..${device.path}`, path.join(sys, home, name));
  await writeFile(path.join(dir, 'uevent'), device.properties.map(([k, v]) => `${k}=${v}\n`).join(''));
  for (const [key, value] of device.attributes) {
    // Attributes may sit in subdirectories (`power/control`); umockdev creates those.
    await mkdir(path.dirname(path.join(dir, key)), { recursive: true });
    await writeFile(path.join(dir, key), value);
    if (key === 'dev') {
      const kind = device.path.includes('/block/') ? 'block' : 'char';
      await link(`../..${device.path}`, path.join(sys, 'dev', kind, value.toString('latin1').trim()));
    }
  }
  for (const [key, target] of device.links) await link(target, path.join(dir, key));
}

/** Writes the recording's devices under `<rootDir>/sys` and returns that sysfs root. */
export async function materializeUmockdev(text: string, rootDir: string): Promise<string> {
  const sys = path.join(rootDir, 'sys');
  await mkdir(path.join(sys, 'class'), { recursive: true });
  for (const device of parseUmockdev(text)) await materializeDevice(sys, device);
  return sys;
}

export interface UmockdevTree {
  sysfsRoot: string;
  cleanup(): Promise<void>;
}

/** Materialises a recording file in a fresh temporary directory; call `cleanup()` when done. */
export async function loadUmockdevTree(file: string): Promise<UmockdevTree> {
  const rootDir = await mkdtemp(path.join(tmpdir(), 'portcullis-umockdev-'));
  const sysfsRoot = await materializeUmockdev(await readFile(file, 'utf8'), rootDir);
  return { sysfsRoot, cleanup: () => rm(rootDir, { recursive: true, force: true }) };
}
