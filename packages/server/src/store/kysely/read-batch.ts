// SQLite's hot SELECTs (query-template.ts), run together: the reads asked for during one turn of
// the event loop wait for the end of that turn (setImmediate) and then run one after another in a
// single read transaction. Each statement run alone opens and closes its own: it takes the WAL
// read lock (two fcntl calls on the shared-memory file) and reads the log's index header, which
// cost more than looking the row up (issue 9: standalone, 2.0 us per revocation check alone and
// 0.6 us each in eights; introspection, where that check is the only read, +18 to +30% requests/s
// in four alternating pairs, 29 -> 23 us of CPU per request). The answers are as fresh as before:
// the transaction's snapshot is taken when the batch runs, after every read in it was asked, so a
// revocation committed before a request arrived is seen (SEC-44).
import { TurnBatch } from './turn-batch.js';

/** The parts of a better-sqlite3 connection a batch uses. */
export interface BatchConnection {
  readonly inTransaction: boolean;
  prepare(sql: string): { all(parameters: readonly unknown[]): unknown[]; run(parameters: readonly unknown[]): unknown };
}

interface Read {
  sql: string;
  parameters: unknown[];
}

/** A read's rows (undefined: go through the driver), or its own failure, which fails it alone. */
type ReadOutcome = { rows: unknown[] | undefined } | { error: unknown };

export class ReadBatch {
  readonly #connection: BatchConnection;
  readonly #turns: TurnBatch<Read, ReadOutcome>;

  constructor(connection: BatchConnection) {
    this.#connection = connection;
    this.#turns = new TurnBatch(
      (read) => Promise.resolve(this.#runAlone(read)),
      (reads) => Promise.resolve(this.#runTogether(reads)),
    );
  }

  /**
   * The rows of the plain SELECT `sql`, read at the end of this turn of the event loop; undefined
   * when a transaction is open on the connection then (it may hold uncommitted rows), in which case
   * the caller goes through the driver, which waits for it.
   */
  async read(sql: string, parameters: unknown[]): Promise<unknown[] | undefined> {
    const outcome = await this.#turns.run({ sql, parameters });
    if ('error' in outcome) throw outcome.error;
    return outcome.rows;
  }

  /** One read alone needs no transaction around it: the statement is its own. A failure rejects it. */
  #runAlone(read: Read): ReadOutcome {
    if (this.#connection.inTransaction) return { rows: undefined };
    return { rows: this.#connection.prepare(read.sql).all(read.parameters) };
  }

  /** Several in one read transaction; if it cannot begin, the batch fails and every read with it. */
  #runTogether(reads: Read[]): ReadOutcome[] {
    const connection = this.#connection;
    if (connection.inTransaction) return reads.map(() => ({ rows: undefined }));
    connection.prepare('begin').run([]);
    const outcomes = reads.map((read): ReadOutcome => {
      try {
        return { rows: connection.prepare(read.sql).all(read.parameters) };
      } catch (error) {
        return { error };
      }
    });
    // Ending a transaction that only read cannot lose anything; a failure here would leave the
    // connection inside it, so roll back instead, and the next batch starts clean.
    if (connection.inTransaction) {
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
    return outcomes;
  }
}
