/** USBGuard's set operators: how a rule's value set is compared with a device's value set. */
import type { SetOperator } from './rule';
import { assertNever } from '../util/assert-never';

/** `covers(ruleValue, deviceValue)`: the rule's value (perhaps a pattern) matches the device's value. */
export type Covers<R, D> = (ruleValue: R, deviceValue: D) => boolean;

/**
 * Whether a rule attribute with `operator` and `ruleValues` applies to a device whose attribute
 * holds `deviceValues`. An absent operator means `equals` (USBGuard's default). An empty rule
 * set applies to everything, as in USBGuard.
 *
 * `match-all` (every device value is covered by some rule value) follows USBGuard's manual.
 * USBGuard 1.1.2's code differs for string and id attributes (its generic `isSupersetOf` is
 * unimplemented and returns true; for ids it ignores wildcards); Portcullis keeps the documented
 * meaning, which never matches more than the manual promises.
 */
export function setApplies<R, D>(operator: SetOperator | undefined, ruleValues: readonly R[], deviceValues: readonly D[], covers: Covers<R, D>): boolean {
  if (ruleValues.length === 0) return true;
  const op = operator ?? 'equals';
  switch (op) {
    case 'all-of':
      return ruleValues.every((r) => deviceValues.some((d) => covers(r, d)));
    case 'one-of':
      return ruleValues.some((r) => deviceValues.some((d) => covers(r, d)));
    case 'none-of':
      return !ruleValues.some((r) => deviceValues.some((d) => covers(r, d)));
    case 'equals':
      return ruleValues.length === deviceValues.length && ruleValues.every((r) => deviceValues.some((d) => covers(r, d)));
    case 'equals-ordered':
      return ruleValues.length === deviceValues.length && ruleValues.every((r, i) => covers(r, deviceValues[i] as D));
    case 'match-all':
      return deviceValues.every((d) => ruleValues.some((r) => covers(r, d)));
    default:
      return assertNever(op);
  }
}
