// The access-token revocation list (RFC 7009 §2; RFC 7662 §2.2: a revoked token is inactive).
import type { Kysely } from 'kysely';
import type { RevocationRepository } from '../repositories.js';
import type { Database } from './schema.js';

export class KyselyRevocationRepository implements RevocationRepository {
  readonly #db: Kysely<Database>;

  constructor(db: Kysely<Database>) {
    this.#db = db;
  }

  async revokeAccessToken(jti: string, expiresAt: number): Promise<void> {
    await this.#db
      .insertInto('access_token_revocations')
      .values({ jti, expires_at: expiresAt })
      .onConflict((conflict) => conflict.column('jti').doNothing())
      .execute();
  }

  async isAccessTokenRevoked(jti: string, now: number): Promise<boolean> {
    const row = await this.#db
      .selectFrom('access_token_revocations')
      .select('jti')
      .where('jti', '=', jti)
      .where('expires_at', '>', now)
      .executeTakeFirst();
    return row !== undefined;
  }
}
