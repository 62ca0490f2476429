// SQLite's hot SELECTs asked for in one turn of the event loop run together in one read
// transaction at its end (issue 9, read-batch.ts): as fresh as reading at once (SEC-44), never
// inside another caller's open transaction, and one failing read fails alone.
import SqliteDatabase from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { openSqliteFile } from '../../src/store/kysely/dialect.js';
import { ReadBatch, type BatchConnection } from '../../src/store/kysely/read-batch.js';
import { migrateToLatest, storeOver } from '../../src/store/kysely/store.js';
import { useTempDir } from './temp-store.js';

const dir = useTempDir('read-batch');

/** A connection that records what runs on it; `fail` names statements that throw, `open` fakes a transaction held by another caller. */
function fakeConnection(options: { fail?: string[]; open?: boolean } = {}): BatchConnection & { ran: string[] } {
  const ran: string[] = [];
  let inTransaction = options.open ?? false;
  return {
    ran,
    get inTransaction() {
      return inTransaction;
    },
    prepare(sql: string) {
      const execute = (parameters: readonly unknown[]) => {
        ran.push(parameters.length > 0 ? `${sql} ${parameters.join(',')}` : sql);
        if (options.fail?.includes(sql)) throw new Error(`${sql} failed`);
        if (sql === 'begin') inTransaction = true;
        if (sql === 'commit' || sql === 'rollback') inTransaction = false;
        return [{ answer: `${sql} ${parameters.join(',')}` }];
      };
      return { all: execute, run: execute };
    },
  };
}

describe('ReadBatch', () => {
  it('runs the reads asked for in one turn together, in order, inside one read transaction', async () => {
    const connection = fakeConnection();
    const batch = new ReadBatch(connection);
    const answers = Promise.all([batch.read('select a', [1]), batch.read('select b', [2]), batch.read('select c', [3])]);
    // Nothing runs until the turn ends.
    expect(connection.ran).toEqual([]);
    expect(await answers).toEqual([[{ answer: 'select a 1' }], [{ answer: 'select b 2' }], [{ answer: 'select c 3' }]]);
    expect(connection.ran).toEqual(['begin', 'select a 1', 'select b 2', 'select c 3', 'commit']);
    expect(connection.inTransaction).toBe(false);
  });

  it('runs a read alone without a transaction around it, and the next turn in a batch of its own', async () => {
    const connection = fakeConnection();
    const batch = new ReadBatch(connection);
    expect(await batch.read('select a', [1])).toEqual([{ answer: 'select a 1' }]);
    await Promise.all([batch.read('select b', [2]), batch.read('select c', [3])]);
    expect(connection.ran).toEqual(['select a 1', 'begin', 'select b 2', 'select c 3', 'commit']);
  });

  it('answers undefined for every read when a transaction is open on the connection, running nothing', async () => {
    const connection = fakeConnection({ open: true });
    const batch = new ReadBatch(connection);
    expect(await Promise.all([batch.read('select a', [1]), batch.read('select b', [2])])).toEqual([undefined, undefined]);
    expect(connection.ran).toEqual([]);
  });

  it('rejects a failing read alone: the others are answered and the transaction is ended', async () => {
    const connection = fakeConnection({ fail: ['select b'] });
    const batch = new ReadBatch(connection);
    const [a, b, c] = await Promise.allSettled([batch.read('select a', [1]), batch.read('select b', [2]), batch.read('select c', [3])]);
    expect(a).toEqual({ status: 'fulfilled', value: [{ answer: 'select a 1' }] });
    expect(b).toMatchObject({ status: 'rejected', reason: { message: 'select b failed' } });
    expect(c).toEqual({ status: 'fulfilled', value: [{ answer: 'select c 3' }] });
    expect(connection.ran.at(-1)).toBe('commit');
    expect(connection.inTransaction).toBe(false);
  });

  it('rejects every read of a batch whose transaction cannot begin, running none of them', async () => {
    const connection = fakeConnection({ fail: ['begin'] });
    const batch = new ReadBatch(connection);
    const results = await Promise.allSettled([batch.read('select a', [1]), batch.read('select b', [2])]);
    expect(results).toMatchObject([
      { status: 'rejected', reason: { message: 'begin failed' } },
      { status: 'rejected', reason: { message: 'begin failed' } },
    ]);
    expect(connection.ran).toEqual(['begin']);
  });

  it('keeps the answers of a batch whose commit fails, and rolls back so the next batch starts clean', async () => {
    const connection = fakeConnection({ fail: ['commit'] });
    const batch = new ReadBatch(connection);
    expect(await Promise.all([batch.read('select a', [1]), batch.read('select b', [2])])).toEqual([[{ answer: 'select a 1' }], [{ answer: 'select b 2' }]]);
    expect(connection.ran).toEqual(['begin', 'select a 1', 'select b 2', 'commit', 'rollback']);
    expect(connection.inTransaction).toBe(false);
    expect(await batch.read('select c', [3])).toEqual([{ answer: 'select c 3' }]);
  });
});

describe('batched reads on a SQLite store', () => {
  it('SEC-44: a revocation committed by another connection before the batch runs is seen, even by a read asked before it', async () => {
    const file = dir.file('fresh.db');
    const db = openSqliteFile(file, { walSync: undefined });
    await migrateToLatest(db);
    const other = new SqliteDatabase(file);
    try {
      const store = storeOver(db);
      const askedBefore = store.revocations.isAccessTokenRevoked('j-before', 1_000);
      const unlisted = store.revocations.isAccessTokenRevoked('j-never', 1_000);
      // Another process revokes, in this same turn, before the batch runs.
      other.prepare('insert into access_token_revocations (jti, expires_at) values (?, ?), (?, ?)').run('j-before', 9_000, 'j-after', 9_000);
      const askedAfter = store.revocations.isAccessTokenRevoked('j-after', 1_000);
      expect(await Promise.all([askedBefore, unlisted, askedAfter])).toEqual([true, false, true]);
      // A later turn's read sees a revocation made meanwhile too.
      other.prepare('insert into access_token_revocations (jti, expires_at) values (?, ?)').run('j-never', 9_000);
      expect(await store.revocations.isAccessTokenRevoked('j-never', 1_000)).toBe(true);
    } finally {
      other.close();
      await db.destroy();
    }
  });
});
