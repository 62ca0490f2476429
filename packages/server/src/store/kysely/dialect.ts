// Opens the database named by the configuration. SQLite is the embedded default for one machine;
// PostgreSQL (for several servers behind a load balancer) is planned as a second dialect.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely } from 'kysely';
import type { Database } from './schema.js';
import { isBusy } from './errors.js';
import { SharedFileSqliteDialect } from './sqlite-dialect.js';

export type DatabaseConfig = { kind: 'sqlite'; path: string } | { kind: 'postgres'; url: string };

/** The configuration names a database this build cannot open. */
export class UnsupportedDatabaseError extends Error {
  override readonly name = 'UnsupportedDatabaseError';
}

export function openDatabase(config: DatabaseConfig): Kysely<Database> {
  switch (config.kind) {
    case 'sqlite':
      return openSqlite(config.path);
    case 'postgres':
      // When it lands: pg returns int8 (the `bigint` time columns) as strings by default; parse
      // them as numbers (Unix seconds are far below 2^53), add '23505' to errors.ts, and rely on
      // Kysely's PostgreSQL adapter for the migration lock.
      throw new UnsupportedDatabaseError('PostgreSQL support is not available yet; use sqlite:PATH');
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
