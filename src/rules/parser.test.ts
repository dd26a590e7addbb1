/** Unit tests of the rule parser: the AST it builds, USBGuard's quirks it keeps, and its error positions and messages. */
import { parseRule, parseRuleLine, parseRulesFile, RuleSyntaxError } from './parser';

function errorOf(text: string, where?: { file?: string; line?: number }): RuleSyntaxError {
  try {
    parseRule(text, where);
  } catch (error) {
    if (error instanceof RuleSyntaxError) return error;
    throw error;
  }
  throw new Error(`expected ${JSON.stringify(text)} to be refused`);
}

describe('parseRule', () => {
  it('reads targets, attributes and sets into the AST', () => {
    expect(parseRule('block id 1d6b:* name "Hub" with-interface { 09:00:* 03:01:01 } if !rule-applied')).toEqual({
      target: 'block',
      id: { operator: undefined, values: [{ vendor: '1d6b', product: '*' }] },
      name: { operator: undefined, values: ['Hub'] },
      withInterface: {
        operator: undefined,
        values: [
          { classCode: '09', subclass: '00', protocol: '*' },
          { classCode: '03', subclass: '01', protocol: '01' },
        ],
      },
      conditions: { operator: undefined, conditions: [{ kind: 'rule-applied', negated: true }] },
    });
  });

  it('accepts every target keyword', () => {
    for (const target of ['allow', 'block', 'reject', 'match', 'device'] as const) expect(parseRule(target).target).toBe(target);
  });

  it('keeps the set operator keyword as written, and none for a bare value or plain braces', () => {
    expect(parseRule('allow serial one-of { "a" "b" }').serial).toEqual({ operator: 'one-of', values: ['a', 'b'] });
    expect(parseRule('allow serial equals-ordered { "a" }').serial?.operator).toBe('equals-ordered');
    expect(parseRule('allow serial {"a"}').serial).toEqual({ operator: undefined, values: ['a'] });
    expect(parseRule('allow if match-all { true }').conditions?.operator).toBe('match-all');
  });

  it('reads a bare device id after the target as the id attribute', () => {
    expect(parseRule('allow 1234:ABCD').id).toEqual({ operator: undefined, values: [{ vendor: '1234', product: 'ABCD' }] });
    expect(errorOf('allow 1234:1234 id 1234:1234').expected).toBe('id attribute already defined');
  });

  it('lowercases interface types, as USBGuard stores them as numbers', () => {
    expect(parseRule('allow with-interface AB:Cd:*').withInterface?.values).toEqual([{ classCode: 'ab', subclass: 'cd', protocol: '*' }]);
  });

  it('merges repeated labels into one set; the last operator keyword wins', () => {
    expect(parseRule('allow label "a" label "b"').label).toEqual({ operator: undefined, values: ['a', 'b'] });
    expect(parseRule('allow label one-of { "a" } label none-of { "b" } label "c"').label).toEqual({ operator: 'none-of', values: ['a', 'b', 'c'] });
  });

  it('refuses any other repeated attribute', () => {
    for (const keyword of ['name', 'hash', 'parent-hash', 'serial', 'via-port', 'with-connect-type']) {
      expect(errorOf(`allow ${keyword} "a" ${keyword} "b"`).expected).toBe(`${keyword} attribute already defined`);
    }
    expect(errorOf('allow with-interface 03:*:* with-interface 08:*:*').message).toBe('<input>:1:29: with-interface attribute already defined');
    expect(errorOf('allow if true if false').message).toBe("<input>:1:15: conditions already defined: a rule has one 'if'");
  });

  it('allows spaces and tabs between parts, but none before or after the rule', () => {
    expect(parseRule('allow \t name\t\t"x"  if\ttrue').name?.values).toEqual(['x']);
    expect(errorOf(' allow').message).toBe('<input>:1:1: expected a rule target at the start of the line (USBGuard does not allow spaces or tabs before a rule)');
    expect(errorOf('allow name "x"  ').message).toBe('<input>:1:15: expected the end of the rule, without trailing spaces or tabs');
  });

  it('ends a rule at a comment, with or without a space before it', () => {
    expect(parseRule('allow name "x" # the stick')).toEqual(parseRule('allow name "x"'));
    expect(parseRule('allow#x').target).toBe('allow');
  });

  it('reads rules written back to back as one rule, as USBGuard does', () => {
    expect(parseRule('allowblock').target).toBe('block');
    expect(parseRule('allow name "a"block hash "b"')).toEqual(parseRule('block name "a" hash "b"'));
    expect(parseRule('allow id one-of { 1234:5678 }allow 1111:2222').id).toEqual({ operator: 'one-of', values: [{ vendor: '1111', product: '2222' }] });
    expect(errorOf('allow id { 1234:5678 1111:1111 }allow 2222:2222').expected).toBe('id attribute already defined as a set');
  });

  it('is case-sensitive about keywords', () => {
    expect(errorOf('ALLOW').expected).toBe('expected a rule target (allow, block, reject, match, device) or a comment');
    expect(errorOf('allow Name "x"').expected).toMatch(/^expected an attribute name/);
    expect(errorOf('allow if True').expected).toMatch(/not 'True'$/);
  });

  it('refuses empty sets and values without quotes or braces', () => {
    expect(errorOf('allow name { }').message).toBe('<input>:1:14: expected a string in double quotes such as "USB Flash Disk"');
    expect(errorOf('allow name x').message).toBe('<input>:1:12: expected a string in double quotes such as "USB Flash Disk", or a set of them in braces');
    expect(errorOf('allow name one-of{ "a" }').message).toBe("<input>:1:18: expected a space after 'one-of'");
    expect(errorOf('allow name one-of { "a" x }').message).toBe("<input>:1:25: expected '}' to close the set, or another value");
  });
});

