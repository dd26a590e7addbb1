/** What a failed statement broke, told the same way for both engines: the server answers "that email is taken" without knowing which engine said so. */

export type ConstraintKind = 'unique' | 'foreign-key' | 'check' | 'not-null';

const BY_CODE: Record<string, ConstraintKind> = {
  // SQLite's extended result codes (better-sqlite3's error.code).
  SQLITE_CONSTRAINT_UNIQUE: 'unique',
  SQLITE_CONSTRAINT_PRIMARYKEY: 'unique',
  SQLITE_CONSTRAINT_FOREIGNKEY: 'foreign-key',
  SQLITE_CONSTRAINT_CHECK: 'check',
  SQLITE_CONSTRAINT_NOTNULL: 'not-null',
  // PostgreSQL's SQLSTATEs (pg's error.code).
  '23505': 'unique',
  '23503': 'foreign-key',
  '23514': 'check',
  '23502': 'not-null',
};

/** The constraint a statement's error says it violated, if it is such an error. */
export function violatedConstraint(error: unknown): ConstraintKind | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? BY_CODE[code] : undefined;
}

/**
 * A SQLite error as an Error of this module's realm, its `code` (SQLITE_CONSTRAINT_UNIQUE, ...)
 * kept. Works around better-sqlite3 keeping the SqliteError constructor of the first module
 * instance that loaded its native addon: under jest, each test file has its own realm, and the
 * second file's errors were not `instanceof Error` there (nor matched by `rejects.toThrow`).
 */
export function sqliteError(error: unknown): Error {
  if (typeof error !== 'object' || error === null || error instanceof Error) return error as Error;
  const { message, code } = error as { message?: unknown; code?: unknown };
  const wrapped = new Error(String(message), { cause: error });
  wrapped.name = 'SqliteError';
  return Object.assign(wrapped, { code });
}
