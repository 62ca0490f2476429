// Several calls of one event-loop turn as one statement on PostgreSQL (issue 9): each call's
// values go in as arrays, one per value, which `unnest` turns back into one row per call, with
// the call's place in the batch. The statement's text is the same for any batch size, so it is
// prepared once per connection like any query template (query-template.ts), and the database
// parses, plans, locks and commits once per batch instead of once per call.
import { sql, type AliasedRawBuilder, type Expression } from 'kysely';

type SqlType = 'integer' | 'bigint' | 'text';
type TsType<T extends SqlType> = T extends 'text' ? string : number;

/** A batch's row: `b_index` (the call's place in the batch) and `b_<name>` for each value. */
export type BatchRow<C extends Record<string, SqlType>> = { b_index: number } & { [K in keyof C & string as `b_${K}`]: TsType<C[K]> };

/**
 * `unnest(cast($1 as integer[]), cast($2 as <type>[]), …) as b(b_index, b_<name>, …)`, for a
 * template's FROM: `columns` names each value and its SQL type; `param` is the template's.
 */
export function batchRows<C extends Record<string, SqlType>>(
  param: (name: (keyof C & string) | 'index') => never,
  columns: C,
): AliasedRawBuilder<BatchRow<C>, 'b'> {
  const names = Object.keys(columns) as (keyof C & string)[];
  const arrays = sql.join([sql`cast(${param('index')} as integer[])`, ...names.map((name) => sql`cast(${param(name)} as ${sql.raw(columns[name] as SqlType)}[])`)]);
  const aliases = sql.join([sql.id('b_index'), ...names.map((name) => sql.id(`b_${name}`))]);
  return sql<BatchRow<C>>`unnest(${arrays})`.as<'b'>(sql`b(${aliases})`);
}

/**
 * Where a statement's named values come from, so that one call's statement and a batch's share
 * their conditions and columns instead of repeating them: a template's parameters
 * (`parameterValues`) or the batch's columns (`batchOf`). Typed `never`, as a template's
 * `param` is: the value's type is the column's it is compared with or written to.
 */
export type ValueSource<N extends string> = (name: N) => Expression<never>;

/** Each value is the template's parameter of that name: one call's statement. */
export function parameterValues<N extends string>(param: (name: N) => never): ValueSource<N> {
  return (name) => sql.val(param(name));
}

/**
 * A batch for a template, from one column map: its rows (`batchRows`, for the FROM) and its
 * columns as the statement's values (`b.b_<name>`, a `ValueSource` like `parameterValues`).
 */
export function batchOf<C extends Record<string, SqlType>>(
  param: (name: (keyof C & string) | 'index') => never,
  columns: C,
): { rows: AliasedRawBuilder<BatchRow<C>, 'b'>; values: ValueSource<keyof C & string> } {
  return { rows: batchRows(param, columns), values: (name) => sql.ref<never>(`b.b_${name}`) };
}

/**
 * The template's values for a batch: `index` and one array per value of `columns` (the same map
 * `batchRows` was given), the calls in `order` (their order in the batch unless given), so that
 * each row carries its call's place.
 */
export function batchValues<C extends Record<string, SqlType>>(
  calls: readonly Readonly<Record<keyof C & string, unknown>>[],
  columns: C,
  order: readonly number[] = calls.map((_, index) => index),
): Record<(keyof C & string) | 'index', unknown[]> {
  const values = { index: [...order] } as Record<(keyof C & string) | 'index', unknown[]>;
  for (const key of Object.keys(columns) as (keyof C & string)[]) values[key] = order.map((index) => calls[index]?.[key]);
  return values;
}

/** Each call's answer from the rows carrying its place in the batch: `none` when it has none. */
export function byIndex<R extends { b_index: number }, O>(count: number, rows: readonly R[], answer: (row: R) => O, none: O): O[] {
  const answers = new Array<O>(count).fill(none);
  for (const row of rows) answers[row.b_index] = answer(row);
  return answers;
}
