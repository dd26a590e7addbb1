/** The console server's storage, one interface over SQLite (the embedded default) and PostgreSQL (a trust of many schools). */

/**
 * A value a statement can take or give back. Booleans are stored as 0/1 integers on both engines
 * (a PostgreSQL boolean expression also comes back as 1/0); times as ISO 8601 UTC text.
 *
 * Integers (INTEGER, BIGINT, COUNT(*), and integral PostgreSQL NUMERIC such as SUM of a BIGINT)
 * come back as `number` while within Number.MAX_SAFE_INTEGER, and as `bigint` beyond it, on both
 * engines: never a silently rounded number. A fractional NUMERIC comes back as a `number`.
 */
export type SqlValue = string | number | bigint | null | Uint8Array;

export interface RunResult {
  /** Rows inserted, updated or deleted. */
  changes: number;
}

/**
 * Statements are written once, with `?` placeholders, in the SQL both engines share; each
 * implementation turns them into its own form (`$1, $2` for PostgreSQL). A `?` inside a string
 * literal, a quoted identifier or a comment is not a placeholder. Column names come back as
 * written in the SQL on SQLite and folded to lower case on PostgreSQL: write them in snake_case.
 */
export interface SqlRunner {
  /** Every row the statement returns, as plain objects keyed by column name ([] for a statement that returns none). */
  all<Row extends object>(sql: string, params?: readonly SqlValue[]): Promise<Row[]>;
  /** The first row, or undefined. */
  get<Row extends object>(sql: string, params?: readonly SqlValue[]): Promise<Row | undefined>;
  run(sql: string, params?: readonly SqlValue[]): Promise<RunResult>;
  /** Runs one or more `;`-separated statements that take no parameters: the migrations' DDL. */
  exec(sql: string): Promise<void>;
}

export type Engine = 'sqlite' | 'postgres';

export interface Database extends SqlRunner {
  readonly engine: Engine;
  /**
   * Runs `work` in one transaction: committed when it resolves, rolled back when it throws (the
   * error is rethrown as it was). Inside `work`, use `tx`: the database's own statements and a
   * nested `transaction` are refused there, as they would run outside it (PostgreSQL) or wait
   * for it forever (SQLite's one connection). `tx` is refused once the transaction has ended.
   */
  transaction<T>(work: (tx: SqlRunner) => Promise<T>): Promise<T>;
  /** Waits for queued work, then closes; calling it again does nothing. */
  close(): Promise<void>;
}
