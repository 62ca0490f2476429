// SQLite's hot SELECTs run at once on the connection when no transaction holds it (issue 9,
// query-template.ts): never inside another caller's open transaction, never for a write.
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { openSqliteFile } from '../../src/store/kysely/dialect.js';
import { isPlainSelect, queryTemplate, registerImmediateReader } from '../../src/store/kysely/query-template.js';
import { migrateToLatest, storeOver } from '../../src/store/kysely/store.js';
import { useTempDir } from './temp-store.js';

const dir = useTempDir('immediate');

async function openMigrated(name: string) {
  const db = openSqliteFile(dir.file(name), { walSync: undefined });
  await migrateToLatest(db);
  return db;
}

describe('immediate reads on SQLite', () => {
  it('a read made while a transaction is open waits for it: a revocation rolled back was never seen', async () => {
    const db = await openMigrated('rollback.db');
    try {
      const store = storeOver(db);
      let during: Promise<boolean> | undefined;
      await db
        .transaction()
        .execute(async (trx) => {
          await trx.insertInto('access_token_revocations').values({ jti: 'j1', expires_at: 9_000 }).execute();
          // Asked while the uncommitted row is on this same connection.
          during = store.revocations.isAccessTokenRevoked('j1', 1_000);
          throw new Error('roll back');
        })
        .catch(() => undefined);
      expect(await during).toBe(false);
      // Committed, it is seen at once.
      await store.revocations.revokeAccessToken('j1', 9_000);
      expect(await store.revocations.isAccessTokenRevoked('j1', 1_000)).toBe(true);
    } finally {
      await db.destroy();
    }
  });

  it('a read with no transaction open is answered without the driver; a write always goes through it', async () => {
    const db = await openMigrated('paths.db');
    try {
      const seen: string[] = [];
      registerImmediateReader(db, {
        read: (query) => {
          seen.push(query.split(' ')[0] ?? '');
          return Promise.resolve([{ jti: 'from-reader' }]);
        },
      });
      const select = queryTemplate((k, param: (name: 'jti') => never) => k.selectFrom('access_token_revocations').select('jti').where('jti', '=', param('jti')));
      const insert = queryTemplate((k, param: (name: 'jti') => never) => k.insertInto('access_token_revocations').values({ jti: param('jti'), expires_at: 9_000 }));
      expect((await select.execute(db, { jti: 'x' })).rows).toEqual([{ jti: 'from-reader' }]);
      await insert.execute(db, { jti: 'written' });
      expect(seen).toEqual(['select']);
      // Inside a transaction the template runs on the transaction's connection, not the reader.
      const inside = await db.transaction().execute((trx) => select.execute(trx, { jti: 'written' }));
      expect(inside.rows).toEqual([{ jti: 'written' }]);
      expect(seen).toEqual(['select']);
      // A reader that cannot answer (a transaction is open) hands the read to the driver.
      registerImmediateReader(db, { read: () => Promise.resolve(undefined) });
      expect((await select.execute(db, { jti: 'written' })).rows).toEqual([{ jti: 'written' }]);
      expect((await sql<{ n: number }>`select count(*) as n from access_token_revocations`.execute(db)).rows[0]?.n).toBe(1);
    } finally {
      await db.destroy();
    }
  });

  it('refuses a template that selects *: its prepared statement would break when a migration adds a column', async () => {
    const db = await openMigrated('star.db');
    try {
      const everything = queryTemplate((kysely, param: (name: 'jti') => never) => kysely.selectFrom('access_token_revocations').selectAll().where('jti', '=', param('jti')));
      expect(() => everything.execute(db, { jti: 'j1' })).toThrow(/must list its columns/);
    } finally {
      await db.destroy();
    }
  });
});

describe('isPlainSelect (what may skip the driver and the group sync)', () => {
  it('takes a SELECT in any case and after whitespace, and nothing that may write', () => {
    for (const read of ['select 1', 'SELECT * FROM t', '  \n select\tx from t']) expect(isPlainSelect(read), read).toBe(true);
    for (const other of [
      'update t set v = 1 returning v',
      'insert into t values (1)',
      'delete from t',
      'with x as (delete from t returning v) select * from x',
      'selectx',
      'begin immediate',
      'pragma wal_checkpoint',
    ]) {
      expect(isPlainSelect(other), other).toBe(false);
    }
  });
});
