// The developer console's writes to registered clients (repositories.ts ClientAdminRepository).
import type { Kysely } from 'kysely';
import type { Client, ClientAdminRepository } from '../repositories.js';
import { toClient } from './clients-repository.js';
import { toJsonList } from './columns.js';
import type { Database } from './schema.js';

export class KyselyClientAdminRepository implements ClientAdminRepository {
  readonly #db: Kysely<Database>;

  constructor(db: Kysely<Database>) {
    this.#db = db;
  }

  async listByOwner(ownerUserId: string): Promise<Client[]> {
    const rows = await this.#db.selectFrom('clients').selectAll().where('owner_user_id', '=', ownerUserId).orderBy('created_at').orderBy('id').execute();
    return rows.map(toClient);
  }

  async setRedirectUris(clientId: string, redirectUris: readonly string[]): Promise<boolean> {
    const result = await this.#db.updateTable('clients').set({ redirect_uris: toJsonList(redirectUris) }).where('id', '=', clientId).executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  async setSecretHash(clientId: string, secretHash: string): Promise<boolean> {
    const result = await this.#db.updateTable('clients').set({ secret_hash: secretHash }).where('id', '=', clientId).executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  /** The foreign keys cascade (migrations/001-initial.ts): grants, codes, families, refresh tokens, failures. */
  async delete(clientId: string): Promise<boolean> {
    const result = await this.#db.deleteFrom('clients').where('id', '=', clientId).executeTakeFirst();
    return result.numDeletedRows > 0n;
  }
}
