/** One rule line by USBGuard's PEG grammar, with PEGTL's semantics: ordered choice, backtracking, and actions that run as soon as their piece matches. */
import { assertNever } from '../util/assert-never';
import { conditionParameterProblem } from './condition-parameters';
import { bytesToString, stringBytes } from './escape';
import type { Condition, Rule, SetOperator } from './rule';
import { RuleBuilder, type Slot } from './rule-builder';
import {
  ATTRIBUTE_LABEL,
  ATTRIBUTES,
  CONDITION_IDENTIFIER,
  CONDITION_KINDS,
  checkedDeviceId,
  checkedInterface,
  DEVICE_ID,
  HEX_BYTE,
  INTERFACE,
  LOOKS_LIKE_DEVICE_ID,
  PARAMETER_ESCAPE,
  SET_OPERATORS,
  TARGET_LABEL,
  TARGETS,
  VALUE_LABELS,
  type AttributeSpec,
} from './rule-grammar';
import { Expectation, ParseFailure, Scanner } from './scanner';

/** The grammar's rules as methods: each returns whether its piece matched, rewinding what it consumed when not. */
class LineParser {
  constructor(
    private readonly s: Scanner,
    private readonly b: RuleBuilder,
  ) {}

  /** until<eof, must<sor<comment, rule>>>: rules and comments back to back, so `allowblock` parses. */
  line(): void {
    while (!this.s.atEnd) {
      if (!this.comment() && !this.rule()) throw lineFailure(this.s);
    }
  }

  /** blanks, '#', then everything to the end of the line. */
  private comment(): boolean {
    const s = this.s;
    const start = s.pos;
    const blanks = s.blanks();
    if (s.literal('#')) {
      s.pos = s.text.length;
      return true;
    }
    if (blanks > 0) s.expect(Expectation.Comment, "'#' to start a comment");
    s.pos = start;
    return false;
  }

  /** target [blanks device-id] [blanks attributes] [comment]. */
  private rule(): boolean {
    const s = this.s;
    const start = s.pos;
    const target = TARGETS.find((word) => s.text.startsWith(word, start));
    if (target === undefined) return start === 0 && s.expect(Expectation.Target, `${TARGET_LABEL} or a comment`);
    s.pos += target.length;
    this.b.setTarget(target);
    this.optional(() => this.separator(`a space after '${target}'`) && this.ruleDeviceId());
    this.optional(() => this.separator(`a space after '${target}'`) && this.attributeList());
    this.comment();
    return true;
  }

  /** opt<>: runs `parse` and rewinds when it fails. */
  private optional(parse: () => boolean): void {
    const start = this.s.pos;
    if (!parse()) this.s.pos = start;
  }

  /** plus<blank> between the parts of a rule. */
  private separator(label: string): boolean {
    return this.s.blanks() > 0 || this.s.expect(Expectation.Space, label);
  }

  /** The bare `VVVV:PPPP` after the target. */
  private ruleDeviceId(): boolean {
    const s = this.s;
    const at = s.pos;
    const found = s.match(DEVICE_ID);
    if (found === undefined) return s.lookingAt(LOOKS_LIKE_DEVICE_ID) && s.expect(Expectation.Value, VALUE_LABELS['device-id']);
    this.b.setDeviceId(checkedDeviceId(found, at), at);
    return true;
  }

  /** list<rule_attributes, plus<blank>>. */
  private attributeList(): boolean {
    if (!this.attribute()) return false;
    let end = this.s.pos;
    while (this.separator('a space before the next attribute') && this.attribute()) end = this.s.pos;
    this.s.pos = end;
    return true;
  }

  private attribute(): boolean {
    const s = this.s;
    const start = s.pos;
    const spec = ATTRIBUTES.find(({ keyword }) => s.text.startsWith(keyword, start));
    if (spec === undefined) return s.expect(Expectation.Attribute, ATTRIBUTE_LABEL);
    s.pos += spec.keyword.length;
    this.b.beginAttribute(spec.slot, spec.keyword, start);
    if (s.blanks() === 0) return s.expect(Expectation.Value, `a space after '${spec.keyword}'`);
    return this.valueOrSet(spec.slot, VALUE_LABELS[spec.kind], () => this.item(spec));
  }

  /** sor<attribute_value_multiset, value>. */
  private valueOrSet(slot: Slot, label: string, item: () => boolean): boolean {
    const s = this.s;
    const start = s.pos;
    if (this.set(slot, label, item)) return true;
    s.pos = start;
    return item() || s.expect(Expectation.Value, `${label}, or a set of them in braces`, start);
  }

  /** [operator blanks] '{' blanks list<item, blanks> blanks '}'. */
  private set(slot: Slot, label: string, item: () => boolean): boolean {
    const s = this.s;
    const operator = this.setOperator(slot);
    if (!s.literal('{')) return operator !== undefined && s.expect(Expectation.Value, `'{' after '${operator}'`);
    s.blanks();
    if (!item()) return s.expect(Expectation.Value, label);
    let end = s.pos;
    while (s.blanks() > 0 && item()) end = s.pos;
    s.pos = end;
    s.blanks();
    return s.literal('}') || s.expect(Expectation.Value, "'}' to close the set, or another value");
  }

  private setOperator(slot: Slot): SetOperator | undefined {
    const s = this.s;
    const start = s.pos;
    const operator = SET_OPERATORS.find((word) => s.text.startsWith(word, start));
    if (operator === undefined) return undefined;
    s.pos += operator.length;
    if (s.blanks() > 0) {
      this.b.setOperator(slot, operator);
      return operator;
    }
    s.expect(Expectation.Value, `a space after '${operator}'`);
    s.pos = start;
    return undefined;
  }

