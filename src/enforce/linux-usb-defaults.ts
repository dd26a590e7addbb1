/** The root hubs' `authorized_default` and `interface_authorized_default`: finding them, and remembering their values before Portcullis changed them, in a state file that survives a crash. */
import { readdir, readFile, rm } from 'node:fs/promises';
import { posix as path } from 'node:path';
import { z } from 'zod';
import { errorCode } from '../devices/sysfs-files';
import { compareUsbNames } from '../devices/linux-sysfs-source';
import { writeFileAtomic } from '../util/atomic-write';
import { sysfsFailure } from './linux-sysfs-io';

/** The two bus-wide attributes every root hub (`usbN`) carries. */
export const DEFAULT_ATTRIBUTES = ['authorized_default', 'interface_authorized_default'] as const;
export type DefaultAttribute = (typeof DEFAULT_ATTRIBUTES)[number];

/** Where the remembered values live under the agent's state directory. */
export const DEFAULTS_STATE_FILE = 'linux-usb-defaults.json';

const attributeValue = z.string().regex(/^[0-9]+$/, 'expected a number');
const hubValues = z.strictObject({ authorized_default: attributeValue.optional(), interface_authorized_default: attributeValue.optional() });
const stateSchema = z.strictObject({ version: z.literal(1), rootHubs: z.record(z.string(), hubValues) });

/** For each root hub by name, its values from before Portcullis wrote 0 (absent: never known). */
export type RememberedDefaults = Record<string, Partial<Record<DefaultAttribute, string>>>;

/** The root hubs' names (`usb1`, `usb2`, ...) under `bus/usb/devices`, in bus order. */
export async function listRootHubs(sysfsRoot: string): Promise<string[]> {
  const dir = path.join(sysfsRoot, 'bus/usb/devices');
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    throw sysfsFailure('list', dir, error);
  }
  return names.filter((name) => /^usb[0-9]+$/.test(name)).sort(compareUsbNames);
}

export function rootHubFile(sysfsRoot: string, hub: string, attribute: DefaultAttribute): string {
  return path.join(sysfsRoot, 'bus/usb/devices', hub, attribute);
}

/** The remembered values, or none with the reason when the file is unreadable or malformed (a missing file is simply none). */
export async function loadRememberedDefaults(file: string): Promise<{ remembered: RememberedDefaults; problem?: string }> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return { remembered: {} };
    return { remembered: {}, problem: `cannot read ${file} (${errorCode(error) ?? String(error)})` };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { remembered: {}, problem: `${file} is not JSON` };
  }
  const checked = stateSchema.safeParse(json);
  if (!checked.success) return { remembered: {}, problem: `${file} is not a Portcullis defaults file (${checked.error.issues[0]?.message ?? 'invalid'})` };
  return { remembered: checked.data.rootHubs };
}

export async function saveRememberedDefaults(file: string, remembered: RememberedDefaults): Promise<void> {
  await writeFileAtomic(file, `${JSON.stringify({ version: 1, rootHubs: remembered }, null, 2)}\n`, 0o600);
}

export async function forgetRememberedDefaults(file: string): Promise<void> {
  await rm(file, { force: true });
}

/**
 * The value to remember for one attribute. Portcullis only ever writes 0, so a value other than
 * 0 is the system's own (first start, or the kernel's defaults came back with a reboot) and
 * replaces what was remembered. A 0 is Portcullis's own write, seen again after a restart, unless
 * nothing was remembered: then it is the system's (say `usbcore.authorized_default=0`), except
 * when the state file was lost, when nobody knows and nothing is remembered.
 */
export function valueToRemember(remembered: string | undefined, current: string | undefined, stateLost: boolean): string | undefined {
  if (current === undefined) return remembered;
  if (current !== '0') return current;
  return remembered ?? (stateLost ? undefined : current);
}
