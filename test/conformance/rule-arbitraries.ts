/** fast-check generators for USBGuard rule lines: well-formed ones with every construct, mutations of them, and grammar-shaped noise. */
import fc from 'fast-check';

const joinAll = (parts: readonly string[]): string => parts.join('');

/** One or more spaces and tabs (the grammar's plus<blank>). */
const blanks = fc.array(fc.constantFrom(' ', ' ', '\t'), { minLength: 1, maxLength: 3 }).map(joinAll);
const optionalBlanks = fc.array(fc.constantFrom(' ', '\t'), { maxLength: 2 }).map(joinAll);

const hexDigit = fc.constantFrom(...'0123456789abcdefABCDEF');
const hex = (length: number) => fc.array(hexDigit, { minLength: length, maxLength: length }).map(joinAll);
const hexOrStar = (length: number) => fc.oneof({ weight: 4, arbitrary: hex(length) }, { weight: 1, arbitrary: fc.constant('*') });

/** Mostly valid ids; `*:1234` (refused by USBGuard) now and then. */
const deviceId = fc.oneof(
  { weight: 6, arbitrary: fc.tuple(hex(4), hexOrStar(4)).map(([v, p]) => `${v}:${p}`) },
  { weight: 1, arbitrary: fc.constant('*:*') },
  { weight: 1, arbitrary: hex(4).map((p) => `*:${p}`) },
);

const interfaceType = fc.tuple(hex(2), hexOrStar(2), hexOrStar(2)).map(([c, s, p]) => `${c}:${s}:${p}`);

/** Pieces of a string literal's body: plain text, the three valid escapes, non-ASCII and control characters. */
const stringPiece = fc.oneof(
  { weight: 8, arbitrary: fc.string({ unit: fc.constantFrom(...'abcXYZ019 -_.:/#{}()!*+=,;@$%&|~`\'<>?[]^'), minLength: 1, maxLength: 4 }) },
  { weight: 1, arbitrary: fc.constantFrom('\\"', '\\\\') },
  { weight: 2, arbitrary: hex(2).map((h) => `\\x${h}`) },
  { weight: 1, arbitrary: fc.constantFrom('é', 'ü', 'ß', '中文', '😀', '\t', '\x01', '\x1b', '\x7f', '\u00a0') },
);
const stringValue = fc.array(stringPiece, { maxLength: 5 }).map((pieces) => `"${pieces.join('')}"`);

const setOperator = fc.constantFrom('all-of', 'one-of', 'none-of', 'equals', 'equals-ordered', 'match-all');

/** A bare value, or a set with or without an operator keyword. */
function valueOrSet(value: fc.Arbitrary<string>): fc.Arbitrary<string> {
  const set = fc
    .tuple(fc.option(fc.tuple(setOperator, blanks).map(joinAll), { nil: '' }), optionalBlanks, fc.array(fc.tuple(value, blanks), { minLength: 1, maxLength: 4 }), optionalBlanks)
    .map(([operator, open, items, close]) => `${operator}{${open}${items.map(([v, gap]) => v + gap).join('').trimEnd()}${close}}`);
  return fc.oneof({ weight: 3, arbitrary: value }, { weight: 2, arbitrary: set });
}

const hour = fc.oneof(fc.integer({ min: 0, max: 23 }).map(String), fc.integer({ min: 0, max: 9 }).map((h) => `0${h}`), fc.constantFrom('24', ' 7', '007'));
const minute = fc.oneof(fc.integer({ min: 0, max: 59 }).map((m) => String(m).padStart(2, '0')), fc.constantFrom('7', '60', '99', ' 5'));
const epochSeconds = fc.oneof(fc.integer({ min: 0, max: 200_000 }).map(String), fc.constantFrom('99999999999999999', '67768036191676799', '67768036191676800'));
/** HH:MM, HH:MM:SECONDS (glibc's %s: seconds since the epoch) and odd variants. */
const timeOfDay = fc
  .tuple(hour, minute, fc.option(epochSeconds.map((s) => `:${s}`), { nil: '' }), fc.constantFrom('', '', 'x', ' '))
  .map(([h, m, s, tail]) => `${h}:${m}${s}${tail}`);
const timeInterval = fc.oneof(timeOfDay, fc.tuple(timeOfDay, timeOfDay).map(([a, b]) => `${a}-${b}`), timeOfDay.map((t) => `${t}-`));
const probability = fc.oneof(
  fc.double({ min: 0, max: 1, noNaN: true }).map(String),
  fc.constantFrom('0.5', '.25', '1e-3', '5', '-1', 'abc', '0x1p-1', 'nan', 'inf', '1e999', '1e-400', ' 0.5', '0.5x', '.'),
);
const elapsed = fc.oneof(timeOfDay, epochSeconds, fc.constantFrom('abc', ' 5', '5s'));
const query = fc.oneof(
  stringValue.map((s) => `name ${s}`),
  deviceId.map((id) => `id ${id}`),
  interfaceType.map((i) => `with-interface one-of { ${i} }`),
  fc.constantFrom('if true', '# only a comment', 'name "x" ', 'allow', 'via-port "1-2"allow', 'name "a\\)"', 'if random(1\\))', 'label "x" label "y"'),
);

