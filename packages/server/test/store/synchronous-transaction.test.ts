// A batch of SQLite writes run synchronously in one transaction (issue 9, synchronous-transaction.ts):
// the refresh grant's rotations of one event-loop turn. It must keep what a transaction through
// Kysely keeps: all or nothing, the connection's lock against other users of it, and group commit
// (the answer only once the commit is on disk).
import { existsSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type Kysely, sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { openSqliteFile } from '../../src/store/kysely/dialect.js';
import { openPostgres } from '../../src/store/kysely/postgres-dialect.js';
import type { Database } from '../../src/store/kysely/schema.js';
import { synchronousTransaction } from '../../src/store/kysely/synchronous-transaction.js';
import { WalSync } from '../../src/store/kysely/wal-sync.js';

const tempFile = (): string => path.join(mkdtempSync(path.join(os.tmpdir(), 'latchkey-sync-trx-')), 'latchkey.db');
const tick = () => new Promise((resolve) => setImmediate(resolve));

/** A flush the test completes by hand. */
function manualFlush() {
  const calls: { done: () => void }[] = [];
  const flush = (file: string) =>
    new Promise<void>((resolve) => {
      expect(existsSync(file)).toBe(true);
      calls.push({ done: resolve });
    });
  return { calls, flush };
}

/** The tests' tables live outside the store's schema type. */
type Loose = Kysely<Database>;

const open: { db: Loose; release?: () => void }[] = [];

async function database(options: { flush?: (file: string) => Promise<void> } = {}): Promise<Loose> {
  const file = tempFile();
  const db = openSqliteFile(file, { walSync: new WalSync(`${file}-wal`, options.flush ?? (async () => {})) });
  open.push({ db });
  await sql`create table t (v integer primary key)`.execute(db);
  return db;
}

async function values(db: Loose): Promise<number[]> {
  const { rows } = await sql<{ v: number }>`select v from t order by v`.execute(db);
  return rows.map((row) => row.v);
}

afterEach(async () => {
  for (const { db } of open.splice(0)) await db.destroy();
});

describe('synchronousTransaction (SQLite)', () => {
  it("runs the statements in order in one transaction, answers each one's rows, and commits them", async () => {
    const db = await database();
    const written = await synchronousTransaction(db, (run) => [
      run('insert into t (v) values (?)', [1]),
      run('insert into t (v) values (?) returning v', [2]),
      run('select count(*) as n from t', []),
    ]);
    // A statement that returns nothing answers no rows; one with RETURNING, its rows.
    expect(written?.result).toEqual([[], [{ v: 2 }], [{ n: 2 }]]);
    await expect(written?.durable).resolves.toBeUndefined();
    expect(await values(db)).toEqual([1, 2]);
  });

  it('keeps nothing when the work throws, rejects with its error, and leaves the connection usable', async () => {
    const db = await database();
    const failure = new Error('the third rotation failed');
    const attempt = synchronousTransaction(db, (run) => {
      run('insert into t (v) values (?)', [1]);
      run('insert into t (v) values (?)', [2]);
      throw failure;
    });
    await expect(attempt).rejects.toBe(failure);
    expect(await values(db)).toEqual([]);
    // A failing statement (a duplicate key) rolls back the ones before it too.
    await expect(
      synchronousTransaction(db, (run) => {
        run('insert into t (v) values (?)', [3]);
        run('insert into t (v) values (?)', [3]);
      }),
    ).rejects.toMatchObject({ code: 'SQLITE_CONSTRAINT_PRIMARYKEY' });
    expect(await values(db)).toEqual([]);
    await synchronousTransaction(db, (run) => run('insert into t (v) values (?)', [4]));
    await db.insertInto('t' as never).values({ v: 5 } as never).execute();
    expect(await values(db)).toEqual([4, 5]);
  });

  it('keeps nothing when the commit itself fails (a deferred foreign key), and rejects with its error', async () => {
    const db = await database();
    await sql`create table child (parent integer references t (v) deferrable initially deferred)`.execute(db);
    const attempt = synchronousTransaction(db, (run) => {
      run('insert into t (v) values (?)', [1]);
      run('insert into child (parent) values (?)', [99]);
    });
    await expect(attempt).rejects.toMatchObject({ code: 'SQLITE_CONSTRAINT_FOREIGNKEY' });
    expect(await values(db)).toEqual([]);
    await synchronousTransaction(db, (run) => run('insert into t (v) values (?)', [2]));
    expect(await values(db)).toEqual([2]);
  });

  it('answers at the commit, and says when the commit is on disk: not before a flush that started after it', async () => {
    const { calls, flush } = manualFlush();
    const db = await database({ flush });
    const written = await synchronousTransaction(db, (run) => run('insert into t (v) values (?) returning v', [7]));
    expect(written?.result).toEqual([{ v: 7 }]);
    let durable = false;
    const flushed = written?.durable.then(() => {
      durable = true;
    });
    for (let i = 0; i < 5 && calls.length === 0; i++) await tick();
    expect(calls).toHaveLength(1);
    // Committed (another reader sees it), but not on disk until the flush is done.
    expect(await values(db)).toEqual([7]);
    await tick();
    expect(durable).toBe(false);
    calls[0]?.done();
    await flushed;
    expect(durable).toBe(true);
  });

  it('rejects only `durable` when the flush fails after the commit, and a caller that never asks crashes nothing', async () => {
    let fail = true;
    const db = await database({
      flush: async () => {
        if (fail) throw new Error('EIO');
      },
    });
    const written = await synchronousTransaction(db, (run) => run('insert into t (v) values (?)', [1]));
    await expect(written?.durable).rejects.toThrow('EIO');
    // Nobody listens to this one's flush: its failure must not become an unhandled rejection
    // (vitest fails the run on one).
    await synchronousTransaction(db, (run) => run('insert into t (v) values (?)', [2]));
    for (let i = 0; i < 5; i++) await tick();
    fail = false;
    const later = await synchronousTransaction(db, (run) => run('insert into t (v) values (?)', [3]));
    await expect(later?.durable).resolves.toBeUndefined();
  });

  it('waits for a Kysely transaction that holds the connection, and never sees it half done', async () => {
    const db = await database();
    const seen: number[] = [];
    const other = db.transaction().execute(async (trx) => {
      await sql`insert into t (v) values (1)`.execute(trx);
      // Turns of the event loop pass inside the transaction: the batch below must not run in them.
      for (let i = 0; i < 5; i++) await tick();
      await sql`insert into t (v) values (2)`.execute(trx);
    });
    await tick();
    const batch = synchronousTransaction(db, (run) => {
      seen.push(...(run('select v from t order by v', []) as { v: number }[]).map((row) => row.v));
      run('insert into t (v) values (?)', [3]);
    });
    await Promise.all([other, batch]);
    expect(seen).toEqual([1, 2]);
    expect(await values(db)).toEqual([1, 2, 3]);
  });

  it('answers undefined inside a transaction, for the caller to run its statements there through Kysely', async () => {
    const db = await database();
    await db.transaction().execute(async (trx) => {
      expect(synchronousTransaction(trx, () => 'ran')).toBeUndefined();
    });
  });
});

describe('synchronousTransaction (PostgreSQL)', () => {
  it('answers undefined: a connection a round trip away runs no statement synchronously', async () => {
    // Nothing connects: the pool opens its connection at the first query, and none is made.
    const db = openPostgres({ url: 'postgres://nobody@127.0.0.1:1/none' });
    try {
      expect(synchronousTransaction(db, () => 'ran')).toBeUndefined();
    } finally {
      await db.destroy();
    }
  });
});
