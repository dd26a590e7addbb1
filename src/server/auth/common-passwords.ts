/** The bundled list of common passwords (common-passwords.txt), and the forms a password is looked up in once its decorations are removed. */

import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const COMMON_PASSWORDS_FILE = join(__dirname, 'common-passwords.txt');

/** Look-alike substitutions people make; `1` is read as `i` in one form and as `l` in the other. */
const LEET_FORMS: ReadonlyArray<Readonly<Record<string, string>>> = [
  { '@': 'a', '4': 'a', '3': 'e', '1': 'i', '!': 'i', '0': 'o', $: 's', '5': 's', '7': 't', '+': 't' },
  { '@': 'a', '4': 'a', '3': 'e', '1': 'l', '!': 'i', '0': 'o', $: 's', '5': 's', '7': 't', '+': 't' },
];

let defaultList: ReadonlySet<string> | undefined;

/** One entry a line, lower-cased; blank lines and lines starting with `#` are skipped. */
export function parseCommonPasswords(text: string): ReadonlySet<string> {
  const list = new Set<string>();
  for (const line of text.split(/\r?\n/)) {
    const entry = line.trim();
    if (entry !== '' && !entry.startsWith('#')) list.add(entry.normalize('NFKC').toLowerCase());
  }
  return list;
}

/** Reads the bundled list once (later calls return the same set); a missing file is a clear error naming it. */
export function loadCommonPasswords(file: string = COMMON_PASSWORDS_FILE): ReadonlySet<string> {
  if (file === COMMON_PASSWORDS_FILE && defaultList !== undefined) return defaultList;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new Error(`cannot read the common-password list ${file} (${(error as Error).message}); it ships beside common-passwords.ts and the build must copy it`);
  }
  const list = parseCommonPasswords(text);
  if (list.size === 0) throw new Error(`the common-password list ${file} is empty`);
  if (file === COMMON_PASSWORDS_FILE) defaultList = list;
  return list;
}

function undoLeet(text: string, form: Readonly<Record<string, string>>): string {
  let out = '';
  for (const char of text) out += form[char] ?? char;
  return out;
}

/** How many digits or symbols next to the word a cut may keep, as look-alike letters ("$chool", "hell0"). */
const EDGE = 4;

/**
 * The forms of a password to look up, lower-cased: cut at the first and last letter, at the
 * ends of the whole password, and up to 4 characters outside the letters (so a look-alike that
 * belongs to the word survives); each cut as typed and with look-alikes undone (`@` → a, `0` → o,
 * `$` → s...). "P@ssw0rd2026!" and "2026#1$chool" yield "password" and "school". At most 36 cuts.
 */
export function lookupForms(password: string): ReadonlySet<string> {
  const chars = [...password.normalize('NFKC').toLowerCase()];
  const first = chars.findIndex((char) => /\p{L}/u.test(char));
  const last = chars.findLastIndex((char) => /\p{L}/u.test(char));
  const starts = first === -1 ? [0] : [0, ...range(Math.max(0, first - EDGE), first)];
  const ends = last === -1 ? [chars.length] : [chars.length, ...range(last + 1, Math.min(chars.length, last + 1 + EDGE))];
  const forms = new Set<string>();
  for (const start of new Set(starts)) {
    for (const end of new Set(ends)) {
      const cut = chars.slice(start, end).join('');
      forms.add(cut);
      for (const leet of LEET_FORMS) forms.add(undoLeet(cut, leet));
    }
  }
  forms.delete('');
  return forms;
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, index) => from + index);
}

/** True when any lookup form of the password is on the list. */
export function isCommonPassword(password: string, list: ReadonlySet<string>): boolean {
  for (const form of lookupForms(password)) if (list.has(form)) return true;
  return false;
}
