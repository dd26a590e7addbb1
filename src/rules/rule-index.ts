/**
 * An index over an ordered rule list so that a decision looks only at rules that could apply:
 * most of a school's policy is approvals naming one device (`allow id V:P serial "S" ...`).
 */
import type { Rule, RuleAttribute, SetOperator } from './rule';
import type { MatchableDevice } from './device-match';

/** Operators under which a rule can only apply if the device's value equals one of the rule's values. */
const NARROWING: ReadonlySet<SetOperator | undefined> = new Set([undefined, 'equals', 'equals-ordered', 'one-of', 'all-of']);

function exactValues<T>(attribute: RuleAttribute<T> | undefined, isExact: (v: T) => boolean): T[] | undefined {
  if (!attribute || attribute.values.length === 0 || !NARROWING.has(attribute.operator)) return undefined;
  return attribute.values.every(isExact) ? attribute.values : undefined;
}

const idKey = (vendor: string, product: string): string => `${vendor}:${product}`;
const idSerialKey = (id: string, serial: string): string => `${id}\u0000${serial}`;

function push(map: Map<string, number[]>, key: string, position: number): void {
  const list = map.get(key);
  if (!list) map.set(key, [position]);
  else if (list[list.length - 1] !== position) list.push(position);
}

/** Merges ascending position lists into one ascending list without duplicates. */
function mergeAscending(lists: readonly (readonly number[])[]): number[] {
  const nonEmpty = lists.filter((l) => l.length > 0);
  if (nonEmpty.length === 1) return nonEmpty[0] as number[];
  const out: number[] = [];
  const cursors = nonEmpty.map(() => 0);
  for (;;) {
    let best = -1;
    let bestValue = Infinity;
    nonEmpty.forEach((list, i) => {
      const value = list[cursors[i] as number];
      if (value !== undefined && value < bestValue) {
        bestValue = value;
        best = i;
      }
    });
    if (best < 0) return out;
    cursors[best] = (cursors[best] as number) + 1;
    if (out[out.length - 1] !== bestValue) out.push(bestValue);
  }
}

export class RuleIndex {
  private readonly byIdSerial = new Map<string, number[]>();
  private readonly byId = new Map<string, number[]>();
  private readonly unindexed: number[] = [];

  constructor(rules: readonly Rule[]) {
    rules.forEach((rule, position) => this.add(rule, position));
  }

  /** Positions, ascending, of every rule that could apply to `device`; all others cannot. */
  candidates(device: MatchableDevice): readonly number[] {
    const id = idKey(device.id.vendor, device.id.product);
    return mergeAscending([this.byIdSerial.get(idSerialKey(id, device.serial)) ?? [], this.byId.get(id) ?? [], this.unindexed]);
  }

  private add(rule: Rule, position: number): void {
    const ids = exactValues(rule.id, (v) => v.vendor !== '*' && v.product !== '*');
    if (!ids) {
      this.unindexed.push(position);
      return;
    }
    const serials = exactValues(rule.serial, () => true);
    for (const id of ids) {
      const key = idKey(id.vendor, id.product);
      if (serials) for (const serial of serials) push(this.byIdSerial, idSerialKey(key, serial), position);
      else push(this.byId, key, position);
    }
  }
}
