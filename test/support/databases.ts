/** Runs one suite against both engines: fresh SQLite databases in a temp dir, fresh PostgreSQL ones in a throwaway cluster (or PORTCULLIS_TEST_DATABASE_URL's server). */

import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import type { Database, Engine } from '../../src/server/db/database';
import { migrate } from '../../src/server/db/migrations';
import { openDatabase, type OpenDatabaseOptions } from '../../src/server/db/open-database';
import { createLogger } from '../../src/util/logger';
import { testServerUrl } from './postgres-cluster';

export const ENGINES: readonly Engine[] = ['sqlite', 'postgres'];

/** Keeps the databases' info lines (opened, migrated) out of the test output. */
export const silentLogger = createLogger('test', { write: () => undefined });

export interface FreshDatabase {
  db: Database;
  /** What opens this same database again: openDatabase(options). */
  options: OpenDatabaseOptions;
}

/**
 * Fresh databases on demand. One asked for in a test (or its beforeEach) is closed after that
 * test; one asked for in a beforeAll, after the describe block.
 */
export interface DatabaseHarness {
  readonly engine: Engine;
  /** A new database with no tables at all. */
  empty(): Promise<FreshDatabase>;
  /** A new database with every migration applied. */
  migrated(): Promise<FreshDatabase>;
}

interface EngineHarness extends DatabaseHarness {
  /** Set while a test (its beforeEach hooks included) runs: a database opened then is the test's. */
  inTest: boolean;
  setUp(): Promise<void>;
  closeTestDatabases(): Promise<void>;
  tearDown(): Promise<void>;
}

function randomName(prefix: string): string {
  return `${prefix}_${randomBytes(6).toString('hex')}`;
}

function harness(engine: Engine, open: () => Promise<OpenDatabaseOptions>, setUp: () => Promise<void>, cleanUp: () => Promise<void>): EngineHarness {
  const forBlock: Database[] = [];
  const forTest: Database[] = [];
  const empty = async (): Promise<FreshDatabase> => {
    const options = await open();
    const db = await openDatabase(options, { logger: silentLogger });
    // Each open PostgreSQL database holds a connection: closing them per test keeps well below max_connections.
    (self.inTest ? forTest : forBlock).push(db);
    return { db, options };
  };
  // Not expect.getState().currentTestName: it still names the previous block's last test while the next block's beforeAll runs.
  const self: EngineHarness = {
    inTest: false,
    engine,
    empty,
    migrated: async () => {
      const fresh = await empty();
      await migrate(fresh.db, { logger: silentLogger });
      return fresh;
    },
    setUp,
    closeTestDatabases: async () => void (await Promise.all(forTest.splice(0).map((db) => db.close()))),
    tearDown: async () => {
      await Promise.all([...forTest.splice(0), ...forBlock.splice(0)].map((db) => db.close()));
      await cleanUp();
    },
  };
  return self;
}

function sqliteHarness(): EngineHarness {
  let root = '';
  let count = 0;
  return harness(
    'sqlite',
    async () => ({ dataDir: join(root, `db-${++count}`) }),
    async () => void (root = mkdtempSync(join(tmpdir(), 'portcullis-db-'))),
    async () => rmSync(root, { recursive: true, force: true }),
  );
}

/**
 * One PostgreSQL database per describe block (so per test file), created with a random name and
 * dropped after; each fresh database within it is a schema of its own, made the connections'
 * search_path through the URL's `options`: far quicker than CREATE DATABASE for every test.
 */
function postgresHarness(): EngineHarness {
  const name = randomName('portcullis_test');
  let serverUrl = '';
  let fileUrl: URL | undefined;
  let client: Client | undefined;
  let created = false;
  const admin = async (sql: string): Promise<void> => {
    const connection = new Client({ connectionString: serverUrl });
    await connection.connect();
    try {
      await connection.query(sql);
    } finally {
      await connection.end();
    }
  };
  return harness(
    'postgres',
    async () => {
      if (client === undefined || fileUrl === undefined) throw new Error('test/support/databases.ts: the PostgreSQL harness was not set up');
      const schema = randomName('s');
      await client.query(`CREATE SCHEMA ${schema}`);
      const url = new URL(fileUrl);
      url.searchParams.set('options', `-c search_path=${schema}`);
      return { databaseUrl: url.toString() };
    },
    async () => {
      serverUrl = await testServerUrl();
      await admin(`CREATE DATABASE ${name}`);
      created = true;
      fileUrl = new URL(serverUrl);
      fileUrl.pathname = `/${name}`;
      client = new Client({ connectionString: fileUrl.toString() });
      await client.connect();
    },
    async () => {
      await client?.end();
      if (created) await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    },
  );
}

/**
 * Declares `body` once per engine, inside `describe('sqlite')` and `describe('postgres')`; the
 * harness gives each test as many fresh databases as it asks for.
 */
export function forEachDatabase(body: (harness: DatabaseHarness) => void, engines: readonly Engine[] = ENGINES): void {
  describe.each(engines.map((engine) => [engine]))('%s', (engine) => {
    const current = engine === 'sqlite' ? sqliteHarness() : postgresHarness();
    beforeAll(() => current.setUp());
    beforeEach(() => void (current.inTest = true));
    body(current);
    // Declared after the body's own hooks, so that theirs still find the databases open.
    afterEach(async () => {
      current.inTest = false;
      await current.closeTestDatabases();
    });
    afterAll(() => current.tearDown());
  });
}
