/** `portcullis generate-policy`: an allow rule per present USB device, as `usbguard generate-policy` prints them. */
import { generatePolicy, type DeviceRuleForm } from '../../devices/device-rule';
import { LinuxSysfsSource } from '../../devices/linux-sysfs-source';
import type { RuleTarget } from '../../rules/rule';
import { printRule } from '../../rules/printer';
import { UsageError, type Command } from '../command';
import { parseCommandLine } from '../parse-command-line';

const CATCH_ALL_TARGETS: readonly RuleTarget[] = ['allow', 'block', 'reject'];

function parse(args: string[]) {
  return parseCommandLine({
    args,
    allowPositionals: false,
    options: {
      'sysfs-root': { type: 'string' },
      'with-ports': { type: 'boolean', short: 'p', default: false },
      'no-ports-sn': { type: 'boolean', short: 'P', default: false },
      'no-hashes': { type: 'boolean', short: 'X', default: false },
      'hash-only': { type: 'boolean', short: 'H', default: false },
      target: { type: 'string', short: 't' },
    },
  }).values;
}

function catchAllTarget(target: string | undefined): RuleTarget | undefined {
  if (target === undefined) return undefined;
  const known = CATCH_ALL_TARGETS.find((t) => t === target);
  if (!known) throw new UsageError(`--target must be one of ${CATCH_ALL_TARGETS.join(', ')}, not "${target}"`);
  return known;
}

export const generatePolicyCommand: Command = {
  path: ['generate-policy'],
  summary: 'Print an allow rule for every USB device present, as usbguard generate-policy does',
  usage:
    'portcullis generate-policy [--sysfs-root DIR] [-p|--with-ports] [-P|--no-ports-sn] [-X|--no-hashes] [-H|--hash-only] [-t|--target allow|block|reject]',
  async run(args, io) {
    const values = parse(args);
    const catchAll = catchAllTarget(values.target);
    const form: DeviceRuleForm = values['hash-only'] ? 'hash-only' : values['no-hashes'] ? 'no-hashes' : 'full';
    const scan = await new LinuxSysfsSource({ sysfsRoot: values['sysfs-root'] }).scanUsbDevices();
    for (const skipped of scan.skipped) io.err(`portcullis generate-policy: left out ${skipped.sysfsName}: ${skipped.reason}\n`);
    const rules = generatePolicy(scan.devices, {
      form,
      withPorts: values['with-ports'] === true,
      noPortsWithoutSerial: values['no-ports-sn'] === true,
      catchAll,
    });
    io.out(rules.map((rule) => `${printRule(rule)}\n`).join(''));
    return 0;
  },
};
