/** Versioned schema migrations, recorded in `schema_migrations`: `migrate(db)` applies the pending ones, each in its own transaction. */

import { createLogger, type Logger } from '../../util/logger';
import type { Database, Engine, SqlRunner } from './database';
import { initialSchema } from './migrations/001-initial-schema';
import { agentIntake } from './migrations/002-agent-intake';
import { consoleApprovals } from './migrations/003-console-approvals';

/** One step of the schema: the same SQL for both engines, or each its own. Never edit one that has shipped: add the next. */
export type Migration = { readonly version: number; readonly name: string } & (
  | { readonly sql: string }
  | { readonly sqlite: string; readonly postgres: string }
);

/** Every migration, in order; versions are 1, 2, 3, ... */
export const MIGRATIONS: readonly Migration[] = [initialSchema, agentIntake, consoleApprovals];

export interface MigrateDeps {
  logger?: Logger;
  now?: () => Date;
  /** For tests: a list other than MIGRATIONS. */
  migrations?: readonly Migration[];
}

export interface MigrateResult {
  /** Versions applied by this call, in order. */
  applied: number[];
  /** The schema's version afterwards (0: none). */
  version: number;
}

/** Thrown, naming both versions, when the database was migrated by other code than this. */
export class SchemaMismatchError extends Error {
  override readonly name = 'SchemaMismatchError';
}

const CREATE_TABLE = `CREATE TABLE IF NOT EXISTS schema_migrations (
  version INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  applied_at TEXT NOT NULL
)`;

/** Any constant: the key of the PostgreSQL advisory lock that lets one server at a time migrate. */
const POSTGRES_LOCK_KEY = 7_206_561_903;

interface Recorded {
  version: number;
  name: string;
}

export function migrationSql(migration: Migration, engine: Engine): string {
  return 'sql' in migration ? migration.sql : migration[engine];
}

function checkList(migrations: readonly Migration[]): void {
  migrations.forEach((migration, index) => {
    if (migration.version !== index + 1) {
      throw new Error(`migrations.ts: migration "${migration.name}" has version ${migration.version}, expected ${index + 1}: versions run 1, 2, 3, ... in order`);
    }
    if (migration.name.trim() === '') throw new Error(`migrations.ts: migration ${migration.version} has no name`);
  });
}

/** Refuses a database whose record does not match the code: newer versions, or a different name (an edited migration). */
function checkRecorded(recorded: readonly Recorded[], migrations: readonly Migration[]): void {
  const latest = migrations.length;
  for (const row of recorded) {
    const known = migrations[row.version - 1];
    if (known === undefined) {
      const newest = recorded[recorded.length - 1] ?? row;
      throw new SchemaMismatchError(
        `migrations.ts: the database's schema is at version ${newest.version} ("${newest.name}"), newer than this Portcullis knows (version ${latest}): ` +
          'upgrade Portcullis, or restore a backup made before the newer version ran',
      );
    }
    if (known.name !== row.name) {
      throw new SchemaMismatchError(
        `migrations.ts: migration ${row.version} was applied to the database as "${row.name}", but this Portcullis calls it "${known.name}": ` +
          'an applied migration was edited or replaced; add a new migration instead',
      );
    }
  }
  const gaps = migrations.filter((migration) => migration.version < (recorded[recorded.length - 1]?.version ?? 0) && !recorded.some((row) => row.version === migration.version));
  if (gaps.length > 0) {
    throw new SchemaMismatchError(`migrations.ts: migration ${gaps[0]?.version} ("${gaps[0]?.name}") was never applied, yet later ones were: the schema_migrations table was edited`);
  }
}

async function recordedVersions(tx: SqlRunner): Promise<Recorded[]> {
  return tx.all<Recorded>('SELECT version, name FROM schema_migrations ORDER BY version');
}

/**
 * Applies every pending migration, each in its own transaction with its row in schema_migrations.
 * On PostgreSQL an advisory lock makes a second server starting at the same time wait, then find
 * nothing to do; on SQLite BEGIN IMMEDIATE does the same. Throws SchemaMismatchError, changing
 * nothing, when the database's record does not match the code's list.
 */
export async function migrate(db: Database, deps: MigrateDeps = {}): Promise<MigrateResult> {
  const migrations = deps.migrations ?? MIGRATIONS;
  const logger = deps.logger ?? createLogger('migrations');
  const now = deps.now ?? (() => new Date());
  checkList(migrations);
  const applied: number[] = [];
  for (;;) {
    const next = await db.transaction(async (tx) => {
      if (db.engine === 'postgres') await tx.get(`SELECT pg_advisory_xact_lock(${POSTGRES_LOCK_KEY})`);
      await tx.exec(CREATE_TABLE);
      const recorded = await recordedVersions(tx);
      checkRecorded(recorded, migrations);
      const pending = migrations[recorded.length];
      if (pending === undefined) return undefined;
      await tx.exec(migrationSql(pending, db.engine));
      await tx.run('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)', [pending.version, pending.name, now().toISOString()]);
      return pending;
    });
    if (next === undefined) break;
    applied.push(next.version);
    logger.info('applied a database migration', { version: next.version, name: next.name, engine: db.engine });
  }
  return { applied, version: migrations.length };
}
