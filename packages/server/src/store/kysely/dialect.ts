// Opens the database named by the configuration. SQLite is the embedded default for one machine;
// PostgreSQL (postgres-dialect.ts) serves several server processes behind a load balancer.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely } from 'kysely';
import type { Database } from './schema.js';
import { isBusy } from './errors.js';
import { openPostgres } from './postgres-dialect.js';
import { SharedFileSqliteDialect } from './sqlite-dialect.js';

export type DatabaseConfig =
  | { kind: 'sqlite'; path: string }
  /** `poolMax`: connections in this process's pool (LATCHKEY_DATABASE_POOL_MAX); 10 when absent. */
  | { kind: 'postgres'; url: string; poolMax?: number };

/** The configuration names a database this build cannot open. */
export class UnsupportedDatabaseError extends Error {
  override readonly name = 'UnsupportedDatabaseError';
}

export function openDatabase(config: DatabaseConfig): Kysely<Database> {
  switch (config.kind) {
    case 'sqlite':
      return openSqlite(config.path);
    case 'postgres':
      // Lazy: the pool connects at the first query (the migrations), not here.
      return openPostgres({ url: config.url, poolMax: config.poolMax });
  }
}

function openSqlite(file: string): Kysely<Database> {
  mkdirSync(path.dirname(file), { recursive: true });
  const sqlite = new SqliteDatabase(file);
  try {
    // Set first, so that the pragmas below already wait for a process holding the lock.
    sqlite.pragma('busy_timeout = 5000');
    enableWal(sqlite);
    // SQLite ignores REFERENCES unless asked, per connection.
    sqlite.pragma('foreign_keys = ON');
  } catch (error) {
    sqlite.close();
    throw error;
  }
  return new Kysely<Database>({ dialect: new SharedFileSqliteDialect({ database: sqlite }) });
}

const WAL_ATTEMPTS = 100;
const WAL_RETRY_MS = 50;

/**
 * WAL lets readers proceed while one process writes. Switching a fresh file to WAL needs an
 * exclusive lock, and SQLite answers SQLITE_BUSY there without calling the busy handler when
 * several processes open the file at once; so wait and retry, about as long as busy_timeout.
 */
function enableWal(sqlite: SqliteDatabase.Database): void {
  for (let attempt = 1; ; attempt++) {
    try {
      sqlite.pragma('journal_mode = WAL');
      return;
    } catch (error) {
      if (!isBusy(error) || attempt >= WAL_ATTEMPTS) throw error;
      // Opening is synchronous (better-sqlite3 is), so the pause is too; it happens only at start.
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, WAL_RETRY_MS);
    }
  }
}
