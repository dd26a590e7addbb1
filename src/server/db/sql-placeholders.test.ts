import fc from 'fast-check';
import { numberPlaceholders } from './sql-placeholders';

/** Pieces of SQL: [the piece, its placeholders]; only the bare ? is one. Joined with spaces: adjacent literals would merge ('a''b' is one). */
const text = fc.string({ unit: fc.constantFrom('a', ' ', '?', "'", '"', '-', '*', '/', '$', '\\', '\n') });
const piece = fc.oneof(
  fc.constant<[string, number]>(['?', 1]),
  fc.constant<[string, number]>([' x = ', 0]),
  text.map((t): [string, number] => [`'${t.replaceAll("'", "''")}'`, 0]),
  text.map((t): [string, number] => [`"${t.replaceAll('"', '""')}"`, 0]),
  text.map((t): [string, number] => [` E'${t.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`, 0]),
  text.map((t): [string, number] => [`-- ${t.replaceAll('\n', ' ')}\n`, 0]),
  text.map((t): [string, number] => [`/* ${t.replaceAll('*/', '* /').replaceAll('/*', '/ *')} */`, 0]),
  text.map((t): [string, number] => [` $q$${t.replaceAll('$q$', 'q')}$q$`, 0]),
);

describe('numberPlaceholders', () => {
  it('numbers each ? in order', () => {
    expect(numberPlaceholders('SELECT * FROM users WHERE email = ? AND role = ?')).toEqual({
      text: 'SELECT * FROM users WHERE email = $1 AND role = $2',
      count: 2,
    });
  });

  it('leaves SQL without placeholders as it is', () => {
    expect(numberPlaceholders('SELECT 1')).toEqual({ text: 'SELECT 1', count: 0 });
    expect(numberPlaceholders('')).toEqual({ text: '', count: 0 });
  });

  it('numbers placeholders next to other characters', () => {
    expect(numberPlaceholders('VALUES (?,?,?)').text).toBe('VALUES ($1,$2,$3)');
    expect(numberPlaceholders('?').text).toBe('$1');
  });

  it.each([
    ["a string literal", "SELECT 'why?' AS q, ? AS p", "SELECT 'why?' AS q, $1 AS p"],
    ["a literal with a doubled quote", "SELECT 'it''s ?', ?", "SELECT 'it''s ?', $1"],
    ["an escape string with \\'", "SELECT E'a\\'?', ?", "SELECT E'a\\'?', $1"],
    ["a lower-case escape string", "SELECT e'\\\\', ?", "SELECT e'\\\\', $1"],
    ['a quoted identifier', 'SELECT "what?" FROM t WHERE a = ?', 'SELECT "what?" FROM t WHERE a = $1'],
    ['an identifier with a doubled quote', 'SELECT "a""?" , ?', 'SELECT "a""?" , $1'],
    ['a line comment', 'SELECT ? -- really?\n, ?', 'SELECT $1 -- really?\n, $2'],
    ['a block comment', 'SELECT /* ? */ ?', 'SELECT /* ? */ $1'],
    ['a nested block comment', 'SELECT /* a /* ? */ ? */ ?', 'SELECT /* a /* ? */ ? */ $1'],
    ['a dollar-quoted string', 'SELECT $$ ? $$, ?', 'SELECT $$ ? $$, $1'],
    ['a tagged dollar-quoted string', 'SELECT $x$ $$ ? $x$, ?', 'SELECT $x$ $$ ? $x$, $1'],
  ])('leaves a ? inside %s alone', (_what, sql, expected) => {
    expect(numberPlaceholders(sql).text).toBe(expected);
  });

  it('treats a backslash in a standard string as an ordinary character', () => {
    expect(numberPlaceholders("SELECT 'a\\', ?").text).toBe("SELECT 'a\\', $1");
  });

  it('does not take a word ending in E for an escape-string prefix', () => {
    expect(numberPlaceholders("SELECT typE'a\\', ?").text).toBe("SELECT typE'a\\', $1");
  });

  it('does not take a $ inside an identifier for a dollar quote', () => {
    expect(numberPlaceholders('SELECT a$b$ FROM t WHERE x = ?').text).toBe('SELECT a$b$ FROM t WHERE x = $1');
  });

  it('copies an unterminated literal to the end, for the server to report', () => {
    expect(numberPlaceholders("SELECT ?, 'open ?")).toEqual({ text: "SELECT $1, 'open ?", count: 1 });
  });

  it('refuses SQLite numbered placeholders, naming the file', () => {
    expect(() => numberPlaceholders('SELECT ?1')).toThrow(/sql-placeholders\.ts: numbered placeholder "\?1" at offset 7/);
  });

  it('numbers exactly the bare placeholders of any mix of literals, identifiers and comments', () => {
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 12 }), (pieces) => {
        const sql = pieces.map(([part]) => part).join(' ');
        const { text: numbered, count } = numberPlaceholders(sql);
        expect(count).toBe(pieces.reduce((sum, [, n]) => sum + n, 0));
        let n = 0;
        expect(numbered).toBe(pieces.map(([part, placeholders]) => (placeholders === 1 ? `$${++n}` : part)).join(' '));
      }),
    );
  });
});
