/** The school's password rule for console accounts: length, letters, numbers and special characters, nothing personal, nothing common. */

import { isCommonPassword, loadCommonPasswords, lookupForms } from './common-passwords';

export const MIN_PASSWORD_LENGTH = 8;
/** Long enough for any passphrase; bounds the work a single login can cause. */
export const MAX_PASSWORD_LENGTH = 128;

/** Words a password must not contain: the account holder's name and email, and any others (the school's name). */
export interface PasswordContext {
  email?: string;
  name?: string;
  /** E.g. the school's name or its town; each word of 3 or more characters is refused inside a password. */
  extraWords?: readonly string[];
}

export type PasswordCheck = { ok: true } | { ok: false; problems: string[] };

export const PASSWORD_PROBLEMS = {
  tooShort: `Use at least ${MIN_PASSWORD_LENGTH} characters.`,
  tooLong: `Use at most ${MAX_PASSWORD_LENGTH} characters.`,
  noLetter: 'Add a letter.',
  noNumber: 'Add a number.',
  noSpecial: 'Add a special character such as ! or #.',
  personal: "Don't use your name or email address in your password.",
  guessable: "Don't use the school's name or other words people could guess.",
  common: 'This password is too common: it appears in lists attackers try first.',
} as const;

/** Pieces of 3+ characters worth refusing: the whole text without separators, and each word in it. */
function guessableWords(text: string | undefined): string[] {
  if (text === undefined) return [];
  const lower = text.normalize('NFKC').toLowerCase();
  const words = lower.split(/[^\p{L}\p{N}]+/u);
  return [words.join(''), ...words].filter((word) => [...word].length >= 3);
}

function localPart(email: string | undefined): string | undefined {
  if (email === undefined) return undefined;
  const at = email.lastIndexOf('@');
  return at === -1 ? email : email.slice(0, at);
}

function containsAny(password: string, words: readonly string[]): boolean {
  if (words.length === 0) return false;
  const forms = [password.normalize('NFKC').toLowerCase(), ...lookupForms(password)];
  return words.some((word) => forms.some((form) => form.includes(word)));
}

/**
 * Checks a new password against the rule. Every problem found is listed, each a sentence a
 * member of staff can act on. Length counts characters, not bytes. `commonPasswords` defaults
 * to the bundled list (loaded once).
 */
export function checkPassword(password: string, context: PasswordContext = {}, commonPasswords: ReadonlySet<string> = loadCommonPasswords()): PasswordCheck {
  const text = password.normalize('NFKC');
  const length = [...text].length;
  const problems: string[] = [];
  if (length < MIN_PASSWORD_LENGTH) problems.push(PASSWORD_PROBLEMS.tooShort);
  if (length > MAX_PASSWORD_LENGTH) problems.push(PASSWORD_PROBLEMS.tooLong);
  if (!/\p{L}/u.test(text)) problems.push(PASSWORD_PROBLEMS.noLetter);
  if (!/\p{N}/u.test(text)) problems.push(PASSWORD_PROBLEMS.noNumber);
  if (!/[^\p{L}\p{N}\p{M}]/u.test(text)) problems.push(PASSWORD_PROBLEMS.noSpecial);
  if (containsAny(text, [...guessableWords(localPart(context.email)), ...guessableWords(context.name)])) {
    problems.push(PASSWORD_PROBLEMS.personal);
  }
  if (containsAny(text, (context.extraWords ?? []).flatMap((word) => guessableWords(word)))) problems.push(PASSWORD_PROBLEMS.guessable);
  if (length <= MAX_PASSWORD_LENGTH && isCommonPassword(text, commonPasswords)) problems.push(PASSWORD_PROBLEMS.common);
  return problems.length === 0 ? { ok: true } : { ok: false, problems };
}
