/** Compiles the SLT allowlist into Windows's Device Installation Restrictions policy and writes or removes it with reg.exe. */
import type { CommandOutput, CommandRunner } from '../util/command-runner';
import type { EnforcementResult } from './enforcer';

/** Group Policy's key for System > Device Installation > Device Installation Restrictions (DeviceInstallation.admx). */
export const RESTRICTIONS_KEY = 'HKLM\\SOFTWARE\\Policies\\Microsoft\\Windows\\DeviceInstall\\Restrictions';
export const REG = 'reg.exe';

/** What SLT approved, as install policy can express it. */
export interface InstallAllowlist {
  /** Approved models: any device with this vendor and product id. Four hex digits each. */
  models: { vendor: string; product: string }[];
  /** Approved single devices: this vendor, product and serial number. */
  devices: { vendor: string; product: string; serial: string }[];
}

export type RegistryValue = { name: string; type: 'REG_DWORD'; data: number } | { name: string; type: 'REG_SZ'; data: string };

export interface RegistryKey {
  key: string;
  values: RegistryValue[];
}

/**
 * Device setup classes whose new devices Windows refuses unless an Allow list names them:
 * USB (USB storage, composite parents, printers, hubs and controllers), USBDevice (WinUSB and
 * vendor devices) and WPD (phones and cameras over MTP/PTP). Keyboards, mice (HIDClass) and
 * storage volumes of approved sticks are other classes and are not refused.
 */
export const DENIED_SETUP_CLASSES: readonly string[] = [
  '{36fc9e60-c465-11cf-8056-444553540000}',
  '{88bae032-5a81-49f0-bc3d-a4ff138216d6}',
  '{eec5ad98-8080-425f-922a-dabf3de3f69a}',
];

/**
 * Hardware and compatible IDs that stay installable so nobody is locked out: host controllers,
 * root hubs and hubs (Microsoft's list for this scenario, plus any hub by its class); composite
 * parents, so a keyboard with media keys or a wireless receiver can install its HID functions,
 * each of which is then judged on its own; and the WPD view of a mounted volume (wpdfs.inf's
 * `WPDBUSENUM\FS`), which only exists for a disk whose stick was allowed.
 */
export const ALWAYS_ALLOWED_IDS: readonly string[] = [
  'PCI\\CC_0C03',
  'PCI\\CC_0C0330',
  'PNP0CA1',
  'PNP0CA1&HOST',
  'USB\\ROOT_HUB20',
  'USB\\ROOT_HUB30',
  'USB\\USB20_HUB',
  'USB\\Class_09',
  'USB\\COMPOSITE',
  'WPDBUSENUM\\FS',
];

/**
 * Interface functions (`&MI_00` to `&MI_07`) allowed with each approved device: a composite
 * device's functions are separate device nodes with their own IDs, and their numbers are not
 * known before the device is seen.
 */
export const APPROVED_FUNCTIONS = 8;

function hex4(id: string, what: string): string {
  if (!/^[0-9a-f]{4}$/i.test(id)) throw new Error(`${what} "${id}" is not four hex digits`);
  return id.toUpperCase();
}

function modelId(vendor: string, product: string): string {
  return `USB\\VID_${hex4(vendor, 'vendor id')}&PID_${hex4(product, 'product id')}`;
}

function numbered(key: string, ids: readonly string[]): RegistryKey {
  return { key, values: ids.map((data, i) => ({ name: String(i + 1), type: 'REG_SZ', data })) };
}

/**
 * The policy as registry keys: the main key's switches, then the numbered lists. Layered
 * evaluation (Windows 10 2004 with KB5004296, Windows 11) lets an Allow on a device or instance ID
 * override the class-wide Deny; `DenyDeviceClassesRetroactive` is 0 because 1 would remove the
 * already installed host controllers and hubs, which are in the USB class.
 */
