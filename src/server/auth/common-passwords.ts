/** The bundled list of common passwords (common-passwords-list.ts), and the forms a password is looked up in once its decorations are removed. */

import { readFileSync } from 'node:fs';
import { COMMON_PASSWORDS_TEXT } from './common-passwords-list';

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

/**
 * The bundled list (parsed once; later calls return the same set), or the list in `file`, one
 * entry a line; a missing or empty file is a clear error naming it.
 */
export function loadCommonPasswords(file?: string): ReadonlySet<string> {
  if (file === undefined) return (defaultList ??= parseCommonPasswords(COMMON_PASSWORDS_TEXT));
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new Error(`cannot read the common-password list ${file} (${(error as Error).message})`);
  }
  const list = parseCommonPasswords(text);
  if (list.size === 0) throw new Error(`the common-password list ${file} is empty`);
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
