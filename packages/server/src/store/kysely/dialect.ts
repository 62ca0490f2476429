// Opens the database named by the configuration. SQLite is the embedded default for one machine;
// PostgreSQL (postgres-dialect.ts) serves several server processes behind a load balancer.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely } from 'kysely';
import type { SqliteDialectConfig } from 'kysely';
import type { Database } from './schema.js';
import { isBusy } from './errors.js';
import { openPostgres } from './postgres-dialect.js';
import { registerImmediateReader } from './query-template.js';
import { ReadBatch } from './read-batch.js';
import { SharedFileSqliteDialect } from './sqlite-dialect.js';
import { registerSynchronousConnection } from './synchronous-transaction.js';
import { WalSync, registerWalSync } from './wal-sync.js';

export type DatabaseConfig =
  /**
   * `synchronous`: SQLite's durability (LATCHKEY_SQLITE_SYNCHRONOUS). `full` (the default): a
   * write is done only once it is on disk (group commit); `normal`: once the OS has it, so a power
   * loss may undo the last commits.
   */
  | { kind: 'sqlite'; path: string; synchronous?: SqliteSynchronous }
  /** `poolMax`: connections in this process's pool (LATCHKEY_DATABASE_POOL_MAX); 10 when absent. */
  | { kind: 'postgres'; url: string; poolMax?: number };

export type SqliteSynchronous = 'full' | 'normal';

/** The configuration names a database this build cannot open. */
export class UnsupportedDatabaseError extends Error {
  override readonly name = 'UnsupportedDatabaseError';
}

export function openDatabase(config: DatabaseConfig): Kysely<Database> {
  switch (config.kind) {
    case 'sqlite':
      return openSqlite(config.path, config.synchronous ?? 'full');
    case 'postgres':
      // Lazy: the pool connects at the first query (the migrations), not here.
      return openPostgres({ url: config.url, poolMax: config.poolMax });
  }
}

function openSqlite(file: string, synchronous: SqliteSynchronous): Kysely<Database> {
  return openSqliteFile(file, { walSync: synchronous === 'full' ? new WalSync(`${file}-wal`) : undefined });
}

/**
 * `walSync` present: every write waits for it (group commit, the `full` setting); absent, a
 * write is done once SQLite has handed it to the OS. Exported for the durability tests.
 */
export function openSqliteFile(file: string, options: { walSync: WalSync | undefined }): Kysely<Database> {
  mkdirSync(path.dirname(file), { recursive: true });
  const sqlite = new SqliteDatabase(file);
  try {
    // Set first, so that the pragmas below already wait for a process holding the lock.
    sqlite.pragma('busy_timeout = 5000');
    enableWal(sqlite);
    // In WAL mode NORMAL keeps the file consistent through any crash: SQLite syncs the log before
    // each checkpoint and the database after it. It skips the fsync in every COMMIT, which for the
    // `full` setting group commit does instead, off the event loop (wal-sync.ts, issue 9).
    sqlite.pragma('synchronous = NORMAL');
    // SQLite ignores REFERENCES unless asked, per connection.
    sqlite.pragma('foreign_keys = ON');
    // SQLite's own default page cache (2 MiB). better-sqlite3 builds SQLite with 16 MiB, which the
    // refresh load's random rows filled, for 17-20 MiB more peak memory and no measured speed
    // (issue 9: 117-120 against 99-100 MiB at 512 KiB, the same grants/s; docs/PERFORMANCE.md).
    sqlite.pragma('cache_size = -2000');
  } catch (error) {
    sqlite.close();
    throw error;
  }
  const database = withStatementCache(sqlite);
  const db = new Kysely<Database>({ dialect: new SharedFileSqliteDialect({ database }, options.walSync) });
  const connection = {
    get inTransaction() {
      return sqlite.inTransaction;
    },
    prepare: (sql: string) => database.prepare(sql),
  };
  registerImmediateReader(db, new ReadBatch(connection));
  registerSynchronousConnection(db, connection);
  if (options.walSync !== undefined) registerWalSync(db, options.walSync);
  return db;
}

/** Distinct statements kept compiled; the server has a few dozen query shapes, `IN` lists add some. */
const STATEMENT_CACHE_SIZE = 500;

/**
 * Kysely calls `prepare` for every query, and better-sqlite3 compiles the SQL each time: that was
 * the largest single cost of the token endpoint in a CPU profile (issue 9). The server runs a
 * small set of query shapes, so each is compiled once and reused (the driver runs one statement
 * at a time on its one connection, so a cached statement is never in use twice). SQLite
 * recompiles a cached statement by itself after a schema change.
 */
function withStatementCache(sqlite: SqliteDatabase.Database): SqliteDialectConfig['database'] & { prepare(sql: string): SqliteDatabase.Statement } {
  const statements = new Map<string, SqliteDatabase.Statement>();
  return {
    close: () => sqlite.close(),
    prepare(sql: string) {
      let statement = statements.get(sql);
      if (statement === undefined) {
        statement = sqlite.prepare(sql);
        if (statements.size >= STATEMENT_CACHE_SIZE) statements.delete(statements.keys().next().value ?? '');
        statements.set(sql, statement);
      }
      return statement;
    },
  };
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
