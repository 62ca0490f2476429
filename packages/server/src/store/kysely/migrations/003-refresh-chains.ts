// Issue 9: a family's current refresh token lives in the family's own row, found by its chain
// (tokens/refresh-token-format.ts). A rotation then updates one row through a key that never
// changes, where inserting a row into refresh_tokens also wrote a page in each of its two
// random-keyed indexes; on SQLite that was most of a rotation's cost. refresh_tokens stays for
// tokens issued before this migration: their first rotation moves the family onto a chain.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('token_families').addColumn('refresh_chain', 'text').execute();
  await db.schema.alterTable('token_families').addColumn('refresh_generation', 'integer').execute();
  await db.schema.alterTable('token_families').addColumn('refresh_hash', 'text').execute();
  await db.schema.alterTable('token_families').addColumn('refresh_issued_at', 'bigint').execute();
  await db.schema.alterTable('token_families').addColumn('refresh_expires_at', 'bigint').execute();
  // Unique: two families can never share a chain. NULLs (families without a refresh token) are distinct.
  await db.schema.createIndex('token_families_refresh_chain').on('token_families').column('refresh_chain').unique().execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('token_families_refresh_chain').execute();
  for (const column of ['refresh_expires_at', 'refresh_issued_at', 'refresh_hash', 'refresh_generation', 'refresh_chain']) {
    await db.schema.alterTable('token_families').dropColumn(column).execute();
  }
}
