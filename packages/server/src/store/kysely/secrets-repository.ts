import type { Kysely } from 'kysely';
import type { SecretRepository } from '../repositories.js';
import type { Database } from './schema.js';

export class KyselySecretRepository implements SecretRepository {
  readonly #db: Kysely<Database>;

  constructor(db: Kysely<Database>) {
    this.#db = db;
  }

  /**
   * Insert-if-absent, then read: when several processes start at once, each may create a
   * candidate, but only the first insert lands and every process reads that one back.
   */
  async getOrCreate(name: string, create: () => string): Promise<string> {
    const existing = await this.#read(name);
    if (existing !== undefined) return existing;
    await this.#db
      .insertInto('server_secrets')
      .values({ name, value: create() })
      .onConflict((conflict) => conflict.column('name').doNothing())
      .execute();
    const stored = await this.#read(name);
    if (stored === undefined) throw new Error(`server secret ${name} vanished right after it was stored`);
    return stored;
  }

  async #read(name: string): Promise<string | undefined> {
    const row = await this.#db.selectFrom('server_secrets').select('value').where('name', '=', name).executeTakeFirst();
    return row?.value;
  }
}
