/** A synthetic school policy for benchmarks: mostly per-device approvals, a few general rules. */
import type { Rule } from '../src/rules/rule';
import type { MatchableDevice } from '../src/rules/device-match';
import type { RuleEntry } from '../src/rules/rule-set';

const hex4 = (n: number): string => (n & 0xffff).toString(16).padStart(4, '0');

/** The device approved by approval number `n`. */
export function approvedDevice(n: number): MatchableDevice {
  return {
    id: { vendor: hex4(0x0781 + (n % 37)), product: hex4(0x5500 + (n % 211)) },
    serial: `SN${n.toString(36).toUpperCase().padStart(8, '0')}`,
    name: `Stick ${n % 211}`,
    hash: Buffer.from(`hash-${n}`).toString('base64'),
    parentHash: 'jEP/6WzviqdJ5VSeTUY8PatCNBKeaREvo2OqdplND/o=',
    viaPort: `1-${(n % 4) + 1}`,
    interfaces: [{ classCode: 0x08, subclass: 0x06, protocol: 0x50 }],
    connectType: 'hotplug',
  };
}

/** A device no approval names. */
export function unknownDevice(n: number): MatchableDevice {
  return { ...approvedDevice(n), serial: `UNKNOWN${n}` };
}

function approval(n: number): Rule {
  const d = approvedDevice(n);
  return {
    target: 'allow',
    id: { operator: undefined, values: [d.id] },
    serial: { operator: undefined, values: [d.serial] },
    name: { operator: undefined, values: [d.name] },
    withInterface: { operator: undefined, values: [{ classCode: '08', subclass: '06', protocol: '50' }] },
  };
}

/** General rules every school keeps ahead of the approvals: hubs, keyboards and mice. */
const GENERAL: Rule[] = [
  { target: 'allow', withInterface: { operator: 'equals', values: [{ classCode: '09', subclass: '00', protocol: '*' }] } },
  { target: 'allow', withInterface: { operator: 'match-all', values: [{ classCode: '03', subclass: '*', protocol: '*' }] } },
  { target: 'reject', withInterface: { operator: 'all-of', values: [{ classCode: '08', subclass: '*', protocol: '*' }, { classCode: '03', subclass: '01', protocol: '01' }] } },
];

export function syntheticPolicy(approvals: number): RuleEntry<null>[] {
  const rules = [...GENERAL, ...Array.from({ length: Math.max(0, approvals - GENERAL.length) }, (_, n) => approval(n))];
  return rules.map((rule) => ({ rule, text: '', meta: null }));
}
