/** `portcullis devices`: the USB devices present and the decision the policy gives each. It enforces nothing. */
import { hostname, userInfo } from 'node:os';
import type { Device } from '../../devices/device';
import { deviceRule } from '../../devices/device-rule';
import { LinuxSysfsSource } from '../../devices/linux-sysfs-source';
import type { Decision } from '../../policy/decision-engine';
import { loadPolicy, type PolicySource } from '../../policy/load-policy';
import { printRule } from '../../rules/printer';
import { assertNever } from '../../util/assert-never';
import { textTable } from '../../util/text-table';
import { fail, UsageError, type Command } from '../command';
import { parseCommandLine } from '../parse-command-line';

const FORMATS = ['table', 'json', 'usbguard'] as const;
type Format = (typeof FORMATS)[number];

interface Listed {
  device: Device;
  decision: Decision;
}

function policySource(values: { rules?: string; policy?: string; 'trust-key'?: string[] }): PolicySource {
  if (values.rules !== undefined && values.policy !== undefined) throw new UsageError('give --rules FILE or --policy FILE, not both');
  if (values.rules !== undefined) return { kind: 'rules-file', path: values.rules };
  if (values.policy !== undefined) return { kind: 'signed-policy', path: values.policy, trustKeyPaths: values['trust-key'] ?? [] };
  return { kind: 'default' };
}

function parseFormat(text: string | undefined): Format {
  const format = FORMATS.find((f) => f === (text ?? 'table'));
  if (!format) throw new UsageError(`--format must be one of ${FORMATS.join(', ')}, not "${text}"`);
  return format;
}

function formatTable(listed: readonly Listed[]): string {
  if (listed.length === 0) return 'No USB devices found.\n';
  const rows = listed.map(({ device, decision }) => [
    device.kind,
    device.name || '(no name)',
    `${device.id.vendor}:${device.id.product}`,
    device.viaPort,
    decision.target,
    [decision.reason, ...device.warnings.map((w) => `WARNING: ${w}`)].join('; '),
  ]);
  return textTable(['KIND', 'NAME', 'ID', 'PORT', 'DECISION', 'REASON'], rows);
}

/** As `usbguard list-devices`: the daemon numbers devices after its rules, from one counter. */
function formatUsbguard(listed: readonly Listed[], ruleCount: number): string {
  return listed
    .map(({ device, decision }, i) => `${ruleCount + i + 1}: ${printRule(deviceRule(device, { target: decision.target, form: 'full', viaPort: true }))}\n`)
    .join('');
}

export const devicesCommand: Command = {
  path: ['devices'],
  summary: 'List the USB devices present with the decision the policy gives each (enforces nothing)',
  usage:
    'portcullis devices [--sysfs-root DIR] [--rules FILE | --policy SIGNED.json --trust-key KEY...] [--machine NAME] [--user NAME] [--group NAME...] [--format table|json|usbguard]',
  async run(args, io) {
    const { values } = parseCommandLine({
      args,
      options: {
        'sysfs-root': { type: 'string' },
        rules: { type: 'string' },
        policy: { type: 'string' },
        'trust-key': { type: 'string', multiple: true },
        machine: { type: 'string' },
        user: { type: 'string' },
        group: { type: 'string', multiple: true },
        format: { type: 'string' },
      },
    });
    const format = parseFormat(values.format);
    const now = new Date();
    const context = { machine: values.machine ?? hostname(), user: values.user ?? userInfo().username, groups: values.group ?? [] };
    const policy = await loadPolicy(policySource(values), context, now);
    if (!policy.ok) return fail(io, policy.error);
    const scan = await new LinuxSysfsSource({ sysfsRoot: values['sysfs-root'] }).scanUsbDevices();
    for (const skipped of scan.skipped) io.err(`portcullis devices: left out ${skipped.sysfsName}: ${skipped.reason}\n`);
    const env = { now: () => now, random: Math.random, allowedDevices: () => scan.devices.filter((d) => d.authorized) };
    const listed = scan.devices.map((device) => ({ device, decision: policy.value.engine.decide(device, env) }));
    switch (format) {
      case 'table':
        io.out(`Policy: ${policy.value.description}\n\n${formatTable(listed)}`);
        break;
      case 'json':
        io.out(`${JSON.stringify(listed, null, 2)}\n`);
        break;
      case 'usbguard':
        io.out(formatUsbguard(listed, policy.value.ruleCount));
        break;
      default:
        assertNever(format);
    }
    return 0;
  },
};