export function compileInstallRestrictions(allowlist: InstallAllowlist): RegistryKey[] {
  const approved = [...allowlist.models, ...allowlist.devices].map((d) => modelId(d.vendor, d.product));
  const functions = approved.flatMap((id) => Array.from({ length: APPROVED_FUNCTIONS }, (_, n) => `${id}&MI_${n.toString(16).toUpperCase().padStart(2, '0')}`));
  const modelIds = allowlist.models.map((d) => modelId(d.vendor, d.product));
  const deviceIds = [...new Set([...ALWAYS_ALLOWED_IDS, ...modelIds, ...functions])];
  const instanceIds = [...new Set(allowlist.devices.map((d) => `${modelId(d.vendor, d.product)}\\${d.serial}`))];
  const dword = (name: string, data: number): RegistryValue => ({ name, type: 'REG_DWORD', data });
  return [
    {
      key: RESTRICTIONS_KEY,
      values: [
        dword('AllowDenyLayered', 1),
        dword('DenyDeviceClasses', 1),
        dword('DenyDeviceClassesRetroactive', 0),
        dword('AllowDeviceIDs', 1),
        dword('AllowInstanceIDs', instanceIds.length > 0 ? 1 : 0),
      ],
    },
    numbered(`${RESTRICTIONS_KEY}\\DenyDeviceClasses`, DENIED_SETUP_CLASSES),
    numbered(`${RESTRICTIONS_KEY}\\AllowDeviceIDs`, deviceIds),
    numbered(`${RESTRICTIONS_KEY}\\AllowInstanceIDs`, instanceIds),
  ];
}

/** The list subkeys and switch values Portcullis owns in the Restrictions key. */
const LIST_SUBKEYS = ['DenyDeviceClasses', 'AllowDeviceIDs', 'AllowInstanceIDs'] as const;
const SWITCHES = ['AllowDenyLayered', 'DenyDeviceClasses', 'DenyDeviceClassesRetroactive', 'AllowDeviceIDs', 'AllowInstanceIDs'] as const;

/** reg.exe argument lists that clear the old lists (so no stale entry survives), then write every value. */
export function restrictionsCommands(keys: readonly RegistryKey[]): string[][] {
  const clear = LIST_SUBKEYS.map((sub) => ['delete', `${RESTRICTIONS_KEY}\\${sub}`, '/f']);
  const add = keys.flatMap(({ key, values }) => values.map((v) => ['add', key, '/v', v.name, '/t', v.type, '/d', String(v.data), '/f']));
  return [...clear, ...add];
}

/** reg.exe argument lists that remove everything Portcullis wrote, leaving any other Restrictions value alone. */
function removalCommands(): string[][] {
  return [...LIST_SUBKEYS.map((sub) => ['delete', `${RESTRICTIONS_KEY}\\${sub}`, '/f']), ...SWITCHES.map((name) => ['delete', RESTRICTIONS_KEY, '/v', name, '/f'])];
}

/** reg.exe's words when a key or value to delete does not exist: nothing to do. */
function isMissing(output: CommandOutput): boolean {
  return output.exitCode !== 0 && /unable to find the specified registry key or value/i.test(`${output.stderr}\n${output.stdout}`);
}

function failure(args: readonly string[], output: CommandOutput): string {
  const said = (output.stderr.trim() || output.stdout.trim()).split(/\r?\n/)[0] ?? '';
  const hint = /access is denied/i.test(said) ? ' (the agent must run as SYSTEM or an administrator)' : '';
  return `reg ${args.slice(0, 2).join(' ')} failed (exit ${output.exitCode})${said ? `: ${said}` : ''}${hint}`;
}

/** Runs reg.exe argument lists in order; a delete of something absent is fine; stops at the first other failure. */
async function runRegCommands(run: CommandRunner, commands: readonly string[][], done: string): Promise<EnforcementResult> {
  for (const args of commands) {
    const output = await run(REG, args);
    if (output.exitCode === 0 || (args[0] === 'delete' && isMissing(output))) continue;
    return { ok: false, error: failure(args, output) };
  }
  return { ok: true, detail: done };
}

/** Writes the compiled policy. */
export function writeInstallRestrictions(run: CommandRunner, keys: readonly RegistryKey[]): Promise<EnforcementResult> {
  const lists = keys.slice(1).map((k) => `${k.values.length} ${k.key.slice(RESTRICTIONS_KEY.length + 1)}`);
  return runRegCommands(run, restrictionsCommands(keys), `Device Installation Restrictions written to ${RESTRICTIONS_KEY}: ${lists.join(', ')}`);
}

/** Removes Portcullis's restrictions: Windows installs any device again. */
export function removeInstallRestrictions(run: CommandRunner): Promise<EnforcementResult> {
  return runRegCommands(run, removalCommands(), `Portcullis's Device Installation Restrictions removed from ${RESTRICTIONS_KEY}`);
}
