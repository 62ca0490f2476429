// LATCHKEY_SQLITE_SYNCHRONOUS (issue 9). `full` (the default): a write is reported done only once
// the write-ahead log is on disk, by one fsync shared by every commit made before it started
// (group commit). `normal`: once the OS has it. Power loss cannot be simulated here, so these
// tests check the order of events: no write completes before a sync that started after it.
import { existsSync, fdatasync, mkdtempSync, readdirSync, readlinkSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { openDatabase, openSqliteFile } from '../../src/store/kysely/dialect.js';
import { WalFile, WalSync, committedOnDisk } from '../../src/store/kysely/wal-sync.js';

const tempFile = (): string => path.join(mkdtempSync(path.join(os.tmpdir(), 'latchkey-durability-')), 'latchkey.db');

/** A flush the test completes by hand, recording what the log held when it was asked for. */
function manualFlush() {
  const calls: { file: string; walBytes: number; done: () => void }[] = [];
  const flush = (file: string) =>
    new Promise<void>((resolve) => {
      calls.push({ file, walBytes: existsSync(file) ? statSync(file).size : 0, done: resolve });
    });
  return { calls, flush };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

const hasProcFd = existsSync('/proc/self/fd');

/** How many of this process's descriptors are open on `file` (Linux: /proc/self/fd). */
function descriptorsOf(file: string): number {
  if (!hasProcFd) return 0;
  let count = 0;
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      if (readlinkSync(`/proc/self/fd/${fd}`) === file) count++;
    } catch {
      // The descriptor readdir itself used, gone by now.
    }
  }
  return count;
}

describe('WalSync (group commit)', () => {
  it('shares one flush among the callers that arrive while none runs, and queues one for those that arrive during it', async () => {
    const { calls, flush } = manualFlush();
    const sync = new WalSync('/x-wal', flush);
    const settled: string[] = [];
    const first = sync.sync().then(() => settled.push('first'));
    await tick();
    // These arrived after the first flush started: it may predate their commits, so they wait for the next.
    const later = [1, 2, 3].map((i) => sync.sync().then(() => settled.push(`later${i}`)));
    await tick();
    expect(calls).toHaveLength(1);
    calls[0]?.done();
    await first;
    await tick();
    expect(settled).toEqual(['first']);
    expect(calls).toHaveLength(2);
    calls[1]?.done();
    await Promise.all(later);
    expect(settled).toEqual(['first', 'later1', 'later2', 'later3']);
    expect(calls.map((c) => c.file)).toEqual(['/x-wal', '/x-wal']);
  });

  it('rejects the callers of a failed flush, and the next caller gets a new one', async () => {
    let fail = true;
    const sync = new WalSync('/x-wal', async () => {
      if (fail) throw new Error('EIO');
    });
    await expect(sync.sync()).rejects.toThrow('EIO');
    fail = false;
    await expect(sync.sync()).resolves.toBeUndefined();
  });

  it('flushes a real file, and treats a missing log as nothing to flush', async () => {
    const file = tempFile();
    const missing = new WalFile(file);
    await expect(missing.datasync()).resolves.toBeUndefined();
    expect(descriptorsOf(file)).toBe(0);
    const db = openSqliteFile(file, { walSync: undefined });
    await sql`create table t (v integer)`.execute(db);
    await sql`insert into t values (1)`.execute(db);
    const log = new WalFile(`${file}-wal`);
    await expect(log.datasync()).resolves.toBeUndefined();
    await log.close();
    await db.destroy();
  });

  it.skipIf(!hasProcFd)('reports a failed flush, drops the descriptor and opens the log afresh for the next one', async () => {
    const file = tempFile();
    const db = openSqliteFile(file, { walSync: undefined });
    try {
      await sql`create table t (v integer)`.execute(db);
      await sql`insert into t values (1)`.execute(db);
      let fail = true;
      const log = new WalFile(`${file}-wal`, async (fd) => {
        if (fail) throw Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' });
        await promisify(fdatasync)(fd);
      });
      const before = descriptorsOf(`${file}-wal`);
      await expect(log.datasync()).rejects.toThrow('EIO');
      // Closed on failure: the next flush does not trust a descriptor whose writes may be lost.
      expect(descriptorsOf(`${file}-wal`)).toBe(before);
      fail = false;
      await expect(log.datasync()).resolves.toBeUndefined();
      expect(descriptorsOf(`${file}-wal`)).toBe(before + 1);
      await log.close();
      expect(descriptorsOf(`${file}-wal`)).toBe(before);
    } finally {
      await db.destroy();
    }
  });

  it.skipIf(!hasProcFd)('keeps one descriptor of the log across flushes and closes it with the store', async () => {
    const file = tempFile();
    const db = openSqliteFile(file, { walSync: new WalSync(`${file}-wal`) });
    try {
      await sql`create table t (v integer)`.execute(db);
      for (let i = 0; i < 5; i++) await sql`insert into t values (${i})`.execute(db);
      // SQLite's own descriptor and the one kept for flushing, after the flushes as between them.
      expect(descriptorsOf(`${file}-wal`)).toBe(2);
      await Promise.all(Array.from({ length: 10 }, (_, i) => sql`insert into t values (${i})`.execute(db)));
      expect(descriptorsOf(`${file}-wal`)).toBe(2);
    } finally {
      await db.destroy();
    }
    expect(descriptorsOf(`${file}-wal`)).toBe(0);
  });

  it('finds the log the same file while the store is open, though another connection to it opened and closed (a CLI command beside serve)', async () => {
    const file = tempFile();
    const wal = `${file}-wal`;
    const db = openSqliteFile(file, { walSync: new WalSync(wal) });
    try {
      await sql`create table t (v integer)`.execute(db);
      await sql`insert into t values (1)`.execute(db);
      const before = statSync(wal).ino;
      const other = openSqliteFile(file, { walSync: new WalSync(wal) });
      await sql`insert into t values (2)`.execute(other);
      await other.destroy();
      // SQLite deletes the log only when the last connection closes: this store's is still open.
      expect(statSync(wal).ino).toBe(before);
      await sql`insert into t values (3)`.execute(db);
      const { rows } = await sql<{ n: number }>`select count(*) as n from t`.execute(db);
      expect(rows[0]?.n).toBe(3);
    } finally {
      await db.destroy();
    }
    // The last connection closed: SQLite checkpointed and removed the log.
    expect(existsSync(wal)).toBe(false);
  });
});

