// Kysely's SQLite dialect with two changes that make one SQLite file safe to share between
// processes (ARCHITECTURE: stateless processes, one shared store).
import { CompiledQuery, SqliteAdapter, SqliteDialect, SqliteDriver } from 'kysely';
import type { DatabaseConnection, Driver, DialectAdapter, SqliteDialectConfig } from 'kysely';

/**
 * Every transaction here reads and then writes (rotate, throttle, migrations). A plain (deferred)
 * `BEGIN` takes the write lock only at the first write, and in WAL mode a reader whose snapshot
 * went stale then fails at once with SQLITE_BUSY instead of waiting. `BEGIN IMMEDIATE` takes the
 * write lock up front, so a second process waits (busy_timeout) and then reads fresh data.
 */
class ImmediateSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }
}

/**
 * SQLite does support transactional DDL; Kysely's adapter says it does not, which makes the
 * Migrator run migrations outside any transaction and without a lock. Saying yes makes each
 * migration run all-or-nothing in one `BEGIN IMMEDIATE` transaction, which is also the lock
 * that keeps two processes from migrating the same file at once.
 */
class TransactionalDdlSqliteAdapter extends SqliteAdapter {
  override get supportsTransactionalDdl(): boolean {
    return true;
  }
}

export class SharedFileSqliteDialect extends SqliteDialect {
  readonly #config: SqliteDialectConfig;

  constructor(config: SqliteDialectConfig) {
    super(config);
    this.#config = config;
  }

  override createDriver(): Driver {
    return new ImmediateSqliteDriver(this.#config);
  }

  override createAdapter(): DialectAdapter {
    return new TransactionalDdlSqliteAdapter();
  }
}
