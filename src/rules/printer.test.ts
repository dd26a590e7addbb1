/** Unit tests of the rule printer: attribute order, set forms, string escapes and condition forms as usbguard-rule-parser prints them. */
import { parseRule } from './parser';
import { printRule } from './printer';
import type { Rule } from './rule';

const canonical = (text: string) => printRule(parseRule(text));

describe('printRule', () => {
  it('prints attributes in USBGuard order: id serial name hash parent-hash via-port with-interface if with-connect-type label', () => {
    expect(
      canonical('allow label "l" if true with-connect-type "hotplug" with-interface 03:00:01 via-port "1-1" parent-hash "p" hash "h" name "n" serial "s" id 1234:5678'),
    ).toBe('allow id 1234:5678 serial "s" name "n" hash "h" parent-hash "p" via-port "1-1" with-interface 03:00:01 if true with-connect-type "hotplug" label "l"');
  });

  it('prints one value bare and several in braces, with the operator unless it is equals', () => {
    expect(canonical('allow name equals { "a" }')).toBe('allow name "a"');
    expect(canonical('allow name {"a"   "b"}')).toBe('allow name { "a" "b" }');
    expect(canonical('allow name equals { "a" "b" }')).toBe('allow name { "a" "b" }');
    expect(canonical('allow name one-of { "a" }')).toBe('allow name one-of { "a" }');
    expect(canonical('allow if equals-ordered { true !false }')).toBe('allow if equals-ordered { true !false }');
  });

  it('prints a merged label as a set', () => {
    expect(canonical('allow label "a" label "b"')).toBe('allow label { "a" "b" }');
  });

  it('escapes quotes, backslashes and every byte outside printable ASCII as \\xhh', () => {
    expect(canonical('allow name "a\\"b\\\\c"')).toBe('allow name "a\\"b\\\\c"');
    expect(canonical('allow name "é\t\\x7f\\x00~\\x41"')).toBe('allow name "\\xc3\\xa9\\x09\\x7f\\x00~A"');
    expect(canonical('allow serial "\\xFF😀"')).toBe('allow serial "\\xff\\xf0\\x9f\\x98\\x80"');
  });

  it('prints interface types in lowercase and device ids as written', () => {
    expect(canonical('allow id ABcd:* with-interface FF:Ee:*')).toBe('allow id ABcd:* with-interface ff:ee:*');
  });

  it('prints condition parameters verbatim and true/false without one', () => {
    expect(canonical('allow if !localtime(1:00 - 2:00)')).toBe('allow if !localtime(1:00 - 2:00)');
    expect(canonical('allow if true(ignored)')).toBe('allow if true');
    expect(canonical('allow if allowed-matches(name  "x\\x41")')).toBe('allow if allowed-matches(name  "x\\x41")');
  });

  it('prints rule-evaluated as rule-applied, as USBGuard 1.1 does', () => {
    expect(canonical('allow if !rule-evaluated(5)')).toBe('allow if !rule-applied(5)');
  });

  it('prints rules built in code: empty attributes left out, no operator meaning equals', () => {
    const rule: Rule = {
      target: 'reject',
      name: { operator: undefined, values: [] },
      serial: { operator: 'equals', values: ['S1'] },
      withInterface: { operator: undefined, values: [{ classCode: '08', subclass: '*', protocol: '*' }] },
      conditions: { operator: undefined, conditions: [{ kind: 'random', negated: false, parameter: '' }] },
    };
    expect(printRule(rule)).toBe('reject serial "S1" with-interface 08:*:* if random');
  });

  it('is a fixed point: printing what it printed changes nothing', () => {
    for (const text of ['allowblock name "x"', 'match 1234:5678#c', 'device if { rule-evaluated localtime(10:00) }', 'allow label one-of { "\\xc3" } label "\\xa9"']) {
      const printed = canonical(text);
      expect(canonical(printed)).toBe(printed);
    }
  });
});