describe('parseRule error messages', () => {
  it.each([
    ['allow foo', 7, "expected an attribute name (id, hash, parent-hash, name, serial, via-port, with-interface, with-connect-type, label) or 'if'"],
    ['alloww', 6, "expected a space after 'allow'"],
    ['allow name "a"x', 15, 'expected a space before the next attribute'],
    ['allow name', 11, "expected a space after 'name'"],
    ['allow name "abc', 16, `expected '"' to end the string`],
    ['allow id 1234:567', 10, 'expected a device id such as 1234:5678, 1234:* or *:*, or a set of them in braces'],
    ['allow 1234:567', 7, 'expected a device id such as 1234:5678, 1234:* or *:*'],
    ['allow id *:1234', 10, "expected '*' as the product id after a '*' vendor id (such as *:*)"],
    ['allow with-interface 03:*:01', 22, "expected '*' as the protocol after a '*' subclass (such as 03:*:*)"],
    ['allow with-interface 3:01:01', 22, 'expected an interface type such as 08:06:50, 03:01:* or 09:*:*, or a set of them in braces'],
    ['allow if foo', 10, 'expected a condition (true, false, localtime, rule-applied, rule-evaluated, random, allowed-matches), not \'foo\''],
    ['allow if random(', 17, "expected ')' to end the condition's parameter"],
    ['allow if random()', 16, 'expected a parameter between the parentheses'],
    ['allow if localtime(25:00)', 20, 'expected a time interval such as 10:00-12:00'],
    ['allow if localtime', 10, 'expected a time interval in parentheses, such as localtime(10:00-12:00)'],
    ['allow if allowed-matches', 10, 'expected a device pattern in parentheses, such as allowed-matches(name "USB Disk")'],
    ['   ', 1, 'expected a rule or a comment, not a line of only spaces or tabs'],
    ['allow\r', 6, 'expected the end of the line, not a carriage return (USBGuard does not accept CRLF line endings)'],
    ['', 1, 'expected a rule target (allow, block, reject, match, device)'],
    ['# only a comment', 1, 'expected a rule target (allow, block, reject, match, device), not only a comment'],
  ])('%j fails at column %i: %s', (text, column, expected) => {
    const error = errorOf(text);
    expect(error).toMatchObject({ file: '<input>', line: 1, column, expected });
    expect(error.message).toBe(`<input>:1:${column}: ${expected}`);
  });

  it('names the file and line it is given, and counts columns in characters', () => {
    expect(errorOf('allow name "é😀"x', { file: 'rules.conf', line: 7 }).message).toBe('rules.conf:7:16: expected a space before the next attribute');
  });
});

