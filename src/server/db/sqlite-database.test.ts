import { chmodSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { captureLogger } from '../../../test/support/capture-logger';
import { silentLogger } from '../../../test/support/databases';
import type { Database } from './database';
import { openSqlite } from './sqlite-database';

const mode = (path: string): number => statSync(path).mode & 0o777;

describe('openSqlite', () => {
  let root: string;
  const opened: Database[] = [];

  const open = async (file: string, logger = silentLogger): Promise<Database> => {
    const db = await openSqlite(file, { logger });
    opened.push(db);
    return db;
  };

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'portcullis-sqlite-'));
  });

  afterEach(async () => {
    await Promise.all(opened.splice(0).map((db) => db.close()));
    rmSync(root, { recursive: true, force: true });
  });

  it('creates the directory 0700 and the file, and its WAL files, 0600', async () => {
    const file = join(root, 'data', 'nested', 'portcullis.sqlite');
    const db = await open(file);
    await db.exec('CREATE TABLE t (x INTEGER); INSERT INTO t VALUES (1)');
    expect(mode(join(root, 'data'))).toBe(0o700);
    expect(mode(join(root, 'data', 'nested'))).toBe(0o700);
    expect(mode(file)).toBe(0o600);
    expect(mode(`${file}-wal`)).toBe(0o600);
    expect(mode(`${file}-shm`)).toBe(0o600);
  });

  it('tightens an existing file to 0600, and says so', async () => {
    const file = join(root, 'portcullis.sqlite');
    writeFileSync(file, '');
    chmodSync(file, 0o644);
    const { logger, lines } = captureLogger();
    await open(file, logger);
    expect(mode(file)).toBe(0o600);
    expect(lines).toContainEqual(expect.objectContaining({ level: 'warn', message: 'tightened the database file to mode 0600', file }));
  });

  it('uses WAL, enforces foreign keys and waits for a busy database', async () => {
    const db = await open(join(root, 'portcullis.sqlite'));
    expect(await db.get('PRAGMA journal_mode')).toEqual({ journal_mode: 'wal' });
    expect(await db.get('PRAGMA foreign_keys')).toEqual({ foreign_keys: 1 });
    expect(await db.get('PRAGMA busy_timeout')).toEqual({ timeout: 5000 });
  });

  it('keeps its data across a close and a reopen', async () => {
    const file = join(root, 'portcullis.sqlite');
    const first = await open(file);
    await first.transaction((tx) => tx.exec('CREATE TABLE t (x INTEGER); INSERT INTO t VALUES (42)'));
    await first.close();
    expect(await (await open(file)).all('SELECT x FROM t')).toEqual([{ x: 42 }]);
  });

  it('names the file when it cannot create it', async () => {
    writeFileSync(join(root, 'not-a-directory'), '');
    await expect(openSqlite(join(root, 'not-a-directory', 'portcullis.sqlite'), { logger: silentLogger })).rejects.toThrow(
      `sqlite-database.ts: cannot create the SQLite database ${join(root, 'not-a-directory', 'portcullis.sqlite')}`,
    );
  });

  it('runs overlapping transactions one after the other on its one connection', async () => {
    const db = await open(':memory:');
    await db.exec('CREATE TABLE counter (value INTEGER NOT NULL); INSERT INTO counter VALUES (0)');
    const events: string[] = [];
    const increment = (name: string): Promise<void> =>
      db.transaction(async (tx) => {
        events.push(`${name} begins`);
        const row = await tx.get<{ value: number }>('SELECT value FROM counter');
        await new Promise((resolve) => setTimeout(resolve, 10));
        await tx.run('UPDATE counter SET value = ?', [(row?.value ?? 0) + 1]);
        events.push(`${name} ends`);
      });
    await Promise.all([increment('a'), increment('b'), increment('c')]);
    expect(events).toEqual(['a begins', 'a ends', 'b begins', 'b ends', 'c begins', 'c ends']);
    expect(await db.get('SELECT value FROM counter')).toEqual({ value: 3 });
  });

  it('holds a statement outside the transaction until it ends, so a rollback cannot take it', async () => {
    const db = await open(':memory:');
    await db.exec('CREATE TABLE t (x TEXT)');
    let insideStarted!: () => void;
    const started = new Promise<void>((resolve) => (insideStarted = resolve));
    const rolledBack = db.transaction(async (tx) => {
      await tx.run("INSERT INTO t VALUES ('inside')");
      insideStarted();
      await new Promise((resolve) => setTimeout(resolve, 10));
      throw new Error('undo');
    });
    await started;
    const outside = db.run("INSERT INTO t VALUES ('outside')");
    await expect(rolledBack).rejects.toThrow('undo');
    await outside;
    expect(await db.all('SELECT x FROM t')).toEqual([{ x: 'outside' }]);
  });

  it("goes on with the next transaction after one fails", async () => {
    const db = await open(':memory:');
    await db.exec('CREATE TABLE t (x INTEGER)');
    const failing = db.transaction(async () => {
      throw new Error('first fails');
    });
    const next = db.transaction((tx) => tx.run('INSERT INTO t VALUES (1)'));
    await expect(failing).rejects.toThrow('first fails');
    expect(await next).toEqual({ changes: 1 });
  });
});
