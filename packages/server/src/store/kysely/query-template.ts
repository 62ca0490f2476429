// Queries on the token endpoint's hot path, built with Kysely once per dialect instead of once per
// request. A CPU profile of the refresh_token grant (issue 9) spent more time in Kysely building
// and compiling the same three statements than in SQLite running them; a template keeps Kysely as
// the only writer of SQL and pays for that once.
import { type Compilable, CompiledQuery, type Kysely, type QueryResult } from 'kysely';
import type { Database } from './schema.js';

/** Stands for a named parameter while the template is compiled; never sent to the database. */
const MARK = '\u0000latchkey-template-parameter:';

type Slot<P extends string> = { name: P } | { value: unknown };

interface Compiled<P extends string> {
  sql: string;
  slots: Slot<P>[];
  /** A plain SELECT: it may run on a reader that answers at once (below). */
  read: boolean;
}

/**
 * Runs a plain SELECT outside Kysely's driver on a database's one connection, or answers undefined
 * when it cannot (a transaction is open on it): SQLite only (dialect.ts, read-batch.ts). A read
 * through the driver goes through its connection lock and several promises, which cost more than
 * SQLite's own work on the introspection endpoint's revocation check (issue 9: 26 against 36 us of
 * CPU per request without and with that read). Reading outside the lock is safe exactly when no
 * transaction is open: each statement then sees what is committed, as it would after waiting.
 */
export interface ImmediateReader {
  read(sql: string, parameters: unknown[]): Promise<unknown[] | undefined>;
}

const immediateReaders = new WeakMap<object, ImmediateReader>();

/** Lets the templates run their SELECTs on `db` (not on its transactions) through `reader`. */
export function registerImmediateReader(db: Kysely<Database>, reader: ImmediateReader): void {
  immediateReaders.set(db, reader);
}

/**
 * The templates' SQL texts, each with the name it is prepared under on PostgreSQL: the pool's
 * connections (postgres-dialect.ts) send a named statement, which the server parses and plans
 * once per connection instead of on every call (issue 9). Only templates are named: their text is
 * fixed, so the server keeps a handful of statements per connection, however long it runs.
 */
const statementNames = new Map<string, string>();

/** The name a template's SQL is prepared under; undefined for any other statement. */
export function preparedStatementName(sql: string): string | undefined {
  return statementNames.get(sql);
}

const PLAIN_SELECT = /^\s*select\s/i;

/**
 * A plain SELECT, which cannot change rows (Kysely writes `select` in lower case; raw SQL may not).
 * Anything else may write: it goes through the driver, which waits for the group sync after it.
 */
export function isPlainSelect(sql: string): boolean {
  return PLAIN_SELECT.test(sql);
}

export interface QueryTemplate<P extends string, O> {
  /** Runs the query with these values on `db` (the store's Kysely or a transaction). */
  execute(db: Kysely<Database>, values: Readonly<Record<P, unknown>>): Promise<QueryResult<O>>;
  /** The SQL for `db`'s dialect and these values in its parameters' order, to run without Kysely (synchronous-transaction.ts). */
  bind(db: Kysely<Database>, values: Readonly<Record<P, unknown>>): { sql: string; parameters: unknown[] };
}

/**
 * `build` receives a Kysely and `param(name)`, which it uses wherever a value goes. The SQL is
 * compiled on first use for each dialect and then reused with the values of each call.
 */
export function queryTemplate<P extends string, O>(
  build: (db: Kysely<Database>, param: (name: P) => never) => Compilable<O>,
): QueryTemplate<P, O> {
  // Keyed by the dialect's adapter: a transaction shares its database's adapter and compiler.
  const compiledFor = new WeakMap<object, Compiled<P>>();
  const param = (name: P): never => `${MARK}${name}` as never;

  const compile = (db: Kysely<Database>): Compiled<P> => {
    const query = build(db, param).compile();
    const slots = query.parameters.map((value): Slot<P> =>
      typeof value === 'string' && value.startsWith(MARK) ? { name: value.slice(MARK.length) as P } : { value },
    );
    // PostgreSQL refuses to run a prepared statement whose result columns changed, as `*` would
    // after a migration adds a column under running servers: a template lists its columns.
    if (query.sql.includes('*')) throw new Error(`a query template must list its columns, not *: ${query.sql}`);
    if (!statementNames.has(query.sql)) statementNames.set(query.sql, `latchkey_${statementNames.size + 1}`);
    return { sql: query.sql, slots, read: isPlainSelect(query.sql) };
  };

  const compiledOn = (db: Kysely<Database>): Compiled<P> => {
    const adapter = db.getExecutor().adapter;
    let compiled = compiledFor.get(adapter);
    if (compiled === undefined) {
      compiled = compile(db);
      compiledFor.set(adapter, compiled);
    }
    return compiled;
  };
  const parametersOf = (compiled: Compiled<P>, values: Readonly<Record<P, unknown>>): unknown[] =>
    compiled.slots.map((slot) => ('name' in slot ? values[slot.name] : slot.value));

  return {
    bind(db, values) {
      const compiled = compiledOn(db);
      return { sql: compiled.sql, parameters: parametersOf(compiled, values) };
    },
    execute(db, values) {
      const compiled = compiledOn(db);
      const parameters = parametersOf(compiled, values);
      const query = CompiledQuery.raw(compiled.sql, parameters) as CompiledQuery<O>;
      const reader = compiled.read ? immediateReaders.get(db) : undefined;
      if (reader !== undefined) {
        // The rows are the SELECT's, shaped as the template's output type says.
        return reader.read(compiled.sql, parameters).then((rows) => (rows === undefined ? db.executeQuery(query) : { rows: rows as O[] }));
      }
      return db.executeQuery(query);
    },
  };
}
