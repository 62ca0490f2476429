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
}

export interface QueryTemplate<P extends string, O> {
  /** Runs the query with these values on `db` (the store's Kysely or a transaction). */
  execute(db: Kysely<Database>, values: Readonly<Record<P, unknown>>): Promise<QueryResult<O>>;
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
    return { sql: query.sql, slots };
  };

  return {
    execute(db, values) {
      const adapter = db.getExecutor().adapter;
      let compiled = compiledFor.get(adapter);
      if (compiled === undefined) {
        compiled = compile(db);
        compiledFor.set(adapter, compiled);
      }
      const parameters = compiled.slots.map((slot) => ('name' in slot ? values[slot.name] : slot.value));
      return db.executeQuery(CompiledQuery.raw(compiled.sql, parameters) as CompiledQuery<O>);
    },
  };
}