/** Anything goes in true(...) and false(...), escapes included: USBGuard discards it. */
const fixedStateParameter = fc.constantFrom('x', '1', 'é', '\\)', '\\x41', '\\\\', 'a"b', '(', '\\7', '\\q', '\\x4');

const parameterised = (name: string, parameter: fc.Arbitrary<string>, optional: boolean) =>
  fc.option(parameter.map((p) => `(${p})`), { nil: '', freq: optional ? 2 : 20 }).map((p) => `${name}${p}`);

const condition = fc
  .tuple(
    fc.constantFrom('', '', '!'),
    fc.oneof(
      parameterised('true', fixedStateParameter, true),
      parameterised('false', fixedStateParameter, true),
      parameterised('localtime', timeInterval, false),
      parameterised('rule-applied', elapsed, true),
      parameterised('rule-evaluated', elapsed, true),
      parameterised('random', probability, true),
      parameterised('allowed-matches', query, false),
    ),
  )
  .map(joinAll);

const attributeValues: Record<string, fc.Arbitrary<string>> = {
  id: deviceId,
  name: stringValue,
  hash: stringValue,
  'parent-hash': stringValue,
  serial: stringValue,
  'via-port': stringValue,
  'with-interface': interfaceType,
  'with-connect-type': fc.constantFrom('"hotplug"', '"hardwired"', '"unknown"', '""'),
  if: condition,
  label: stringValue,
};

const attribute = (keyword: string, value: fc.Arbitrary<string>) => fc.tuple(blanks, valueOrSet(value)).map(([gap, v]) => `${keyword}${gap}${v}`);

/** Every keyword at most once, in any order, except label which may repeat (USBGuard merges labels). */
const attributes = fc
  .tuple(fc.shuffledSubarray(Object.keys(attributeValues), { maxLength: 5 }), fc.boolean())
  .chain(([keys, secondLabel]) => {
    const all = secondLabel && keys.includes('label') ? [...keys, 'label'] : keys;
    return fc.tuple(...all.map((key) => attribute(key, attributeValues[key] ?? stringValue)));
  });

const target = fc.constantFrom('allow', 'block', 'reject', 'match', 'device');
const comment = fc.tuple(optionalBlanks, fc.constantFrom('#', '# note', '#x "y" { }')).map(joinAll);

/** `arbitrary` once in `weight + 1` draws, otherwise undefined. */
const sometimes = <T>(arbitrary: fc.Arbitrary<T>, weight: number) => fc.oneof({ weight, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary });

/** A rule as people write it: target, maybe a bare device id, attributes, maybe a trailing comment. */
export const validRule = fc
  .tuple(target, sometimes(deviceId, 3), attributes, sometimes(comment, 4), fc.array(blanks, { minLength: 8, maxLength: 8 }))
  .map(([t, id, attrs, note, gaps]) => {
    const parts = [t, ...(id === undefined ? [] : [id]), ...attrs];
    return parts.map((part, i) => (i === 0 ? part : `${gaps[i % gaps.length] ?? ' '}${part}`)).join('') + (note ?? '');
  });

const noise = fc.constantFrom(...' \t"\\{}()!#:*-xX0aZ9é', 'allow', 'name', 'label "l"', 'if', 'one-of', '\\x', '\\q', 'zz', '12:');

type Mutation = (rule: string, at: number, text: string) => string;
const mutations: readonly Mutation[] = [
  (rule, at) => rule.slice(0, at) + rule.slice(at + 1),
  (rule, at, text) => rule.slice(0, at) + text + rule.slice(at),
  (rule, at, text) => rule.slice(0, at) + text + rule.slice(at + 1),
  (rule, at) => rule.slice(0, at) + rule.slice(at, at + 12) + rule.slice(at),
  (rule, at) => rule.slice(0, at) + rule.slice(at).toUpperCase(),
  (rule) => `${rule} `,
  (rule) => ` ${rule}`,
];

/** A valid rule with one or two random edits: most break it, some only change it. */
export const mutatedRule = fc
  .tuple(validRule, fc.array(fc.tuple(fc.constantFrom(...mutations), fc.nat(), noise), { minLength: 1, maxLength: 2 }))
  .map(([rule, edits]) => edits.reduce((text, [mutate, at, insert]) => mutate(text, at % (text.length + 1), insert), rule));

const token = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom('allow', 'block', 'reject', 'match', 'device', 'id', 'name', 'hash', 'parent-hash', 'serial', 'via-port', 'with-interface', 'with-connect-type', 'label', 'if') },
  { weight: 2, arbitrary: fc.constantFrom(' ', ' ', '\t', '{', '}', '(', ')', '!', '#', '"', '\\', ':', '*', '-') },
  { weight: 1, arbitrary: fc.oneof(setOperator, deviceId, interfaceType, stringValue, condition) },
);

/** Grammar-shaped noise: keywords, values and punctuation in any order, most of it refused. */
export const tokenSoup = fc
  .tuple(fc.oneof({ weight: 4, arbitrary: target }, { weight: 1, arbitrary: fc.constant('') }), fc.array(token, { minLength: 1, maxLength: 10 }))
  .map(([first, rest]) => first + rest.join(''));
