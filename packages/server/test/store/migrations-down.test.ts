// Every migration can be undone, newest first, and applied again: the `down` functions are
// what an operator runs to step back after a bad upgrade, so they are checked like the rest.
// On SQLite, and on PostgreSQL when the suite runs against it.
import { Migrator, NO_MIGRATIONS, sql, type Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/store/kysely/dialect.js';
import { migrationProvider, migrations } from '../../src/store/kysely/migrations/index.js';
import type { Database } from '../../src/store/kysely/schema.js';
import { createTestDatabase, testDatabaseKind, type TestDatabase } from '../support/postgres.js';
import { useTempDir } from './temp-store.js';

const dir = useTempDir('migrations-down');

/** Table name -> its column names, sorted: the schema as far as these migrations shape it. */
async function schemaOf(db: Kysely<Database>): Promise<Record<string, string[]>> {
  const tables = await db.introspection.getTables();
  return Object.fromEntries(
    tables
      .filter((table) => !table.name.startsWith('kysely_'))
      .map((table) => [table.name, table.columns.map((column) => column.name).sort()] as const)
      .sort(([a], [b]) => a.localeCompare(b)),
  );
}

async function indexNames(db: Kysely<Database>, kind: 'sqlite' | 'postgres'): Promise<string[]> {
  const rows =
    kind === 'sqlite'
      ? await sql<{ name: string }>`select name from sqlite_master where type = 'index' and name not like 'sqlite_%'`.execute(db)
      : await sql<{ name: string }>`select indexname as name from pg_indexes where schemaname = 'public' and indexname not like '%_pkey'`.execute(db);
  return rows.rows.map((row) => row.name).sort();
}

describe('migrations, undone and applied again', () => {
  const kind = testDatabaseKind();
  let database: TestDatabase | undefined;
  let db: Kysely<Database>;
  beforeAll(async () => {
    if (kind === 'postgres') {
      database = await createTestDatabase();
      db = openDatabase({ kind: 'postgres', url: database.url, poolMax: 2 });
    } else {
      db = openDatabase({ kind: 'sqlite', path: dir.file('down.db') });
    }
  });
  afterAll(async () => {
    await db.destroy();
    await database?.drop();
  });

  it('each down leaves the schema its predecessor made, down to nothing, and up again rebuilds it', async () => {
    const migrator = new Migrator({ db, provider: migrationProvider });
    const names = Object.keys(migrations);
    // The schema after each migration, on the way up.
    const after: Array<{ tables: Record<string, string[]>; indexes: string[] }> = [];
    for (const name of names) {
      expect((await migrator.migrateTo(name)).error).toBeUndefined();
      after.push({ tables: await schemaOf(db), indexes: await indexNames(db, kind) });
    }
    // 003 adds the chain columns; its down must take them (and their index) away again.
    expect(after[2]?.tables.token_families).toContain('refresh_chain');
    expect(after[1]?.tables.token_families).not.toContain('refresh_chain');

    for (let step = names.length - 1; step >= 1; step -= 1) {
      const { error, results } = await migrator.migrateDown();
      expect(error).toBeUndefined();
      expect(results?.map((r) => [r.migrationName, r.direction, r.status])).toEqual([[names[step], 'Down', 'Success']]);
      expect(await schemaOf(db)).toEqual(after[step - 1]?.tables);
      expect(await indexNames(db, kind)).toEqual(after[step - 1]?.indexes);
    }
    expect((await migrator.migrateTo(NO_MIGRATIONS)).error).toBeUndefined();
    expect(await schemaOf(db)).toEqual({});

    expect((await migrator.migrateToLatest()).error).toBeUndefined();
    expect(await schemaOf(db)).toEqual(after.at(-1)?.tables);
    expect(await indexNames(db, kind)).toEqual(after.at(-1)?.indexes);
  });
});
