// Kysely's SQLite dialect with two changes that make one SQLite file safe to share between
// processes (ARCHITECTURE: stateless processes, one shared store), and group commit (wal-sync.ts).
import { CompiledQuery, SqliteAdapter, SqliteDialect, SqliteDriver } from 'kysely';
import type { DatabaseConnection, Driver, DialectAdapter, SqliteDialectConfig } from 'kysely';
import { isPlainSelect } from './query-template.js';
import type { WalSync } from './wal-sync.js';

/**
 * Every transaction here reads and then writes (rotate, throttle, migrations). A plain (deferred)
 * `BEGIN` takes the write lock only at the first write, and in WAL mode a reader whose snapshot
 * went stale then fails at once with SQLITE_BUSY instead of waiting. `BEGIN IMMEDIATE` takes the
 * write lock up front, so a second process waits (busy_timeout) and then reads fresh data.
 */
class ImmediateSqliteDriver extends SqliteDriver {
  /** total_changes() when the connection was last released: a rise means this use wrote. */
  #changes = 0;
  /** SQLite has one connection, handed out under a mutex: the one being released. */
  #connection: DatabaseConnection | undefined;
  /** The connection as handed out with group commit on: it notes whether anything but a SELECT ran. */
  #tracked: DatabaseConnection | undefined;
  #onlySelects = true;

  constructor(
    config: SqliteDialectConfig,
    private readonly walSync: WalSync | undefined,
  ) {
    super(config);
  }

  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }

  override async acquireConnection(): Promise<DatabaseConnection> {
    const connection = await super.acquireConnection();
    this.#connection = connection;
    this.#onlySelects = true;
    this.#tracked ??= {
      executeQuery: (query) => {
        // A use that ran only SELECTs wrote nothing: its release skips the total_changes() read.
        if (this.#onlySelects && !isPlainSelect(query.sql)) this.#onlySelects = false;
        return connection.executeQuery(query);
      },
      streamQuery: (query, chunkSize) => {
        if (this.#onlySelects && !isPlainSelect(query.sql)) this.#onlySelects = false;
        return connection.streamQuery(query, chunkSize);
      },
    };
    return this.walSync === undefined ? connection : this.#tracked;
  }

  /**
   * Kysely releases the connection after each query, or after a transaction's COMMIT or ROLLBACK,
   * and the caller's await ends only when this returns. So a use that wrote hands the connection
   * on at once and then waits for the group sync (wal-sync.ts) before its caller goes on.
   */
  override async releaseConnection(): Promise<void> {
    const connection = this.#connection;
    let wrote = false;
    try {
      if (this.walSync !== undefined && connection !== undefined && !this.#onlySelects) {
        const { rows } = await connection.executeQuery<{ n: number }>(CompiledQuery.raw('select total_changes() as n'));
        const changes = rows[0]?.n ?? 0;
        wrote = changes !== this.#changes;
        this.#changes = changes;
      }
    } finally {
      this.#connection = undefined;
      await super.releaseConnection();
    }
    if (wrote) await this.walSync?.sync();
  }

  /** Lets the flushes under way finish, then closes the log's descriptor and the connection. */
  override async destroy(): Promise<void> {
    await this.walSync?.close();
    await super.destroy();
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
  readonly #walSync: WalSync | undefined;

  /** `walSync`: makes every write wait until it is on disk (group commit); absent, it waits for nothing. */
  constructor(config: SqliteDialectConfig, walSync?: WalSync) {
    super(config);
    this.#config = config;
    this.#walSync = walSync;
  }

  override createDriver(): Driver {
    return new ImmediateSqliteDriver(this.#config, this.#walSync);
  }

  override createAdapter(): DialectAdapter {
    return new TransactionalDdlSqliteAdapter();
  }
}
