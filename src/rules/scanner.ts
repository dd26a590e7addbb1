/** A cursor over one rule line for the PEG-style rule parser: blanks, literals, hard errors and the farthest expectation. */

/** A parse that cannot succeed: at `pos` (0-based, in UTF-16 units) `expected` describes what should be there. */
export class ParseFailure {
  constructor(
    readonly pos: number,
    readonly expected: string,
  ) {}
}

/** Ranks what the parser expected at one spot; the highest-ranked note at the farthest spot becomes the message. */
export enum Expectation {
  Comment = 1,
  Target = 2,
  Space = 3,
  Attribute = 4,
  Value = 5,
}

/** The grammar's ascii::blank. */
function isBlank(char: string): boolean {
  return char === ' ' || char === '\t';
}

export class Scanner {
  pos = 0;
  /** Where the farthest expectation was noted (-1: none yet), its rank and its text. */
  private farthest = -1;
  farthestRank = 0;
  private label = '';

  constructor(readonly text: string) {}

  get atEnd(): boolean {
    return this.pos >= this.text.length;
  }

  peek(offset = 0): string {
    return this.text[this.pos + offset] ?? '';
  }

  /** Notes that `label` would have let the parse go on at `at`; always false, for `return s.expect(...)`. */
  expect(rank: Expectation, label: string, at = this.pos): false {
    if (at > this.farthest || (at === this.farthest && rank > this.farthestRank)) {
      this.farthest = at;
      this.farthestRank = rank;
      this.label = label;
    }
    return false;
  }

  /** The farthest expectation as a failure, or undefined when none was noted. */
  farthestFailure(): ParseFailure | undefined {
    return this.farthest < 0 ? undefined : new ParseFailure(this.farthest, `expected ${this.label}`);
  }

  /** Stops the whole parse here (PEGTL's must<>, or an action's parse_error). */
  fail(expected: string, at = this.pos): never {
    throw new ParseFailure(at, expected);
  }

  /** Consumes `word` if the text continues with it (a plain prefix match, as PEGTL's string<> is). */
  literal(word: string): boolean {
    if (!this.text.startsWith(word, this.pos)) return false;
    this.pos += word.length;
    return true;
  }

  /** star<blank>: consumes spaces and tabs, returning how many. */
  blanks(): number {
    const start = this.pos;
    while (isBlank(this.peek())) this.pos++;
    return this.pos - start;
  }

  /** Whether the sticky `pattern` matches at the cursor, consuming nothing. */
  lookingAt(pattern: RegExp): boolean {
    pattern.lastIndex = this.pos;
    return pattern.test(this.text);
  }

  /** Consumes a match of the sticky `pattern` at the cursor. */
  match(pattern: RegExp): string | undefined {
    pattern.lastIndex = this.pos;
    const found = pattern.exec(this.text);
    if (!found) return undefined;
    this.pos += found[0].length;
    return found[0];
  }
}
