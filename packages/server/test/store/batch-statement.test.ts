// Several calls as one PostgreSQL statement (issue 9, batch-statement.ts): the values go in as
// arrays in a chosen order, each row carries its call's place, and each call gets its own row's
// answer. The statements themselves run in test/store/postgres.test.ts.
import { Kysely, PostgresAdapter, PostgresIntrospector, PostgresQueryCompiler, DummyDriver } from 'kysely';
import { describe, expect, it } from 'vitest';
import { batchRows, batchValues, byIndex } from '../../src/store/kysely/batch-statement.js';

const COLUMNS = { chain: 'text', generation: 'integer', now: 'bigint' } as const;
const calls = [
  { chain: 'c', generation: 3, now: 30 },
  { chain: 'a', generation: 1, now: 10 },
  { chain: 'b', generation: 2, now: 20 },
];

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
    const db = new Kysely<Record<string, never>>({
      dialect: {
        createAdapter: () => new PostgresAdapter(),
        createDriver: () => new DummyDriver(),
        createIntrospector: (kysely) => new PostgresIntrospector(kysely),
        createQueryCompiler: () => new PostgresQueryCompiler(),
      },
    });
    const param = (name: string): never => `value of ${name}` as never;
    const query = db.selectFrom(batchRows(param, COLUMNS)).select(['b.b_index', 'b.b_chain']).compile();
    expect(query.sql).toBe(
      'select "b"."b_index", "b"."b_chain" from unnest(cast($1 as integer[]), cast($2 as text[]), cast($3 as integer[]), cast($4 as bigint[])) as b("b_index", "b_chain", "b_generation", "b_now")',
    );
    expect(query.parameters).toEqual(['value of index', 'value of chain', 'value of generation', 'value of now']);
  });
});
