// SQLite's hot SELECTs (query-template.ts), run together: the reads asked for during one turn of
// the event loop wait for the end of that turn (setImmediate) and then run one after another in a
// single read transaction. Each statement run alone opens and closes its own: it takes the WAL
// read lock (two fcntl calls on the shared-memory file) and reads the log's index header, which
// cost more than looking the row up (issue 9: standalone, 2.0 us per revocation check alone and
// 0.6 us each in eights; introspection, where that check is the only read, +18 to +30% requests/s
// in four alternating pairs, 29 -> 23 us of CPU per request). The answers are as fresh as before:
// the transaction's snapshot is taken when the batch runs, after every read in it was asked, so a
// revocation committed before a request arrived is seen (SEC-44).

/** The parts of a better-sqlite3 connection a batch uses. */
export interface BatchConnection {
  readonly inTransaction: boolean;
  prepare(sql: string): { all(parameters: readonly unknown[]): unknown[]; run(parameters: readonly unknown[]): unknown };
}

interface PendingRead {
  sql: string;
  parameters: unknown[];
  resolve: (rows: unknown[] | undefined) => void;
  reject: (error: unknown) => void;
}

export class ReadBatch {
  readonly #connection: BatchConnection;
  #pending: PendingRead[] = [];

  constructor(connection: BatchConnection) {
    this.#connection = connection;
  }

  /**
   * The rows of the plain SELECT `sql`, read at the end of this turn of the event loop; undefined
   * when a transaction is open on the connection then (it may hold uncommitted rows), in which case
   * the caller goes through the driver, which waits for it.
   */
  read(sql: string, parameters: unknown[]): Promise<unknown[] | undefined> {
    return new Promise((resolve, reject) => {
      if (this.#pending.push({ sql, parameters, resolve, reject }) === 1) setImmediate(() => this.#run());
    });
  }

  #run(): void {
    const batch = this.#pending;
    this.#pending = [];
    const connection = this.#connection;
    if (connection.inTransaction) {
      for (const read of batch) read.resolve(undefined);
      return;
    }
    // One read alone needs no transaction around it: the statement is its own.
    const together = batch.length > 1;
    if (together) {
      try {
        connection.prepare('begin').run([]);
      } catch (error) {
        for (const read of batch) read.reject(error);
        return;
      }
    }
    for (const read of batch) {
      try {
        read.resolve(connection.prepare(read.sql).all(read.parameters));
      } catch (error) {
        read.reject(error);
      }
    }
    // Ending a transaction that only read cannot lose anything; a failure here would leave the
    // connection inside it, so roll back instead, and the next batch starts clean.
    if (together && connection.inTransaction) {
      try {
        connection.prepare('commit').run([]);
      } catch {
        try {
          if (connection.inTransaction) connection.prepare('rollback').run([]);
        } catch {
          // Nothing more can be done here: while the connection stays inside the transaction,
          // reads go through the driver (above) and writes fail with SQLite's own error.
        }
      }
    }
  }
}
