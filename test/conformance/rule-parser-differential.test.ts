/**
 * Differential test of the rule parser and printer against Debian's usbguard-rule-parser: for
 * generated rules (well-formed ones and mutated ones) both must accept or refuse alike, and print
 * the same canonical text. RULE_DIFF_RUNS raises the number of cases for a deeper local run.
 */
import fc from 'fast-check';
import { parseRuleLine, RuleSyntaxError } from '../../src/rules/parser';
import { printRule } from '../../src/rules/printer';
import { mutatedRule, tokenSoup, validRule } from './rule-arbitraries';
import { ORACLE, oracleInstalled, runOracle } from './usbguard-oracle';

const runs = Number(process.env.RULE_DIFF_RUNS ?? 400);

type Verdict = { accepted: true; canonical: string } | { accepted: false };

function ours(rule: string): Verdict {
  try {
    const parsed = parseRuleLine(rule);
    return { accepted: true, canonical: parsed === null ? '' : printRule(parsed) };
  } catch (error) {
    if (error instanceof RuleSyntaxError) return { accepted: false };
    throw error;
  }
}

function theirs(rule: string): Verdict {
  const verdict = runOracle(rule);
  return verdict.accepted ? verdict : { accepted: false };
}

/** An empty line is the one place the two differ by design: USBGuard parses it but cannot print it; we return null. */
const comparable = (rule: string) => rule !== '' && !rule.includes('\n') && !rule.includes('\0');

function agreeWithOracle(arbitrary: fc.Arbitrary<string>, numRuns: number): void {
  fc.assert(
    fc.property(arbitrary.filter(comparable), (rule) => {
      expect(ours(rule)).toEqual(theirs(rule));
    }),
    { numRuns },
  );
}

if (oracleInstalled()) {
  describe(`rule parser and printer agree with ${ORACLE}`, () => {
    it('on well-formed rules', () => agreeWithOracle(validRule, runs), 120_000);
    it('on mutated rules', () => agreeWithOracle(mutatedRule, runs * 2), 120_000);
    it('on grammar-shaped noise', () => agreeWithOracle(tokenSoup, runs), 120_000);
  });
} else if (process.env.CI) {
  it(`needs ${ORACLE} in CI (apt-get install usbguard)`, () => {
    throw new Error(`${ORACLE} is not installed: CI must install the usbguard package to run the differential test`);
  });
} else {
  it(`differential test not run: ${ORACLE} is not installed (apt-get install usbguard to run it)`, () => {
    expect(oracleInstalled()).toBe(false);
  });
}
