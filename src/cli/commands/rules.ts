/** `portcullis rules canon|check`: rules in USBGuard's canonical form, and rules files checked as usbguard-daemon reads them. */
import { readFile } from 'node:fs/promises';
import { parseRuleLine, parseRulesFile, RuleSyntaxError } from '../../rules/parser';
import { printRule } from '../../rules/printer';
import { UsageError, type Command } from '../command';

/** One input line's output line: the canonical rule, nothing for an empty or comment line, or `ERROR <input>:N:COL: ...`. */
function canonicalLine(text: string, line: number): string {
  try {
    const rule = parseRuleLine(text, { line });
    return rule === null ? '' : printRule(rule);
  } catch (error) {
    if (error instanceof RuleSyntaxError) return `ERROR ${error.message}`;
    throw error;
  }
}

/** The lines of `text`; a final newline ends the last line rather than starting another. */
function linesOf(text: string): string[] {
  if (text === '') return [];
  return (text.endsWith('\n') ? text.slice(0, -1) : text).split('\n');
}

const READ_PROBLEMS: Record<string, string> = {
  ENOENT: 'no such file',
  EACCES: 'permission denied',
  EISDIR: 'it is a folder',
};

export const rulesCanonCommand: Command = {
  path: ['rules', 'canon'],
  summary: "Print each rule line from standard input in USBGuard's canonical form (one output line per input line)",
  usage: 'portcullis rules canon < RULES',
  async run(args, io) {
    if (args.length > 0) throw new UsageError('expected no arguments: the rules are read from standard input');
    const output = linesOf(await io.readStdin()).map((text, index) => canonicalLine(text, index + 1));
    io.out(output.map((line) => `${line}\n`).join(''));
    return output.some((line) => line.startsWith('ERROR ')) ? 1 : 0;
  },
};

export const rulesCheckCommand: Command = {
  path: ['rules', 'check'],
  summary: 'Check a USBGuard rules file as usbguard-daemon would read it',
  usage: 'portcullis rules check FILE',
  async run(args, io) {
    const [file] = args;
    if (file === undefined || args.length !== 1) throw new UsageError('expected one rules file');
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      const { code, message } = error as NodeJS.ErrnoException;
      io.err(`cannot read rules file ${file}: ${READ_PROBLEMS[code ?? ''] ?? message}\n`);
      return 1;
    }
    const { rules, errors } = parseRulesFile(text, file);
    for (const error of errors) io.out(`${error.message}\n`);
    if (errors.length > 0) return 1;
    io.out(`${file}: ${rules.length} ${rules.length === 1 ? 'rule' : 'rules'} OK\n`);
    return 0;
  },
};

export const rulesCommands: readonly Command[] = [rulesCanonCommand, rulesCheckCommand];
