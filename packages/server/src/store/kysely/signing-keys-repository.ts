import type { Kysely } from 'kysely';
import type { SigningKey, SigningKeyRepository } from '../repositories.js';
import type { Database, SigningKeysTable } from './schema.js';

export class KyselySigningKeyRepository implements SigningKeyRepository {
  readonly #db: Kysely<Database>;

  constructor(db: Kysely<Database>) {
    this.#db = db;
  }

  /** Ordered by creation, then kid, so every process sees the same key ring in the same order. */
  async listActive(): Promise<SigningKey[]> {
    const rows = await this.#db
      .selectFrom('signing_keys')
      .selectAll()
      .where('retired_at', 'is', null)
      .orderBy('created_at')
      .orderBy('kid')
      .execute();
    return rows.map(toKey);
  }

  async insert(key: SigningKey): Promise<void> {
    await this.#db.insertInto('signing_keys').values(toRow(key)).execute();
  }

  async retire(kids: readonly string[], now: number): Promise<void> {
    if (kids.length === 0) return;
    await this.#db.updateTable('signing_keys').set({ retired_at: now }).where('kid', 'in', kids).where('retired_at', 'is', null).execute();
  }
}

function toRow(key: SigningKey): SigningKeysTable {
  return {
    kid: key.kid,
    alg: key.alg,
    private_jwk: key.privateJwk,
    public_jwk: key.publicJwk,
    created_at: key.createdAt,
    retired_at: key.retiredAt,
  };
}

function toKey(row: SigningKeysTable): SigningKey {
  return {
    kid: row.kid,
    // Written only by toRow, from the typed union.
    alg: row.alg as SigningKey['alg'],
    privateJwk: row.private_jwk,
    publicJwk: row.public_jwk,
    createdAt: row.created_at,
    retiredAt: row.retired_at,
  };
}
