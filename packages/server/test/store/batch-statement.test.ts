// Several calls as one PostgreSQL statement (issue 9, batch-statement.ts): the values go in as
// arrays in a chosen order, each row carries its call's place, and each call gets its own row's
// answer; a statement's conditions are written once for a single call and for a batch. The
// statements themselves run in test/store/postgres.test.ts.
import { Kysely, PostgresAdapter, PostgresIntrospector, PostgresQueryCompiler, DummyDriver } from 'kysely';
import { describe, expect, it } from 'vitest';
import { batchOf, batchRows, batchValues, byIndex, parameterValues, type ValueSource } from '../../src/store/kysely/batch-statement.js';

const COLUMNS = { chain: 'text', generation: 'integer', now: 'bigint' } as const;
const calls = [
  { chain: 'c', generation: 3, now: 30 },
  { chain: 'a', generation: 1, now: 10 },
  { chain: 'b', generation: 2, now: 20 },
];

const db = new Kysely<{ t: { chain: string; generation: number } }>({
  dialect: {
    createAdapter: () => new PostgresAdapter(),
    createDriver: () => new DummyDriver(),
    createIntrospector: (kysely) => new PostgresIntrospector(kysely),
    createQueryCompiler: () => new PostgresQueryCompiler(),
  },
});

describe('batch statements', () => {
  it("passes one array per value, in the order asked, with each call's place in the batch", () => {
    expect(batchValues(calls, COLUMNS)).toEqual({ index: [0, 1, 2], chain: ['c', 'a', 'b'], generation: [3, 1, 2], now: [30, 10, 20] });
    expect(batchValues(calls, COLUMNS, [1, 2, 0])).toEqual({ index: [1, 2, 0], chain: ['a', 'b', 'c'], generation: [1, 2, 3], now: [10, 20, 30] });
  });

  it('answers each call from the row carrying its place, and a call without one with the default', () => {
    const rows = [
      { b_index: 2, value: 'third' },
      { b_index: 0, value: 'first' },
    ];
    expect(byIndex(3, rows, (row) => row.value, 'none')).toEqual(['first', 'none', 'third']);
  });

  it('turns the arrays back into rows with unnest, each cast to its column type', () => {
    const param = (name: string): never => `value of ${name}` as never;
    const query = db.selectFrom(batchRows(param, COLUMNS)).select(['b.b_index', 'b.b_chain']).compile();
    expect(query.sql).toBe(
      'select "b"."b_index", "b"."b_chain" from unnest(cast($1 as integer[]), cast($2 as text[]), cast($3 as integer[]), cast($4 as bigint[])) as b("b_index", "b_chain", "b_generation", "b_now")',
    );
    expect(query.parameters).toEqual(['value of index', 'value of chain', 'value of generation', 'value of now']);
  });

  it("builds one statement's conditions from a template's parameters or from the batch's columns", () => {
    const param = (name: 'chain' | 'generation'): never => `value of ${name}` as never;
    const matching = (v: ValueSource<'chain' | 'generation'>) =>
      db.selectFrom('t').select('chain').where('chain', '=', v('chain')).where('generation', '>', v('generation'));
    const alone = matching(parameterValues(param)).compile();
    // Parameters, as a value written in place would be: the template finds them by their marker.
    expect(alone.sql).toBe('select "chain" from "t" where "chain" = $1 and "generation" > $2');
    expect(alone.parameters).toEqual(['value of chain', 'value of generation']);
    const batchParam = (name: 'chain' | 'generation' | 'index'): never => `value of ${name}` as never;
    const batch = matching(batchOf(batchParam, { chain: 'text', generation: 'integer' }).values).compile();
    expect(batch.sql).toBe('select "chain" from "t" where "chain" = "b"."b_chain" and "generation" > "b"."b_generation"');
    expect(batch.parameters).toEqual([]);
  });
});
