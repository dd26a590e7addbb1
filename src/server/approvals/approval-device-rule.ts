/** The USBGuard `allow` rule an approval gives a requested device: by serial, by model (with its interfaces) or by hash, built as data and printed. */

import { interfacePattern, single } from '../../devices/device-rule';
import type { Result } from '../../policy/policy-document';
import { compileDeviceMatch } from '../../rules/device-match';
import { parseRule, RuleSyntaxError } from '../../rules/parser';
import { printRule } from '../../rules/printer';
import type { Rule } from '../../rules/rule';
import { assertNever } from '../../util/assert-never';
import { makerAndModel, vendorProduct, type RequestedDevice } from './device-words';

/** How much of the device an approval covers. */
export type DeviceScopeKind = 'serial' | 'model' | 'hash';

const HEX4 = /^[0-9a-fA-F]{4}$/;

function isByte(n: number): boolean {
  return Number.isInteger(n) && n >= 0 && n <= 0xff;
}

/** Why the device's description cannot go into a rule at all, or undefined. */
function descriptionProblem(device: RequestedDevice): string | undefined {
  if (!HEX4.test(device.id.vendor) || !HEX4.test(device.id.product)) {
    return `the device's vendor:product id "${vendorProduct(device)}" is not two groups of four hex digits, so no rule can name it`;
  }
  if (!device.interfaces.every((i) => isByte(i.classCode) && isByte(i.subclass) && isByte(i.protocol))) {
    return 'the device reports an interface whose class, subclass or protocol is not a number from 0 to 255';
  }
  return undefined;
}

/**
 * The rule's attributes for `scope`. A serial or model rule carries the device's whole
 * interface set (`with-interface equals {...}`, as `usbguard generate-policy` writes it), so
 * a device that also presents a keyboard is not approved as a plain stick, nor a plain stick's
 * approval taken over by one that adds a keyboard. `pinName` adds the reported name (used
 * when only an encrypted model was approved).
 */
function ruleFor(device: RequestedDevice, scope: DeviceScopeKind, pinName: boolean): Result<Rule> {
  const rule: Rule = { target: 'allow' };
  const withInterface = device.interfaces.length > 0 ? { operator: undefined, values: device.interfaces.map(interfacePattern) } : undefined;
  switch (scope) {
    case 'serial':
      if (device.serial.trim() === '') {
        return {
          ok: false,
          error: `${makerAndModel(device)} (${vendorProduct(device)}) reports no serial number, so it cannot be approved as this one device: approve it by model (every device of this model) or by hash (this exact device description)`,
        };
      }
      rule.id = single({ vendor: device.id.vendor, product: device.id.product });
      rule.serial = single(device.serial);
      break;
    case 'model':
      if (withInterface === undefined) {
        return { ok: false, error: `${makerAndModel(device)} (${vendorProduct(device)}) reports no interfaces, so its model cannot be told from other devices with the same id: approve it by serial or by hash` };
      }
      rule.id = single({ vendor: device.id.vendor, product: device.id.product });
      break;
    case 'hash':
      if (device.hash.trim() === '') return { ok: false, error: `${makerAndModel(device)} (${vendorProduct(device)}) has no device hash, so it cannot be approved by hash` };
      rule.hash = single(device.hash);
      return { ok: true, value: rule };
    default:
      return assertNever(scope);
  }
  if (pinName) rule.name = single(device.name);
  if (withInterface !== undefined) rule.withInterface = withInterface;
  return { ok: true, value: rule };
}

/**
 * The canonical text of the `allow` rule for `device` under `scope`, checked by parsing it
 * back: it must reprint to itself and match the device it approves.
 */
export function approvalRuleText(device: RequestedDevice, scope: DeviceScopeKind, pinName = false): Result<string> {
  const problem = descriptionProblem(device);
  if (problem !== undefined) return { ok: false, error: problem };
  const built = ruleFor(device, scope, pinName);
  if (!built.ok) return built;
  const text = printRule(built.value);
  let reparsed: Rule;
  try {
    reparsed = parseRule(text);
  } catch (error) {
    if (error instanceof RuleSyntaxError) return { ok: false, error: `the rule for this device does not parse back (${error.message}): ${text}` };
    throw error;
  }
  if (printRule(reparsed) !== text) return { ok: false, error: `the rule for this device does not print back the same: ${text}` };
  const matchable = { ...device, parentHash: '', viaPort: '', connectType: '' };
  if (!compileDeviceMatch(reparsed)(matchable)) return { ok: false, error: `the rule for this device does not match the device: ${text}` };
  return { ok: true, value: text };
}
