import { forEachDatabase } from '../../../test/support/databases';
import type { Database } from './database';

interface Note {
  id: number;
  body: string;
  n: number | bigint | null;
}

async function notesTable(db: Database): Promise<void> {
  const blob = db.engine === 'sqlite' ? 'BLOB' : 'BYTEA';
  await db.exec(`CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL, n BIGINT, data ${blob});
    CREATE TABLE counter (id INTEGER PRIMARY KEY, value INTEGER NOT NULL);
    INSERT INTO counter (id, value) VALUES (1, 0)`);
}

async function bodies(db: Database): Promise<string[]> {
  return (await db.all<Note>('SELECT body FROM notes ORDER BY id')).map((row) => row.body);
}

forEachDatabase((harness) => {
  let db: Database;

  beforeEach(async () => {
    ({ db } = await harness.empty());
    await notesTable(db);
  });

  it('runs statements and reads rows back with all and get', async () => {
    expect(await db.run('INSERT INTO notes (id, body) VALUES (?, ?)', [1, 'one'])).toEqual({ changes: 1 });
    await db.run('INSERT INTO notes (id, body) VALUES (?, ?), (?, ?)', [2, 'two', 3, 'three']);
    expect(await db.run('UPDATE notes SET n = ? WHERE id > ?', [7, 1])).toEqual({ changes: 2 });
    expect(await db.all<Note>('SELECT id, body, n FROM notes ORDER BY id')).toEqual([
      { id: 1, body: 'one', n: null },
      { id: 2, body: 'two', n: 7 },
      { id: 3, body: 'three', n: 7 },
    ]);
    expect(await db.get<Note>('SELECT id, body FROM notes WHERE body = ?', ['two'])).toEqual({ id: 2, body: 'two' });
    expect(await db.get('SELECT id FROM notes WHERE id = ?', [99])).toBeUndefined();
    expect(await db.all('INSERT INTO notes (id, body) VALUES (?, ?)', [4, 'four'])).toEqual([]);
    expect(await db.run('DELETE FROM notes WHERE id = ?', [99])).toEqual({ changes: 0 });
  });

  it('leaves a ? inside string literals alone', async () => {
    await db.run("INSERT INTO notes (id, body) VALUES (?, 'really?')", [1]);
    await db.run("INSERT INTO notes (id, body) VALUES (?, ? || ' ok?')", [2, "it's"]);
    expect(await db.get("SELECT 'why?' AS q, body FROM notes WHERE id = ? AND body <> '?'", [1])).toEqual({ q: 'why?', body: 'really?' });
    expect(await bodies(db)).toEqual(['really?', "it's ok?"]);
  });

  it('refuses a statement given the wrong number of parameters', async () => {
    await expect(db.run('INSERT INTO notes (id, body) VALUES (?, ?)', [1])).rejects.toThrow();
    await expect(db.run('INSERT INTO notes (id, body) VALUES (?, ?)', [1, 'a', 'b'])).rejects.toThrow();
  });

  it('reads integers exactly: numbers while safe, bigint beyond', async () => {
    const big = 2n ** 53n + 1n;
    await db.run('INSERT INTO notes (id, body, n) VALUES (?, ?, ?), (?, ?, ?)', [1, 'safe', 42, 2, 'big', big]);
    expect(await db.all<Note>('SELECT n FROM notes ORDER BY id')).toEqual([{ n: 42 }, { n: big }]);
    expect(await db.get('SELECT COUNT(*) AS count, SUM(id) AS total FROM notes')).toEqual({ count: 2, total: 3 });
    expect(await db.get('SELECT (1 = 1) AS yes, (1 = 2) AS no')).toEqual({ yes: 1, no: 0 });
  });

  it('stores bytes and gives them back', async () => {
    await db.run('INSERT INTO notes (id, body, data) VALUES (?, ?, ?)', [1, 'bytes', new Uint8Array([0, 1, 255])]);
    const row = await db.get<{ data: Uint8Array }>('SELECT data FROM notes');
    expect([...(row?.data ?? [])]).toEqual([0, 1, 255]);
  });

  it('commits a transaction that resolves, and gives back its value', async () => {
    const value = await db.transaction(async (tx) => {
      await tx.run('INSERT INTO notes (id, body) VALUES (?, ?)', [1, 'a']);
      await tx.run('INSERT INTO notes (id, body) VALUES (?, ?)', [2, 'b']);
      return (await tx.get<{ count: number }>('SELECT COUNT(*) AS count FROM notes'))?.count;
    });
    expect(value).toBe(2);
    expect(await bodies(db)).toEqual(['a', 'b']);
  });

  it('rolls back everything when the work throws, and rethrows its error', async () => {
    await db.run('INSERT INTO notes (id, body) VALUES (?, ?)', [1, 'before']);
    const failure = new Error('half-way');
    await expect(
      db.transaction(async (tx) => {
        await tx.run('INSERT INTO notes (id, body) VALUES (?, ?)', [2, 'half']);
        await tx.run('UPDATE counter SET value = value + 1');
        throw failure;
      }),
    ).rejects.toBe(failure);
    expect(await bodies(db)).toEqual(['before']);
    expect(await db.get('SELECT value FROM counter')).toEqual({ value: 0 });
  });

  it('rolls back everything when a statement fails', async () => {
    await expect(
      db.transaction(async (tx) => {
        await tx.run('INSERT INTO notes (id, body) VALUES (?, ?)', [1, 'first']);
        await tx.run('INSERT INTO notes (id, body) VALUES (?, ?)', [1, 'same id']);
      }),
    ).rejects.toThrow();
    expect(await bodies(db)).toEqual([]);
    // The connection is usable afterwards.
    await db.transaction((tx) => tx.run('INSERT INTO notes (id, body) VALUES (?, ?)', [1, 'after']));
    expect(await bodies(db)).toEqual(['after']);
  });

  it("refuses the database's own statements and a nested transaction inside a transaction", async () => {
    await expect(db.transaction(() => db.run('INSERT INTO notes (id, body) VALUES (1, ?)', ['x']))).rejects.toThrow(/run\(\) inside a transaction of the same database: use the `tx`/);
    await expect(db.transaction(() => db.transaction(async () => 1))).rejects.toThrow(/transaction\(\) inside a transaction/);
    expect(await bodies(db)).toEqual([]);
  });

  it('refuses a tx used after its transaction ended', async () => {
    const kept = await db.transaction(async (tx) => tx);
    await expect(kept.run('INSERT INTO notes (id, body) VALUES (1, ?)', ['late'])).rejects.toThrow(/this transaction has already ended/);
    expect(await bodies(db)).toEqual([]);
  });

  it('runs transactions that overlap in time without losing an update', async () => {
    const increment = (): Promise<void> =>
      db.transaction(async (tx) => {
        await new Promise((resolve) => setTimeout(resolve, 5));
        await tx.run('UPDATE counter SET value = value + 1 WHERE id = 1');
      });
    await Promise.all([increment(), increment(), increment()]);
    expect(await db.get('SELECT value FROM counter')).toEqual({ value: 3 });
  });

  it('on PostgreSQL, refuses to report a commit when a failed statement aborted the transaction', async () => {
    const work = db.transaction(async (tx) => {
      await tx.run('INSERT INTO notes (id, body) VALUES (?, ?)', [1, 'kept?']);
      await tx.run('INSERT INTO notes (id, body) VALUES (?, ?)', [1, 'duplicate']).catch(() => undefined);
    });
    if (harness.engine === 'postgres') {
      await expect(work).rejects.toThrow(/postgres-database\.ts: the transaction was rolled back, not committed/);
      expect(await bodies(db)).toEqual([]);
    } else {
      // SQLite undoes just the failed statement: the transaction goes on and commits.
      await work;
      expect(await bodies(db)).toEqual(['kept?']);
    }
  });

  it('closes, and closing again does nothing', async () => {
    await db.close();
    await db.close();
    await expect(db.get('SELECT 1 AS one')).rejects.toThrow();
  });
});