describe('SQLite store durability', () => {
  it('does not finish a write, alone or in a transaction, before a log flush that started after its commit', async () => {
    const file = tempFile();
    const { calls, flush } = manualFlush();
    const db = openSqliteFile(file, { walSync: new WalSync(`${file}-wal`, flush) });
    try {
      const creating = sql`create table t (v integer)`.execute(db);
      // DDL changes no rows, so the table creation does not wait; the inserts below do.
      await creating;
      const committed: number[] = [];
      const single = sql`insert into t values (1)`.execute(db).then(() => committed.push(1));
      const inTransaction = db
        .transaction()
        .execute(async (trx) => {
          await sql`insert into t values (2)`.execute(trx);
          await sql`insert into t values (3)`.execute(trx);
        })
        .then(() => committed.push(2));
      for (let i = 0; i < 5 && calls.length === 0; i++) await tick();
      expect(calls).toHaveLength(1);
      // The first commit is in the log (the OS has it) when its flush is asked for.
      expect(calls[0]?.file).toBe(`${file}-wal`);
      expect(calls[0]?.walBytes).toBeGreaterThan(0);
      expect(committed).toEqual([]);
      // A read does not wait for any flush, and sees both commits.
      const { rows } = await sql<{ n: number }>`select count(*) as n from t`.execute(db);
      expect(rows[0]?.n).toBe(3);
      calls[0]?.done();
      for (let i = 0; i < 5 && calls.length < 2; i++) await tick();
      // The transaction committed while the first flush ran, so it waits for a second one.
      expect(committed).toEqual([1]);
      expect(calls).toHaveLength(2);
      calls[1]?.done();
      await Promise.all([single, inTransaction]);
      expect(committed).toEqual([1, 2]);
    } finally {
      for (const call of calls) call.done();
      await db.destroy();
    }
  });

  it('waits for a flush after a statement that returns rows and writes (UPDATE ... RETURNING), and not after a SELECT', async () => {
    const file = tempFile();
    const { calls, flush } = manualFlush();
    const db = openSqliteFile(file, { walSync: new WalSync(`${file}-wal`, flush) });
    try {
      await sql`create table t (v integer)`.execute(db);
      const inserting = sql`insert into t values (1)`.execute(db);
      for (let i = 0; i < 5 && calls.length === 0; i++) await tick();
      calls[0]?.done();
      await inserting;
      let updated = false;
      const updating = sql<{ v: number }>`update t set v = v + 1 returning v`.execute(db).then((r) => {
        updated = true;
        return r.rows;
      });
      for (let i = 0; i < 5 && calls.length < 2; i++) await tick();
      expect(calls).toHaveLength(2);
      expect(updated).toBe(false);
      calls[1]?.done();
      expect(await updating).toEqual([{ v: 2 }]);
      await sql`select v from t`.execute(db);
      await tick();
      expect(calls).toHaveLength(2);
    } finally {
      for (const call of calls) call.done();
      await db.destroy();
    }
  });

  it('committedOnDisk waits for a flush that starts after it is asked (a database without group commit: at once)', async () => {
    const file = tempFile();
    const { calls, flush } = manualFlush();
    const db = openSqliteFile(file, { walSync: new WalSync(`${file}-wal`, flush) });
    try {
      await sql`create table t (v integer)`.execute(db);
      const inserting = sql`insert into t values (1)`.execute(db);
      for (let i = 0; i < 5 && calls.length === 0; i++) await tick();
      calls[0]?.done();
      await inserting;
      let onDisk = false;
      const waiting = committedOnDisk(db).then(() => {
        onDisk = true;
      });
      for (let i = 0; i < 5 && calls.length < 2; i++) await tick();
      expect(calls).toHaveLength(2);
      expect(onDisk).toBe(false);
      calls[1]?.done();
      await waiting;
      expect(onDisk).toBe(true);
      await expect(committedOnDisk({})).resolves.toBeUndefined();
    } finally {
      for (const call of calls) call.done();
      await db.destroy();
    }
  });

  it('makes twenty concurrent writes share flushes instead of paying one each', async () => {
    const file = tempFile();
    let flushes = 0;
    const log = new WalFile(`${file}-wal`);
    const db = openSqliteFile(file, {
      walSync: new WalSync(log.path, async () => {
        flushes++;
        await log.datasync();
      }),
    });
    try {
      await sql`create table t (v integer)`.execute(db);
      await Promise.all(Array.from({ length: 20 }, (_, i) => sql`insert into t values (${i})`.execute(db)));
      expect(flushes).toBeGreaterThan(0);
      expect(flushes).toBeLessThan(20);
      const { rows } = await sql<{ n: number }>`select count(*) as n from t`.execute(db);
      expect(rows[0]?.n).toBe(20);
    } finally {
      await log.close();
      await db.destroy();
    }
  });

  it('uses group commit by default and none with LATCHKEY_SQLITE_SYNCHRONOUS=normal; SQLite itself runs NORMAL in both', async () => {
    for (const [settings, expected] of [
      [{}, 'full'],
      [{ LATCHKEY_SQLITE_SYNCHRONOUS: 'normal' }, 'normal'],
    ] as const) {
      const dataDir = path.dirname(tempFile());
      const config = loadConfig({}, { LATCHKEY_DATA_DIR: dataDir, ...settings });
      expect(config.sqliteSynchronous).toBe(expected);
      expect(config.database).toMatchObject({ kind: 'sqlite', synchronous: expected });
      const db = openDatabase(config.database);
      try {
        const { rows } = await sql<{ synchronous: number }>`PRAGMA synchronous`.execute(db);
        // SQLite's numbering: 1 is NORMAL.
        expect(rows[0]?.synchronous).toBe(1);
      } finally {
        await db.destroy();
      }
    }
  });
});

