import { forEachDatabase, silentLogger } from '../../../test/support/databases';
import type { Database } from './database';
import { migrate, MIGRATIONS, SchemaMismatchError, type Migration } from './migrations';
import { openDatabase } from './open-database';

const TABLES = ['agents', 'approval_requests', 'approvals', 'audit_records', 'enrol_tokens', 'forwarded_requests', 'policy_versions', 'schema_migrations', 'server_events', 'sessions', 'settings', 'users'];
const NOW = new Date('2026-09-01T08:00:00.000Z');

async function tables(db: Database): Promise<string[]> {
  const sql =
    db.engine === 'sqlite'
      ? "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
      : 'SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema() ORDER BY table_name';
  return (await db.all<{ name: string }>(sql)).map((row) => row.name);
}

const quiet = { logger: silentLogger, now: () => NOW };

const testMigrations: Migration[] = [
  { version: 1, name: 'things', sql: 'CREATE TABLE things (id INTEGER PRIMARY KEY)' },
  { version: 2, name: 'engine-specific', sqlite: "CREATE TABLE made_by (engine TEXT); INSERT INTO made_by VALUES ('sqlite')", postgres: "CREATE TABLE made_by (engine TEXT); INSERT INTO made_by VALUES ('postgres')" },
];

forEachDatabase((harness) => {
  it('migrates an empty database to the latest version, recording each migration', async () => {
    const { db } = await harness.empty();
    expect(await migrate(db, quiet)).toEqual({ applied: MIGRATIONS.map((m) => m.version), version: MIGRATIONS.length });
    expect(await tables(db)).toEqual(TABLES);
    expect(await db.all('SELECT version, name, applied_at FROM schema_migrations')).toEqual(MIGRATIONS.map(({ version, name }) => ({ version, name, applied_at: NOW.toISOString() })));
  });

  it('does nothing when migrated again', async () => {
    const { db } = await harness.migrated();
    expect(await migrate(db, quiet)).toEqual({ applied: [], version: MIGRATIONS.length });
    expect(await db.get('SELECT COUNT(*) AS count FROM schema_migrations')).toEqual({ count: MIGRATIONS.length });
  });

  it("applies only the pending migrations, each engine's own SQL", async () => {
    const { db } = await harness.empty();
    expect(await migrate(db, { ...quiet, migrations: testMigrations.slice(0, 1) })).toEqual({ applied: [1], version: 1 });
    expect(await migrate(db, { ...quiet, migrations: testMigrations })).toEqual({ applied: [2], version: 2 });
    expect(await db.all('SELECT engine FROM made_by')).toEqual([{ engine: harness.engine }]);
  });

  it('refuses, changing nothing, a database migrated by a newer Portcullis', async () => {
    const { db } = await harness.empty();
    await migrate(db, { ...quiet, migrations: testMigrations });
    const migrating = migrate(db, { ...quiet, migrations: testMigrations.slice(0, 1) });
    await expect(migrating).rejects.toThrow(SchemaMismatchError);
    await expect(migrating).rejects.toThrow(
      'migrations.ts: the database\'s schema is at version 2 ("engine-specific"), newer than this Portcullis knows (version 1): upgrade Portcullis',
    );
  });

  it('refuses a database on which a migration was applied under another name (an edited migration)', async () => {
    const { db } = await harness.empty();
    await migrate(db, { ...quiet, migrations: testMigrations.slice(0, 1) });
    const edited = [{ ...testMigrations[0], name: 'renamed things' } as Migration, testMigrations[1] as Migration];
    await expect(migrate(db, { ...quiet, migrations: edited })).rejects.toThrow(
      'migrations.ts: migration 1 was applied to the database as "things", but this Portcullis calls it "renamed things"',
    );
    expect(await tables(db)).not.toContain('made_by');
  });

  it('leaves nothing of a migration that fails half-way', async () => {
    const { db } = await harness.empty();
    const failing: Migration[] = [{ version: 1, name: 'fails', sql: 'CREATE TABLE half (id INTEGER); CREATE TABLE half (id INTEGER)' }];
    await expect(migrate(db, { ...quiet, migrations: failing })).rejects.toThrow();
    // Not even schema_migrations, created in the same transaction.
    expect(await tables(db)).toEqual([]);
  });

  it('refuses a list of migrations whose versions are not 1, 2, 3, ...', async () => {
    const { db } = await harness.empty();
    await expect(migrate(db, { ...quiet, migrations: [testMigrations[1] as Migration] })).rejects.toThrow('migrations.ts: migration "engine-specific" has version 2, expected 1');
  });
});

// PostgreSQL only: on SQLite, BEGIN IMMEDIATE does this between processes, and two connections in
// one process would block each other, as better-sqlite3's busy wait holds the only thread.
forEachDatabase((harness) => {
  it('lets two servers migrate the same database at once', async () => {
    const first = await harness.empty();
    const again = await openDatabase(first.options, { logger: silentLogger });
    try {
      const results = await Promise.all([migrate(first.db, quiet), migrate(again, quiet)]);
      expect(results.flatMap((result) => result.applied).sort()).toEqual(MIGRATIONS.map((m) => m.version));
    } finally {
      await again.close();
    }
    expect(await tables(first.db)).toEqual(TABLES);
  });
}, ['postgres']);