describe('string values', () => {
  const nameOf = (literal: string) => parseRule(`allow name ${literal}`).name?.values[0];

  it('unescapes \\", \\\\ and \\xHH, and keeps other characters as written', () => {
    expect(nameOf('"a\\"b\\\\c"')).toBe('a"b\\c');
    expect(nameOf('"\\x41\\x4a\\x4A\\x7e"')).toBe('AJJ~');
    expect(nameOf('"tab\there # {}"')).toBe('tab\there # {}');
    expect(nameOf('""')).toBe('');
  });

  it('decodes escaped UTF-8 to characters and keeps stray bytes as lone surrogates', () => {
    expect(nameOf('"\\xc3\\xa9"')).toBe('é');
    expect(nameOf('"é"')).toBe('é');
    expect(nameOf('"\\xff\\x00"')).toBe('\udcff\u0000');
  });

  it('refuses the escapes USBGuard refuses', () => {
    for (const escape of ['\\n', '\\t', '\\0', '\\101', "\\'", '\\q']) {
      expect(errorOf(`allow name "${escape}"`).message).toBe("<input>:1:13: expected \\\", \\\\ or \\xHH after '\\' (no other escapes are allowed in strings)");
    }
    expect(errorOf('allow name "\\x4g"').message).toBe("<input>:1:15: expected two hex digits after '\\x'");
    expect(errorOf('allow name "a\\').expected).toBe("expected \\\", \\\\ or \\xHH after '\\' (no other escapes are allowed in strings)");
  });
});

