/** Opens the console server's database: PostgreSQL when DATABASE_URL is given, else SQLite in the data directory. */

import { join } from 'node:path';
import type { Logger } from '../../util/logger';
import type { Database } from './database';
import { openPostgres } from './postgres-database';
import { openSqlite } from './sqlite-database';

/** The SQLite database's file name inside `portcullis server --data DIR`. */
export const SQLITE_FILE_NAME = 'portcullis.sqlite';

export interface OpenDatabaseOptions {
  /** `--data DIR`: the SQLite database is DIR/portcullis.sqlite. */
  dataDir?: string;
  /** DATABASE_URL (postgres://...): chosen over `dataDir` when set and not empty. */
  databaseUrl?: string;
}

export interface OpenDatabaseDeps {
  logger?: Logger;
}

/**
 * Opens (without migrating: see migrate()) the database the options choose. Throws a
 * DatabaseUrlError naming DATABASE_URL, password hidden, when that URL is malformed or unreachable.
 */
export async function openDatabase(options: OpenDatabaseOptions, deps: OpenDatabaseDeps = {}): Promise<Database> {
  const { dataDir, databaseUrl } = options;
  if (databaseUrl !== undefined && databaseUrl !== '') return openPostgres(databaseUrl, { name: 'DATABASE_URL', ...deps });
  if (dataDir !== undefined && dataDir !== '') return openSqlite(join(dataDir, SQLITE_FILE_NAME), deps);
  throw new Error('open-database.ts: no database: give the server a data directory (--data DIR) for SQLite, or DATABASE_URL for PostgreSQL');
}
