/** The console server's database on SQLite (better-sqlite3): one connection, its statements and transactions taken one at a time. */

import BetterSqlite3 from 'better-sqlite3';
import { chmodSync, closeSync, existsSync, mkdirSync, openSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { createLogger, type Logger } from '../../util/logger';
import { SerialQueue } from '../../util/serial-queue';
import type { Database, RunResult, SqlRunner, SqlValue } from './database';
import { sqliteError } from './database-errors';
import { withExactIntegers } from './sql-values';
import { guardTransactionRunner, inTransactionScope, refuseInsideTransaction } from './transaction-scope';

const FILE = 'sqlite-database.ts';
const STATEMENT_CACHE_SIZE = 200;

export interface SqliteOptions {
  logger?: Logger;
  /**
   * How long a statement waits for another process's write lock (the CLI on the same file) before
   * failing with SQLITE_BUSY (default 5000 ms). better-sqlite3 waits synchronously: the server
   * stalls meanwhile, and two connections in one process would each wait out the other's timeout.
   */
  busyTimeoutMs?: number;
}

/** Runs better-sqlite3 code, its errors made this realm's (see sqliteError). */
function sqlite<T>(work: () => T): T {
  try {
    return work();
  } catch (error) {
    throw sqliteError(error);
  }
}

type Statement = BetterSqlite3.Statement<unknown[], unknown>;
type Bindable = string | number | bigint | null | Buffer;

function bindable(params: readonly SqlValue[]): Bindable[] {
  return params.map((value) => (value instanceof Uint8Array && !Buffer.isBuffer(value) ? Buffer.from(value.buffer, value.byteOffset, value.byteLength) : value) as Bindable);
}

/**
 * Creates the directory (0700) and the file (0600) if missing, before SQLite does with the
 * process's umask: the file holds password hashes and session ids. An existing file, and its
 * -wal and -shm files (SQLite gives new ones the database file's mode), are tightened to 0600.
 */
function prepareFile(file: string, logger: Logger): void {
  const directory = dirname(file);
  try {
    if (mkdirSync(directory, { recursive: true, mode: 0o700 }) === undefined && (statSync(directory).mode & 0o022) !== 0) {
      logger.warn('the database directory is writable by other users: the database file could be replaced', { directory });
    }
    closeSync(openSync(file, 'a', 0o600));
    for (const path of [file, `${file}-wal`, `${file}-shm`]) {
      if (existsSync(path) && (statSync(path).mode & 0o777) !== 0o600) {
        chmodSync(path, 0o600);
        logger.warn('tightened the database file to mode 0600', { file: path });
      }
    }
  } catch (error) {
    throw new Error(`${FILE}: cannot create the SQLite database ${file}: ${(error as Error).message}`);
  }
}

class SqliteDatabase implements Database {
  readonly engine = 'sqlite' as const;
  /** better-sqlite3 is synchronous, but a transaction's work awaits between statements: everything takes its turn here. */
  private readonly queue = new SerialQueue(() => undefined);
  private readonly statements = new Map<string, Statement>();
  private readonly direct: SqlRunner;
  private closed = false;

  constructor(private readonly connection: BetterSqlite3.Database) {
    this.direct = {
      all: async <Row extends object>(sql: string, params: readonly SqlValue[] = []) =>
        sqlite(() => {
          const statement = this.prepare(sql);
          if (!statement.reader) {
            statement.run(...bindable(params));
            return [];
          }
          return (statement.all(...bindable(params)) as Row[]).map(withExactIntegers);
        }),
      get: async <Row extends object>(sql: string, params: readonly SqlValue[] = []) =>
        sqlite(() => {
          const statement = this.prepare(sql);
          if (!statement.reader) {
            statement.run(...bindable(params));
            return undefined;
          }
          const row = statement.get(...bindable(params)) as Row | undefined;
          return row === undefined ? undefined : withExactIntegers(row);
        }),
      run: async (sql: string, params: readonly SqlValue[] = []): Promise<RunResult> => sqlite(() => ({ changes: this.prepare(sql).run(...bindable(params)).changes })),
      exec: async (sql: string) => sqlite(() => void this.connection.exec(sql)),
    };
  }

  async all<Row extends object>(sql: string, params?: readonly SqlValue[]): Promise<Row[]> {
    refuseInsideTransaction(this, FILE, 'all()');
    return this.queue.run(() => this.direct.all<Row>(sql, params));
  }

  async get<Row extends object>(sql: string, params?: readonly SqlValue[]): Promise<Row | undefined> {
    refuseInsideTransaction(this, FILE, 'get()');
    return this.queue.run(() => this.direct.get<Row>(sql, params));
  }

  async run(sql: string, params?: readonly SqlValue[]): Promise<RunResult> {
    refuseInsideTransaction(this, FILE, 'run()');
    return this.queue.run(() => this.direct.run(sql, params));
  }

  async exec(sql: string): Promise<void> {
    refuseInsideTransaction(this, FILE, 'exec()');
    return this.queue.run(() => this.direct.exec(sql));
  }

  /**
   * BEGIN IMMEDIATE takes the write lock at once, so a transaction that reads then writes never
   * fails half-way with SQLITE_BUSY because another process (the CLI) wrote in between.
   */
  async transaction<T>(work: (tx: SqlRunner) => Promise<T>): Promise<T> {
    refuseInsideTransaction(this, FILE, 'transaction()');
    return this.queue.run(() =>
      inTransactionScope(this, async () => {
        sqlite(() => this.connection.exec('BEGIN IMMEDIATE'));
        let open = true;
        try {
          const result = await work(guardTransactionRunner(this.direct, () => open, FILE));
          open = false;
          sqlite(() => this.connection.exec('COMMIT'));
          return result;
        } catch (error) {
          open = false;
          if (this.connection.inTransaction) sqlite(() => this.connection.exec('ROLLBACK'));
          throw error;
        }
      }),
    );
  }

  async close(): Promise<void> {
    return this.queue.run(async () => {
      if (this.closed) return;
      this.closed = true;
      this.statements.clear();
      this.connection.close();
    });
  }

  private prepare(sql: string): Statement {
    let statement = this.statements.get(sql);
    if (statement === undefined) {
      statement = this.connection.prepare(sql);
      if (this.statements.size >= STATEMENT_CACHE_SIZE) this.statements.delete(this.statements.keys().next().value as string);
      this.statements.set(sql, statement);
    }
    return statement;
  }
}

/**
 * Opens (creating if needed) the SQLite database `file`, or `:memory:`: WAL journal (readers do
 * not block the writer, and a crash loses no committed transaction), foreign keys enforced,
 * a busy timeout for other processes' locks, and every integer read exactly (see SqlValue).
 */
export async function openSqlite(file: string, options: SqliteOptions = {}): Promise<Database> {
  const logger = options.logger ?? createLogger('sqlite-database');
  const inMemory = file === ':memory:';
  if (!inMemory) prepareFile(file, logger);
  let connection: BetterSqlite3.Database;
  try {
    connection = new BetterSqlite3(file, { timeout: options.busyTimeoutMs ?? 5000 });
  } catch (error) {
    throw new Error(`${FILE}: cannot open the SQLite database ${file}: ${sqliteError(error).message}`);
  }
  try {
    const journal = connection.pragma('journal_mode = WAL', { simple: true });
    if (!inMemory && journal !== 'wal') throw new Error(`journal_mode is ${String(journal)}, not wal`);
    connection.pragma('foreign_keys = ON');
    connection.defaultSafeIntegers(true);
  } catch (error) {
    connection.close();
    throw new Error(`${FILE}: cannot set up the SQLite database ${file}: ${sqliteError(error).message}`);
  }
  logger.info('opened the SQLite database', { file });
  return new SqliteDatabase(connection);
}