describe('conditions', () => {
  const conditionOf = (text: string) => parseRule(`allow if ${text}`).conditions?.conditions[0];

  it('reads true and false, dropping any parameter as USBGuard does', () => {
    expect(conditionOf('true')).toEqual({ kind: 'true', negated: false });
    expect(conditionOf('!false(whatever)')).toEqual({ kind: 'false', negated: true });
  });

  it('keeps parameters verbatim, escapes included', () => {
    expect(conditionOf('localtime(08:00-16:00)')).toEqual({ kind: 'localtime', negated: false, parameter: '08:00-16:00' });
    expect(conditionOf('random(5\\))')).toEqual({ kind: 'random', negated: false, parameter: '5\\)' });
    expect(conditionOf('allowed-matches(name "a\\x41")')).toEqual({ kind: 'allowed-matches', negated: false, parameter: 'name "a\\x41"' });
  });

  it('checks localtime as strptime reads it', () => {
    for (const ok of ['10:00', '1:2', ' 1:2', '10:00-', '10:60', '10:00abc', '1:00-2:00-3']) expect(conditionOf(`localtime(${ok})`)?.kind).toBe('localtime');
    for (const bad of ['24:00', '1 : 2', '10', '-10:00', '001:00', '1:00-2', '10:00-9:59']) expect(() => conditionOf(`localtime(${bad})`)).toThrow(RuleSyntaxError);
  });

  it('reads localtime HH:MM:SS as glibc does: SS is %s, seconds since the epoch, replacing the whole time', () => {
    expect(conditionOf('localtime(10:00:0-23:59:0)')?.parameter).toBe('10:00:0-23:59:0');
    expect(conditionOf('localtime(00:00:99999999999999960-00:00)')?.kind).toBe('localtime');
    expect(errorOf('allow if localtime(00:00:99999999999999999-00:00)').expected).toBe('expected a time interval such as 10:00-12:00, whose start is not after its end');
  });

  it('checks rule-applied and rule-evaluated times', () => {
    expect(conditionOf('rule-applied')).toEqual({ kind: 'rule-applied', negated: false });
    expect(conditionOf('rule-evaluated(90)')).toEqual({ kind: 'rule-evaluated', negated: false, parameter: '90' });
    expect(conditionOf('rule-applied(99:00)')?.parameter).toBe('99:00');
    expect(errorOf('allow if rule-applied( 5)').message).toBe('<input>:1:23: expected a time such as 00:30 (HH:MM), 00:30:15 or a number of seconds such as 90');
    expect(() => conditionOf('rule-evaluated(67768036191676800)')).toThrow(RuleSyntaxError);
  });

  it('checks random probabilities as std::stod reads them', () => {
    expect(conditionOf('random')).toEqual({ kind: 'random', negated: false });
    for (const ok of ['0.5', '5', '-1', ' .5', '0.5abc', 'nan', 'inf', '0x1p-1']) expect(conditionOf(`random(${ok})`)?.parameter).toBe(ok);
    for (const bad of ['abc', '.', '1e999', '1e-400']) expect(errorOf(`allow if random(${bad})`).expected).toBe('expected a probability such as 0.5');
  });

  it('parses an allowed-matches query as a rule and points into it', () => {
    expect(conditionOf('allowed-matches(1234:5678)')?.parameter).toBe('1234:5678');
    expect(conditionOf('allowed-matches(# nothing)')?.parameter).toBe('# nothing');
    expect(errorOf('allow if allowed-matches(nme "x")').message).toMatch(/^<input>:1:26: expected an attribute name/);
    expect(errorOf('allow if allowed-matches(name "x" )').message).toBe('<input>:1:34: expected the end of the rule, without trailing spaces or tabs');
    expect(errorOf('allow if allowed-matches(id *:1234)').expected).toBe("expected '*' as the product id after a '*' vendor id (such as *:*)");
  });

  it('reads condition sets', () => {
    expect(parseRule('allow if one-of { true !false random(0.1) }').conditions).toEqual({
      operator: 'one-of',
      conditions: [
        { kind: 'true', negated: false },
        { kind: 'false', negated: true },
        { kind: 'random', negated: false, parameter: '0.1' },
      ],
    });
    expect(() => parseRule('allow if { }')).toThrow(RuleSyntaxError);
    expect(() => parseRule('allow if !!true')).toThrow(RuleSyntaxError);
  });

  it('refuses escapes the grammar does not know inside a parameter', () => {
    expect(errorOf('allow if random(\\")').message).toBe("<input>:1:17: expected an escape such as \\) or \\xHH after '\\'");
  });
});

describe('parseRuleLine', () => {
  it('returns null for an empty line or a comment', () => {
    expect(parseRuleLine('')).toBeNull();
    expect(parseRuleLine('# just a note')).toBeNull();
    expect(parseRuleLine(' \t# indented note')).toBeNull();
  });
});

describe('parseRulesFile', () => {
  it('returns the rules with their lines and every error, skipping empty and comment lines', () => {
    const text = '# school policy\n\nallow id 1234:5678\nallow nmae "x"\n  \nblock\n';
    const { rules, errors } = parseRulesFile(text, 'rules.conf');
    expect(rules.map(({ line, text: source }) => [line, source])).toEqual([
      [3, 'allow id 1234:5678'],
      [6, 'block'],
    ]);
    expect(errors.map((error) => error.message)).toEqual([
      "rules.conf:4:7: expected an attribute name (id, hash, parent-hash, name, serial, via-port, with-interface, with-connect-type, label) or 'if'",
      'rules.conf:5:1: expected a rule or a comment, not a line of only spaces or tabs',
    ]);
  });
});
