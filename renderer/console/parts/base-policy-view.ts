/** The school's base policy in words for the Settings page: its mode, what happens to a device no rule allows, the base rules with their reasons, other devices and the idle settings. */
import type { BasePolicy } from '../../../src/server/approvals/base-policy';
import { describeScope } from '../../../src/server/approvals/device-words';
import type { IdlePolicyInput } from '../../../src/idle/idle-policy';
import { count, day, el, when } from './dom';
import { dataTable } from './table';

/** The base as its JSON text holds it: idle durations are still words ("5m", "never"). */
export type BaseText = Omit<BasePolicy, 'idle'> & { idle?: IdlePolicyInput };

const MODE_WORDS: Record<BaseText['mode'], string> = {
  enforce: 'Enforce: devices are allowed or blocked as the rules say.',
  audit: 'Audit only: each PC records what it would decide, and blocks nothing.',
};

const TARGET_WORDS: Record<BaseText['implicitTarget'], string> = {
  block: 'Blocked: it stays plugged in but unusable until a rule allows it (staff can ask SLT for approval).',
  reject: 'Rejected: the PC forgets it until it is plugged in again (staff can ask SLT for approval).',
  allow: 'Allowed: every device no rule blocks can be used.',
};

const UNITS: Record<string, [string, string]> = { d: ['day', 'days'], h: ['hour', 'hours'], m: ['minute', 'minutes'], s: ['second', 'seconds'] };

/** "5m" as "5 minutes", "1h30m" as "1 hour 30 minutes"; anything else as it is. */
export function durationWords(text: string | undefined, fallback: string): string {
  if (text === undefined) return fallback;
  if (text === 'never') return 'never';
  const parts = [...text.matchAll(/(\d+)([dhms])/g)];
  if (parts.length === 0 || parts.map((part) => part[0]).join('') !== text) return text;
  return parts.map(([, n = '0', unit = 's']) => `${n} ${(UNITS[unit] ?? ['', ''])[Number(n) === 1 ? 0 : 1]}`).join(' ');
}

function until(expires: string | undefined): string {
  if (expires === undefined) return 'no end';
  return /^\d{4}-\d{2}-\d{2}$/.test(expires) ? day(expires) : when(expires);
}

function idleWords(idle: IdlePolicyInput | undefined): HTMLElement {
  if (idle === undefined) return el('p', {}, "Not set in the base: each PC uses Portcullis's idle defaults.");
  const items = [
    `Locks after ${durationWords(idle.lockAfter, 'the default time')} without keyboard or mouse.`,
    idle.logoffAfter === 'never' ? 'A locked session is never logged off.' : `Logs off ${durationWords(idle.logoffAfter, 'the default time')} after locking.`,
    `Warns ${durationWords(idle.warnFor, 'the default time')} before each.`,
    idle.presentingLimit === '0s' ? 'Presenting mode is not allowed.' : `Presenting mode lasts at most ${durationWords(idle.presentingLimit, 'the default time')}.`,
  ];
  const exempt = [...(idle.exemptUsers ?? []), ...(idle.exemptGroups ?? []).map((group) => `group ${group}`)];
  if (exempt.length > 0) items.push(`Never locked for: ${exempt.join(', ')}.`);
  const overrides = idle.overrides?.length ?? 0;
  if (overrides > 0) items.push(`${count(overrides, 'override')} for particular PCs, groups or staff (in the JSON).`);
  return el('ul', {}, ...items.map((item) => el('li', {}, item)));
}

function otherDevicesWords(base: BaseText): HTMLElement | null {
  const buses = Object.entries(base.otherDevices ?? {});
  if (buses.length === 0) return null;
  return el('p', {}, 'Other devices: ', buses.map(([bus, policy]) => `${bus}: ${policy?.default ?? "Portcullis's default"}${policy?.approvals?.length ? `, ${policy.approvals.length} approved` : ''}`).join('; '), '.');
}

/** The base in words: a definition list for the settings, a table for the rules. */
export function basePolicyView(base: BaseText): HTMLElement {
  return el('div', {},
    el('dl', { class: 'settings' },
      el('dt', {}, 'Mode'), el('dd', {}, MODE_WORDS[base.mode]),
      el('dt', {}, 'A device no rule allows'), el('dd', {}, TARGET_WORDS[base.implicitTarget])),
    dataTable('Base rules, in order (the first that applies decides)', [
      { heading: 'Rule', cell: (entry) => el('code', {}, entry.rule) },
      { heading: 'Why', cell: (entry) => entry.reason ?? 'No reason given' },
      { heading: 'Where and for whom', cell: (entry) => describeScope(entry.scope) },
      { heading: 'Until', cell: (entry) => until(entry.expires) },
    ], base.rules, 'No base rules: only SLT approvals allow devices.'),
    otherDevicesWords(base),
    el('h3', {}, 'When a PC is left unattended'),
    idleWords(base.idle));
}
