/** Turns the shared SQL's `?` placeholders into PostgreSQL's `$1..$n`, leaving string literals, quoted identifiers and comments alone. */

export interface NumberedSql {
  /** The SQL with each placeholder `?` replaced by `$1`, `$2`, ... in order. */
  text: string;
  /** How many placeholders there were: the number of parameters the statement takes. */
  count: number;
}

const IDENTIFIER_CHAR = /[A-Za-z0-9_$\u0080-\uffff]/;
const DOLLAR_TAG = /\$(?:[A-Za-z_\u0080-\uffff][A-Za-z0-9_\u0080-\uffff]*)?\$/y;

function isIdentifierChar(char: string | undefined): boolean {
  return char !== undefined && IDENTIFIER_CHAR.test(char);
}

/** The index just past a quote-delimited span opened at `start`; `doubled` quotes stay inside, and so does `\x` when `backslash`. */
function endOfQuoted(sql: string, start: number, quote: string, backslash: boolean): number {
  let i = start + 1;
  while (i < sql.length) {
    const char = sql[i];
    if (backslash && char === '\\') i += 2;
    else if (char === quote && sql[i + 1] === quote) i += 2;
    else if (char === quote) return i + 1;
    else i += 1;
  }
  return sql.length;
}

/** The index just past a block comment opened at `start`; PostgreSQL's block comments nest. */
function endOfBlockComment(sql: string, start: number): number {
  let depth = 0;
  let i = start;
  while (i < sql.length) {
    if (sql.startsWith('/*', i)) {
      depth += 1;
      i += 2;
    } else if (sql.startsWith('*/', i)) {
      depth -= 1;
      i += 2;
      if (depth === 0) return i;
    } else i += 1;
  }
  return sql.length;
}

/**
 * Where the span that opens at `i` ends, if one does: a '...' string (E'...' with backslash
 * escapes), a "..." identifier, a -- or block comment, or a $tag$...$tag$ string. Returns `i`
 * when no such span opens there. An unterminated span runs to the end (the server reports it).
 */
function endOfSpan(sql: string, i: number): number {
  const char = sql[i];
  if (char === "'") {
    const prefix = sql[i - 1];
    const escaped = (prefix === 'E' || prefix === 'e') && !isIdentifierChar(sql[i - 2]);
    return endOfQuoted(sql, i, "'", escaped);
  }
  if (char === '"') return endOfQuoted(sql, i, '"', false);
  if (sql.startsWith('--', i)) {
    const newline = sql.indexOf('\n', i);
    return newline === -1 ? sql.length : newline + 1;
  }
  if (sql.startsWith('/*', i)) return endOfBlockComment(sql, i);
  if (char === '$' && !isIdentifierChar(sql[i - 1])) {
    DOLLAR_TAG.lastIndex = i;
    const tag = DOLLAR_TAG.exec(sql)?.[0];
    if (tag === undefined) return i;
    const close = sql.indexOf(tag, i + tag.length);
    return close === -1 ? sql.length : close + tag.length;
  }
  return i;
}

/**
 * Numbers the placeholders of `sql` for PostgreSQL. Only the bare `?` is a placeholder: SQLite's
 * `?NNN` is refused (it would read as `$1` followed by digits), and PostgreSQL's jsonb operators
 * `?`, `?|`, `?&` cannot be written in the shared SQL (use jsonb_exists() and friends instead).
 */
export function numberPlaceholders(sql: string): NumberedSql {
  let text = '';
  let count = 0;
  let copiedUpTo = 0;
  let i = 0;
  while (i < sql.length) {
    if (sql[i] === '?') {
      if (/[0-9]/.test(sql[i + 1] ?? '')) {
        throw new Error(`sql-placeholders.ts: numbered placeholder "?${/^[0-9]+/.exec(sql.slice(i + 1))?.[0]}" at offset ${i}: write a bare ? (parameters are taken in order)`);
      }
      count += 1;
      text += `${sql.slice(copiedUpTo, i)}$${count}`;
      i += 1;
      copiedUpTo = i;
      continue;
    }
    const end = endOfSpan(sql, i);
    i = end > i ? end : i + 1;
  }
  return { text: text + sql.slice(copiedUpTo), count };
}
