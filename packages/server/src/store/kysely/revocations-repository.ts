// The access-token revocation list (RFC 7009 §2; RFC 7662 §2.2: a revoked token is inactive).
import type { Kysely } from 'kysely';
import type { RevocationRepository } from '../repositories.js';
import { queryTemplate } from './query-template.js';
import type { Database } from './schema.js';

const revokedJti = queryTemplate((db, param: (name: 'jti' | 'now') => never) =>
  db.selectFrom('access_token_revocations').select('jti').where('jti', '=', param('jti')).where('expires_at', '>', param('now')),
);

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

  // Asked on every introspection of an access token (issue 9: hot path, built once).
  async isAccessTokenRevoked(jti: string, now: number): Promise<boolean> {
    const { rows } = await revokedJti.execute(this.#db, { jti, now });
    return rows.length > 0;
  }
}
