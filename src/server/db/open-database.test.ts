import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { captureLogger } from '../../../test/support/capture-logger';
import { silentLogger } from '../../../test/support/databases';
import { testServerUrl } from '../../../test/support/postgres-cluster';
import { DatabaseUrlError, redactDatabaseUrl } from './database-url';
import { openDatabase, SQLITE_FILE_NAME } from './open-database';

const SECRET = 'Tr0ub4dor-and-3';

/** Opens `databaseUrl`, expecting a DatabaseUrlError; checks that no form of the error, nor the log, holds the password. */
async function urlError(databaseUrl: string): Promise<string> {
  const { logger, lines } = captureLogger();
  const error: unknown = await openDatabase({ databaseUrl }, { logger }).then(
    (db) => db.close().then(() => 'opened'),
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(DatabaseUrlError);
  for (const shown of [String(error), inspect(error, { depth: 10 }), JSON.stringify(error), JSON.stringify(lines)]) {
    expect(shown).not.toContain(SECRET);
  }
  return (error as Error).message;
}

describe('openDatabase', () => {
  let root: string;

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'portcullis-open-'));
  });

  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('opens SQLite in the data directory when there is no DATABASE_URL', async () => {
    for (const databaseUrl of [undefined, '']) {
      const db = await openDatabase({ dataDir: root, databaseUrl }, { logger: silentLogger });
      expect(db.engine).toBe('sqlite');
      await db.close();
    }
    expect(statSync(join(root, SQLITE_FILE_NAME)).mode & 0o777).toBe(0o600);
  });

  it('opens PostgreSQL when DATABASE_URL is set, even with a data directory', async () => {
    const db = await openDatabase({ dataDir: root, databaseUrl: await testServerUrl() }, { logger: silentLogger });
    try {
      expect(db.engine).toBe('postgres');
      expect(await db.get('SELECT 1 + 1 AS two')).toEqual({ two: 2 });
    } finally {
      await db.close();
    }
  });

  it('asks for --data or DATABASE_URL when given neither', async () => {
    await expect(openDatabase({})).rejects.toThrow('open-database.ts: no database: give the server a data directory (--data DIR) for SQLite, or DATABASE_URL for PostgreSQL');
  });

  it('names DATABASE_URL when it is not a URL, without repeating it', async () => {
    expect(await urlError(`host=db.school.example user=portcullis password=${SECRET}`)).toBe('DATABASE_URL is not a valid URL: expected postgres://USER:PASSWORD@HOST:5432/DATABASE');
    expect(await urlError(`postgres://portcullis:${SECRET}@db.school.example:port/portcullis`)).toMatch(/^DATABASE_URL is not a valid URL/);
  });

  it('names DATABASE_URL when it is not a PostgreSQL URL', async () => {
    expect(await urlError(`mysql://portcullis:${SECRET}@db.school.example/portcullis`)).toBe(
      'DATABASE_URL must start with postgres:// or postgresql://, not mysql://: expected postgres://USER:PASSWORD@HOST:5432/DATABASE',
    );
    expect(await urlError(`portcullis:${SECRET}@db.school.example/portcullis`)).toMatch(/^DATABASE_URL must start with postgres:\/\//);
  });

  it('names DATABASE_URL, password hidden, when its server cannot be reached', async () => {
    expect(await urlError(`postgres://portcullis:${SECRET}@127.0.0.1:1/portcullis`)).toMatch(
      /^DATABASE_URL \(postgres:\/\/portcullis:\*\*\*@127\.0\.0\.1:1\/portcullis\): cannot connect: .*ECONNREFUSED/,
    );
    expect(await urlError(`postgresql://portcullis:${SECRET}@localhost/portcullis?host=${join(root, 'no-socket-here')}`)).toMatch(/: cannot connect: .*ENOENT/);
  });

  it("hides the password even where the server's error repeats it", async () => {
    // A database named like the password: PostgreSQL's "database ... does not exist" repeats it.
    const url = new URL(await testServerUrl());
    url.pathname = `/${SECRET}`;
    url.searchParams.set('password', SECRET);
    const message = await urlError(url.toString());
    expect(message).toMatch(/^DATABASE_URL \(postgresql:\/\/\/\*\*\*\?host=/);
    expect(message).toMatch(/cannot connect: database "\*\*\*" does not exist \(3D000\)$/);
    expect(message).toContain('password=***');
  });
});

describe('redactDatabaseUrl', () => {
  it('hides the password, written plainly or percent-encoded, and in the query', () => {
    expect(redactDatabaseUrl('postgres://u:secret@h:5432/db')).toBe('postgres://u:***@h:5432/db');
    expect(redactDatabaseUrl('postgres://u:p%40ss%2Fword@h/db')).toBe('postgres://u:***@h/db');
    expect(redactDatabaseUrl('postgresql:///db?host=/run/pg&password=secret&sslpassword=other')).toBe('postgresql:///db?host=%2Frun%2Fpg&password=***&sslpassword=***');
    expect(redactDatabaseUrl('postgres://u@h/db')).toBe('postgres://u@h/db');
    expect(redactDatabaseUrl('not a url: secret')).toBe('(not a URL)');
  });
});
