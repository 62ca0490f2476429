// PostgreSQL, for many server processes behind a load balancer on one database (ARCHITECTURE:
// stateless processes, one shared store). The same schema, migrations and repositories as SQLite;
// what differs is here: a connection pool, int8 parsed as numbers, and outages made recognizable.
import { Kysely, PostgresDialect } from 'kysely';
import type { PostgresCursor, PostgresPool, PostgresPoolClient, PostgresQueryResult } from 'kysely';
// Type only: the module itself is loaded when the first connection is needed, so a server on
// SQLite never loads pg (its code measured about 3 MiB of heap; docs/PERFORMANCE.md, issue 9).
import type pg from 'pg';
import { asUnavailable } from './errors.js';
import { preparedStatementName } from './query-template.js';
import type { Database } from './schema.js';

/** The pool's limits; `max` is the setting LATCHKEY_DATABASE_POOL_MAX, the rest are fixed. */
export const POOL_DEFAULTS = {
  /** Connections per process: N processes open up to N × max, within the server's max_connections. */
  max: 10,
  /** An idle connection is closed after this long, so a quiet process holds few. */
  idleTimeoutMillis: 30_000,
  /** Waiting longer than this for a connection (database down, pool exhausted) fails the request: 503. */
  connectionTimeoutMillis: 5_000,
  /** No statement here takes long; one that does is stuck on a lock or an overloaded server. */
  statementTimeoutMillis: 10_000,
  /** A transaction left open (a bug, a hung process) stops holding its row locks after this. */
  idleInTransactionTimeoutMillis: 30_000,
} as const;

export interface PostgresOptions {
  url: string;
  /** Connections in this process's pool; POOL_DEFAULTS.max when absent. */
  poolMax?: number | undefined;
  /** False for migrations, which may build an index on a big table or wait for another process's. */
  statementTimeout?: boolean;
}

const INT8_OID = 20;

export function openPostgres(options: PostgresOptions): Kysely<Database> {
  // Kysely calls this at the first query and keeps the pool it returns.
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool: async () => new ClassifyingPool(await createPool(options)) }) });
}

async function createPool(options: PostgresOptions): Promise<pg.Pool> {
  const { default: pg } = await import('pg');
  /**
   * pg returns int8 as a string, since it may exceed 2^53. The `bigint` columns here are Unix
   * seconds (and counts), far below that, so they are parsed as plain numbers, as SQLite returns
   * them. Per pool, not pg.types.setTypeParser: nothing else in the process is affected.
   */
  const types: pg.CustomTypesConfig = {
    getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
      oid === INT8_OID && format !== 'binary' ? (value: string) => Number(value) : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
  };
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolMax ?? POOL_DEFAULTS.max,
    idleTimeoutMillis: POOL_DEFAULTS.idleTimeoutMillis,
    connectionTimeoutMillis: POOL_DEFAULTS.connectionTimeoutMillis,
    statement_timeout: options.statementTimeout === false ? 0 : POOL_DEFAULTS.statementTimeoutMillis,
    idle_in_transaction_session_timeout: POOL_DEFAULTS.idleInTransactionTimeoutMillis,
    application_name: 'latchkey',
    types,
  });
  // A connection that breaks while idle (the server restarted) is dropped by the pool, which
  // then emits 'error'; one that breaks while in use rejects its query and emits 'error' on the
  // client. Unheard, either event would crash the process; the failed query already answers 503.
  pool.on('error', () => {});
  pool.on('connect', (client) => client.on('error', () => {}));
  return pool;
}

/** The pool as Kysely sees it, with connection failures marked so the server answers 503. */
class ClassifyingPool implements PostgresPool {
  readonly #pool: pg.Pool;

  constructor(pool: pg.Pool) {
    this.#pool = pool;
  }

  async connect(): Promise<PostgresPoolClient> {
    try {
      return new ClassifyingClient(await this.#pool.connect());
    } catch (error) {
      throw asUnavailable(error);
    }
  }

  end(): Promise<void> {
    return this.#pool.end();
  }
}

class ClassifyingClient implements PostgresPoolClient {
  readonly #client: pg.PoolClient;

  constructor(client: pg.PoolClient) {
    this.#client = client;
  }

  query<R>(sql: string, parameters: ReadonlyArray<unknown>): Promise<PostgresQueryResult<R>>;
  query<R>(cursor: PostgresCursor<R>): PostgresCursor<R>;
  query<R>(sql: string | PostgresCursor<R>, parameters?: ReadonlyArray<unknown>): Promise<PostgresQueryResult<R>> | PostgresCursor<R> {
    // No cursor is configured (no streaming), so Kysely only ever sends text and parameters.
    if (typeof sql !== 'string') throw new TypeError('streaming queries are not supported');
    const values = parameters === undefined ? [] : [...parameters];
    // A template's statement is prepared once per connection under its name (query-template.ts).
    const name = preparedStatementName(sql);
    const query = name === undefined ? this.#client.query<R & pg.QueryResultRow>(sql, values) : this.#client.query<R & pg.QueryResultRow>({ name, text: sql, values });
    return query.then(
      // pg types `command` as any string; Kysely names the ones it acts on. Same object.
      (result) => result as unknown as PostgresQueryResult<R>,
      (error: unknown) => {
        throw asUnavailable(error);
      },
    );
  }

  release(destroy?: boolean): void {
    this.#client.release(destroy);
  }
}
