// The access-token revocation list (RFC 7009 §2; RFC 7662 §2.2: a revoked token is inactive).
import type { Kysely } from 'kysely';
import type { RevocationRepository } from '../repositories.js';
import { queryTemplate } from './query-template.js';
import type { Database } from './schema.js';

const revokedJti = queryTemplate((db, param: (name: 'jti' | 'now') => never) =>
  db.selectFrom('access_token_revocations').select('jti').where('jti', '=', param('jti')).where('expires_at', '>', param('now')),
);

/** Both checks of a user's access token in one statement: listed, and whether its grant is still live. */
const listedOrGrantGone = queryTemplate((db, param: (name: 'jti' | 'now' | 'grantId') => never) =>
  db.selectNoFrom((eb) => [
    eb.exists(eb.selectFrom('access_token_revocations').select('jti').where('jti', '=', param('jti')).where('expires_at', '>', param('now'))).as('listed'),
    eb.exists(eb.selectFrom('token_families').select('id').where('id', '=', param('grantId')).where('revoked_at', 'is', null)).as('grant_live'),
  ]),
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

  // Asked on every introspection and userinfo call with a user's access token (issue 9).
  async isAccessTokenOrGrantRevoked(jti: string, grantId: string, now: number): Promise<boolean> {
    const { rows } = await listedOrGrantGone.execute(this.#db, { jti, now, grantId });
    const [row] = rows;
    // SQLite answers 0 or 1, PostgreSQL false or true.
    return row === undefined || Boolean(row.listed) || !row.grant_live;
  }
}
