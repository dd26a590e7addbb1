/** The console server's database on PostgreSQL (pg's Pool): `?` placeholders numbered, integers read exactly, each transaction on one pooled client. */

import { Pool, types as pgTypes, type CustomTypesConfig, type PoolClient, type QueryResult } from 'pg';
import { createLogger, type Logger } from '../../util/logger';
import type { Database, RunResult, SqlRunner, SqlValue } from './database';
import { checkDatabaseUrl, DatabaseUrlError, hideSecrets, redactDatabaseUrl } from './database-url';
import { numberPlaceholders } from './sql-placeholders';
import { integerFromText, numericFromText } from './sql-values';
import { guardTransactionRunner, inTransactionScope, refuseInsideTransaction } from './transaction-scope';

const FILE = 'postgres-database.ts';

export interface PostgresOptions {
  logger?: Logger;
  /** What errors call the URL; DATABASE_URL by default. */
  name?: string;
  /** Connections the pool may open (pg's default: 10). */
  max?: number;
  /** How long a new connection may take before it fails (default 10 s: an unreachable host fails rather than hangs). */
  connectionTimeoutMillis?: number;
}

/**
 * pg gives BIGINT and NUMERIC as strings (JavaScript numbers cannot hold every value) and
 * booleans as true/false; here they come back as SQLite gives them (see SqlValue): integers as
 * exact numbers, bigint beyond 2^53, and booleans as 1/0. Per pool, so pg's global parsers stay as they are.
 */
const typeParsers = {
  getTypeParser: (oid: number, format?: 'text' | 'binary') => {
    if (format !== 'binary') {
      if (oid === pgTypes.builtins.INT8) return integerFromText;
      if (oid === pgTypes.builtins.NUMERIC) return numericFromText;
      if (oid === pgTypes.builtins.BOOL) return (text: string) => (text === 't' ? 1 : 0);
    }
    return pgTypes.getTypeParser(oid, format);
  },
} as CustomTypesConfig;

type Queryable = Pool | PoolClient;

async function query(on: Queryable, sql: string, params: readonly SqlValue[] = []): Promise<QueryResult> {
  const { text, count } = numberPlaceholders(sql);
  if (count !== params.length) {
    throw new Error(`${FILE}: the statement has ${count} placeholder(s) but was given ${params.length} parameter(s): ${sql}`);
  }
  return on.query({ text, values: [...params] });
}

function runnerOn(on: Queryable): SqlRunner {
  return {
    all: async <Row extends object>(sql: string, params?: readonly SqlValue[]) => (await query(on, sql, params)).rows as Row[],
    get: async <Row extends object>(sql: string, params?: readonly SqlValue[]) => (await query(on, sql, params)).rows[0] as Row | undefined,
    run: async (sql: string, params?: readonly SqlValue[]): Promise<RunResult> => ({ changes: (await query(on, sql, params)).rowCount ?? 0 }),
    // No parameters: pg sends it as a simple query, which may hold several statements.
    exec: async (sql: string) => void (await on.query(sql)),
  };
}

class PostgresDatabase implements Database {
  readonly engine = 'postgres' as const;
  private readonly pooled: SqlRunner;
  private ended = false;

  constructor(
    private readonly pool: Pool,
    private readonly logger: Logger,
  ) {
    this.pooled = runnerOn(pool);
  }

  async all<Row extends object>(sql: string, params?: readonly SqlValue[]): Promise<Row[]> {
    refuseInsideTransaction(this, FILE, 'all()');
    return this.pooled.all<Row>(sql, params);
  }

  async get<Row extends object>(sql: string, params?: readonly SqlValue[]): Promise<Row | undefined> {
    refuseInsideTransaction(this, FILE, 'get()');
    return this.pooled.get<Row>(sql, params);
  }

  async run(sql: string, params?: readonly SqlValue[]): Promise<RunResult> {
    refuseInsideTransaction(this, FILE, 'run()');
    return this.pooled.run(sql, params);
  }

  async exec(sql: string): Promise<void> {
    refuseInsideTransaction(this, FILE, 'exec()');
    return this.pooled.exec(sql);
  }

  /**
   * READ COMMITTED, PostgreSQL's default. Unlike SQLite, a statement that fails aborts the whole
   * transaction, even when `work` catches its error: COMMIT then rolls back, and this throws.
   */
  async transaction<T>(work: (tx: SqlRunner) => Promise<T>): Promise<T> {
    refuseInsideTransaction(this, FILE, 'transaction()');
    const client = await this.pool.connect();
    let broken: Error | undefined;
    try {
      return await inTransactionScope(this, async () => {
        await client.query('BEGIN');
        let open = true;
        try {
          const result = await work(guardTransactionRunner(runnerOn(client), () => open, FILE));
          open = false;
          const commit = await client.query('COMMIT');
          if (commit.command === 'ROLLBACK') {
            throw new Error(`${FILE}: the transaction was rolled back, not committed: a statement in it failed (and its error was caught)`);
          }
          return result;
        } catch (error) {
          open = false;
          await client.query('ROLLBACK').catch((rollbackError: Error) => {
            broken = rollbackError;
            this.logger.warn('ROLLBACK failed: dropping the connection', { error: rollbackError.message });
          });
          throw error;
        }
      });
    } finally {
      client.release(broken);
    }
  }

  async close(): Promise<void> {
    if (this.ended) return;
    this.ended = true;
    await this.pool.end();
  }
}

function reasonOf(error: unknown): string {
  const { message, code, errors } = error as { message?: string; code?: string; errors?: { message?: string }[] };
  // Node gives an AggregateError with an empty message when every address of a host refused.
  const text = message !== undefined && message !== '' ? message : (errors?.[0]?.message ?? String(error));
  return code !== undefined && !text.includes(code) ? `${text} (${code})` : text;
}

/**
 * Connects to the PostgreSQL server of `url` and checks it answers. A malformed or unreachable
 * URL is a DatabaseUrlError naming it (DATABASE_URL by default) with its password hidden.
 */
export async function openPostgres(url: string, options: PostgresOptions = {}): Promise<Database> {
  const name = options.name ?? 'DATABASE_URL';
  const logger = options.logger ?? createLogger('postgres-database');
  checkDatabaseUrl(url, name);
  const pool = new Pool({
    connectionString: url,
    types: typeParsers,
    max: options.max ?? 10,
    connectionTimeoutMillis: options.connectionTimeoutMillis ?? 10_000,
    application_name: 'portcullis',
  });
  // An idle connection the server drops (a restart) must not crash the server: the pool replaces it.
  pool.on('error', (error) => logger.warn('an idle PostgreSQL connection failed', { error: hideSecrets(error.message, url) }));
  try {
    await pool.query('SELECT 1');
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw new DatabaseUrlError(`${name} (${redactDatabaseUrl(url)}): cannot connect: ${hideSecrets(reasonOf(error), url)}`);
  }
  logger.info('connected to PostgreSQL', { url: redactDatabaseUrl(url) });
  return new PostgresDatabase(pool, logger);
}
