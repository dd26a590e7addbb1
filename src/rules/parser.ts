/** The USBGuard rule language parser: a line becomes a Rule exactly when usbguard-rule-parser (1.1) accepts it. */
import { parseLineText } from './line-parser';
import type { Rule } from './rule';
import { TARGET_LABEL } from './rule-grammar';
import { RuleSyntaxError } from './rule-syntax-error';
import { ParseFailure } from './scanner';

export { RuleSyntaxError } from './rule-syntax-error';

/** Where a rule came from, for error messages; the file defaults to `<input>` and the line to 1. */
export interface RuleSource {
  file?: string;
  line?: number;
}

function syntaxError(text: string, where: RuleSource | undefined, pos: number, expected: string): RuleSyntaxError {
  const column = Array.from(text.slice(0, pos)).length + 1;
  return new RuleSyntaxError(where?.file ?? '<input>', where?.line ?? 1, column, expected);
}

/** One line: its rule, or null when it holds none (empty, or only a comment). Throws RuleSyntaxError. */
export function parseRuleLine(text: string, where?: RuleSource): Rule | null {
  try {
    return parseLineText(text);
  } catch (error) {
    if (error instanceof ParseFailure) throw syntaxError(text, where, error.pos, error.expected);
    throw error;
  }
}

/** One rule. Throws RuleSyntaxError, also for a line without a rule. */
export function parseRule(text: string, where?: RuleSource): Rule {
  const rule = parseRuleLine(text, where);
  if (rule === null) throw syntaxError(text, where, 0, `expected ${TARGET_LABEL}${text === '' ? '' : ', not only a comment'}`);
  return rule;
}

/** A rule of a rules file, with its 1-based line number and its text as written. */
export interface RuleLine {
  rule: Rule;
  line: number;
  text: string;
}

/** A rules file as usbguard-daemon reads one: a rule or comment per line, empty lines skipped. */
export function parseRulesFile(text: string, file: string): { rules: RuleLine[]; errors: RuleSyntaxError[] } {
  const rules: RuleLine[] = [];
  const errors: RuleSyntaxError[] = [];
  text.split('\n').forEach((lineText, index) => {
    try {
      const rule = parseRuleLine(lineText, { file, line: index + 1 });
      if (rule) rules.push({ rule, line: index + 1, text: lineText });
    } catch (error) {
      if (!(error instanceof RuleSyntaxError)) throw error;
      errors.push(error);
    }
  });
  return { rules, errors };
}