  /** One value of an attribute, with its action. */
  private item(spec: AttributeSpec): boolean {
    const s = this.s;
    const at = s.pos;
    switch (spec.kind) {
      case 'string': {
        const value = this.stringValue();
        if (value !== undefined) this.b.appendString(spec.slot, value);
        return value !== undefined;
      }
      case 'device-id': {
        const found = s.match(DEVICE_ID);
        if (found !== undefined) this.b.appendDeviceId(checkedDeviceId(found, at));
        return found !== undefined;
      }
      case 'interface': {
        const found = s.match(INTERFACE);
        if (found !== undefined) this.b.appendInterface(checkedInterface(found, at));
        return found !== undefined;
      }
      case 'condition':
        return this.condition();
      default:
        return assertNever(spec);
    }
  }

  /** A double-quoted string; only \", \\ and \xHH survive USBGuard's unescaping. */
  private stringValue(): string | undefined {
    const s = this.s;
    if (!s.literal('"')) return undefined;
    const bytes: number[] = [];
    for (;;) {
      const char = String.fromCodePoint(s.text.codePointAt(s.pos) ?? 0);
      if (s.atEnd || char === '\n' || char === '\r') s.fail(`expected '"' to end the string`);
      if (char === '"') break;
      if (char === '\\') bytes.push(this.stringEscape());
      else {
        bytes.push(...stringBytes(char));
        s.pos += char.length;
      }
    }
    s.pos++;
    return bytesToString(bytes);
  }

  private stringEscape(): number {
    const s = this.s;
    const at = s.pos++;
    const char = s.peek();
    if (char === '"' || char === '\\') {
      s.pos++;
      return char.charCodeAt(0);
    }
    if (char !== 'x') s.fail('expected \\", \\\\ or \\xHH after \'\\\' (no other escapes are allowed in strings)', at);
    s.pos++;
    const hex = s.match(HEX_BYTE) ?? s.fail("expected two hex digits after '\\x'");
    return Number.parseInt(hex, 16);
  }

  /** ['!'] identifier ['(' parameter ')'], checked as USBGuard's RuleCondition constructor checks it. */
  private condition(): boolean {
    const s = this.s;
    const at = s.pos;
    const negated = s.literal('!');
    const identifier = s.match(CONDITION_IDENTIFIER);
    if (identifier === undefined) {
      s.pos = at;
      return false;
    }
    const open = s.pos;
    const parameter = s.literal('(') ? this.conditionParameter() : undefined;
    if (parameter === '') s.fail('expected a parameter between the parentheses', open);
    const kind = CONDITION_KINDS.find((known) => known === identifier);
    if (kind === undefined) return s.fail(`expected a condition (${CONDITION_KINDS.join(', ')}), not '${identifier}'`, at);
    const problem = conditionParameterProblem(kind, parameter, (query) => checkQuery(query, open + 1));
    if (problem !== undefined) s.fail(problem, parameter === undefined ? at : open + 1);
    const condition: Condition = { kind, negated };
    if (parameter !== undefined && kind !== 'true' && kind !== 'false') condition.parameter = parameter;
    this.b.appendCondition(condition);
    return true;
  }

  /** The raw text up to the closing ')'; `\)` and the grammar's other escapes stay as written. */
  private conditionParameter(): string {
    const s = this.s;
    const start = s.pos;
    for (;;) {
      const char = s.peek();
      if (s.atEnd || char === '\n' || char === '\r') s.fail("expected ')' to end the condition's parameter");
      if (char === ')') break;
      s.pos++;
      if (char === '\\' && s.match(PARAMETER_ESCAPE) === undefined) {
        s.fail("expected an escape such as \\) or \\xHH after '\\'", s.pos - 1);
      }
    }
    s.pos++;
    return s.text.slice(start, s.pos - 1);
  }
}

const QUERY_PREFIX = 'allow ';

/** allowed-matches(QUERY): USBGuard parses `allow QUERY` as a whole rule line. */
function checkQuery(query: string, at: number): void {
  try {
    parseLineText(`${QUERY_PREFIX}${query}`);
  } catch (error) {
    if (!(error instanceof ParseFailure)) throw error;
    throw new ParseFailure(at + Math.max(0, error.pos - QUERY_PREFIX.length), error.expected);
  }
}

/** The failure to report when no rule or comment can start at the scanner's position. */
function lineFailure(s: Scanner): ParseFailure {
  const { text } = s;
  if (/^[ \t]+$/.test(text)) return new ParseFailure(0, 'expected a rule or a comment, not a line of only spaces or tabs');
  const failure = s.farthestFailure() ?? new ParseFailure(s.pos, 'expected the end of the rule');
  const leading = /^[ \t]+/.exec(text)?.[0].length ?? 0;
  if (leading > 0 && failure.pos === leading) {
    return new ParseFailure(0, 'expected a rule target at the start of the line (USBGuard does not allow spaces or tabs before a rule)');
  }
  if (text[failure.pos] === '\r') return new ParseFailure(failure.pos, 'expected the end of the line, not a carriage return (USBGuard does not accept CRLF line endings)');
  const trailing = /[ \t]+$/.exec(text);
  if (trailing && failure.pos === text.length && s.farthestRank <= Expectation.Attribute) {
    return new ParseFailure(trailing.index, 'expected the end of the rule, without trailing spaces or tabs');
  }
  return failure;
}

/** The rule on one line, or null when there is none (empty, or only a comment); throws ParseFailure. */
export function parseLineText(text: string): Rule | null {
  const builder = new RuleBuilder();
  new LineParser(new Scanner(text), builder).line();
  return builder.build();
}
