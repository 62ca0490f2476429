// A batch of SQLite writes run synchronously inside one transaction. better-sqlite3 runs every
// statement synchronously on the store's one connection, but through Kysely's transaction each
// statement still goes through the executor, the transaction's connection provider and the driver,
// a chain of promises per statement: for the refresh grant's rotations, batched per turn of the
// event loop (refresh-tokens-repository.ts), that machinery cost about a tenth of each rotation's
// CPU and 7% of the grant's allocation (issue 9; docs/PERFORMANCE.md). Here the batch takes the
// connection through the driver once, so its lock and its group commit (sqlite-dialect.ts,
// wal-sync.ts) hold as for any transaction, and runs its statements one after another on the
// connection itself.
import { CompiledQuery, type Kysely } from 'kysely';
import type { Written } from '../repositories.js';
import type { BatchConnection } from './read-batch.js';
import type { Database } from './schema.js';

/** The connection a read batch uses (the same one), whose statements also say whether they return rows. */
export interface SynchronousConnection extends BatchConnection {
  prepare(sql: string): ReturnType<BatchConnection['prepare']> & { readonly reader: boolean };
}

/** Runs one statement inside the transaction: its rows (none for a statement that returns none). */
export type RunStatement = (sql: string, parameters: readonly unknown[]) => unknown[];

const connections = new WeakMap<object, SynchronousConnection>();

/** Lets synchronousTransaction run on `db` (not on its transactions) through `connection`. */
export function registerSynchronousConnection(db: Kysely<Database>, connection: SynchronousConnection): void {
  connections.set(db, connection);
}

/**
 * `work` inside one `BEGIN IMMEDIATE` transaction on `db`'s connection, without a turn of the
 * event loop between its statements; undefined when `db` has no such connection (PostgreSQL, or a
 * transaction), for the caller to go through Kysely. Answers at the commit, before the log is
 * flushed, so that a caller can prepare its answer meanwhile; whatever it tells anyone must wait
 * for `durable`. If `work` throws or the commit fails, nothing it wrote is kept and the returned
 * promise rejects with that error.
 */
export function synchronousTransaction<T>(db: Kysely<Database>, work: (run: RunStatement) => T): Promise<Written<T>> | undefined {
  const connection = connections.get(db);
  if (connection === undefined) return undefined;
  const run: RunStatement = (sql, parameters) => {
    const statement = connection.prepare(sql);
    if (statement.reader) return statement.all(parameters);
    statement.run(parameters);
    return [];
  };
  let committed: (result: T) => void = () => undefined;
  const atCommit = new Promise<T>((resolve) => {
    committed = resolve;
  });
  // Kysely's connection use ends once the driver has released the connection, which waits for
  // the group sync after a use that wrote (sqlite-dialect.ts): it settles when the commit is on disk.
  const whole = db.connection().execute(async (held) => {
    // BEGIN and COMMIT go through the driver, which so learns that this use writes; the
    // statements between them run on the connection it holds.
    await held.executeQuery(CompiledQuery.raw('begin immediate'));
    try {
      const result = work(run);
      await held.executeQuery(CompiledQuery.raw('commit'));
      committed(result);
      return result;
    } catch (error) {
      // The caller hears of the first failure; a failed rollback leaves the connection in the
      // transaction, where the next BEGIN fails with SQLite's own error.
      if (connection.inTransaction) await held.executeQuery(CompiledQuery.raw('rollback')).catch(() => undefined);
      throw error;
    }
  });
  const durable = whole.then(() => undefined);
  // Handled here too, so a caller that stops listening (its request failed otherwise) cannot
  // leave a failed flush as an unhandled rejection; callers that await it still see the failure.
  durable.catch(() => undefined);
  // Before the commit, a failure rejects the answer itself; after it, only `durable`.
  return Promise.race([atCommit, whole]).then((result) => ({ result, durable }));
}
