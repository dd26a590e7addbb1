/** The parser and printer against USBGuard's own rule test data and the canonical forms Debian's usbguard-rule-parser printed for it. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseRule, parseRuleLine, parseRulesFile, RuleSyntaxError } from '../../src/rules/parser';
import { printRule } from '../../src/rules/printer';

const fixtures = join(__dirname, '..', 'fixtures', 'usbguard');

function fixtureLines(name: string): string[] {
  return readFileSync(join(fixtures, name), 'utf8').replace(/\n$/, '').split('\n');
}

const good = fixtureLines('test-rules.good');
const canonical = fixtureLines('test-rules.good.canonical');
const bad = fixtureLines('test-rules.bad');

/** What usbguard-rule-parser prints after `OUTPUT: `: nothing for a comment line. */
function canonicalOf(line: string): string {
  const rule = parseRuleLine(line);
  return rule === null ? '' : printRule(rule);
}

describe('USBGuard test-rules.good', () => {
  it('has a recorded canonical form for every line', () => {
    expect(canonical).toHaveLength(good.length);
  });

  it.each(good.map((rule, i) => [i + 1, rule, canonical[i] ?? '']))('line %i prints as usbguard-rule-parser printed it', (_line, rule, expected) => {
    expect(canonicalOf(rule)).toBe(expected);
  });

  it('prints every rule as a fixed point of parse and print', () => {
    for (const rule of good) {
      const printed = canonicalOf(rule);
      expect(canonicalOf(printed)).toBe(printed);
    }
  });
});

describe('USBGuard test-rules.bad', () => {
  it.each(bad.map((rule, i) => [i + 1, rule]))('line %i is refused with a position', (line, rule) => {
    const error = (() => {
      try {
        parseRule(rule, { file: 'test-rules.bad', line });
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(RuleSyntaxError);
    const { column, expected, message } = error as RuleSyntaxError;
    expect(column).toBeGreaterThanOrEqual(1);
    expect(column).toBeLessThanOrEqual(rule.length + 1);
    expect(message).toBe(`test-rules.bad:${line}:${column}: ${expected}`);
  });
});

describe('USBGuard test-rules.file', () => {
  it('reads its rules and refuses the indented one, as usbguard-daemon would', () => {
    const { rules, errors } = parseRulesFile(readFileSync(join(fixtures, 'test-rules.file'), 'utf8'), 'test-rules.file');
    expect(rules.map(({ line, rule }) => `${line}: ${printRule(rule)}`)).toEqual([
      '6: reject with-interface one-of { e5:*:* 2a:*:* ac:c7:* 4b:*:* f2:*:* } if equals-ordered { true false !true false }',
      '10: reject with-interface one-of { e6:*:* }',
    ]);
    expect(errors.map((error) => error.message)).toEqual([
      'test-rules.file:14:1: expected a rule target at the start of the line (USBGuard does not allow spaces or tabs before a rule)',
    ]);
  });
});
