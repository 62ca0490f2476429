// SEC-06 (g): finding a client's earlier codes by their PKCE challenge, to flag a constant one.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.createIndex('authorization_codes_client_challenge').on('authorization_codes').columns(['client_id', 'code_challenge']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('authorization_codes_client_challenge').execute();
}
