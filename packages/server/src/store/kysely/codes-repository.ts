import type { Kysely } from 'kysely';
import type { AuthorizationCode, CodeRepository, ConsumeCodeResult } from '../repositories.js';
import { fromFlag, joinScopes, splitScopes, toFlag } from './columns.js';
import type { AuthorizationCodesTable, Database } from './schema.js';

export class KyselyCodeRepository implements CodeRepository {
  readonly #db: Kysely<Database>;

  constructor(db: Kysely<Database>) {
    this.#db = db;
  }

  async create(code: AuthorizationCode): Promise<void> {
    await this.#db.insertInto('authorization_codes').values(toRow(code)).execute();
  }

  /**
   * RFC 6749 §4.1.2: a code MUST NOT be used more than once. One conditional UPDATE marks it,
   * so of any number of concurrent callers, in any number of processes, exactly one sees a row.
   */
  async consume(codeHash: string, now: number): Promise<ConsumeCodeResult> {
    const consumed = await this.#db
      .updateTable('authorization_codes')
      .set({ consumed_at: now })
      .where('code_hash', '=', codeHash)
      .where('consumed_at', 'is', null)
      .returningAll()
      .executeTakeFirst();
    if (consumed !== undefined) return { outcome: 'consumed', code: toCode(consumed) };
    // Flag the replay: a winner still storing its grant sees it there (createFamily) and revokes.
    await this.#db.updateTable('authorization_codes').set({ reused_at: now }).where('code_hash', '=', codeHash).execute();
    const existing = await this.#db
      .selectFrom('authorization_codes')
      .selectAll()
      .where('code_hash', '=', codeHash)
      .executeTakeFirst();
    return existing === undefined ? { outcome: 'unknown' } : { outcome: 'reused', code: toCode(existing) };
  }

  async challengeUsed(clientId: string, codeChallenge: string): Promise<boolean> {
    const row = await this.#db
      .selectFrom('authorization_codes')
      .select('code_hash')
      .where('client_id', '=', clientId)
      .where('code_challenge', '=', codeChallenge)
      .limit(1)
      .executeTakeFirst();
    return row !== undefined;
  }
}

function toRow(code: AuthorizationCode): AuthorizationCodesTable {
  return {
    code_hash: code.codeHash,
    client_id: code.clientId,
    user_id: code.userId,
    redirect_uri: code.redirectUri,
    redirect_uri_sent: toFlag(code.redirectUriSent),
    scopes: joinScopes(code.scopes),
    code_challenge: code.codeChallenge,
    code_challenge_method: code.codeChallengeMethod,
    nonce: code.nonce,
    auth_time: code.authTime,
    created_at: code.createdAt,
    expires_at: code.expiresAt,
    consumed_at: code.consumedAt,
    reused_at: null,
  };
}

function toCode(row: AuthorizationCodesTable): AuthorizationCode {
  return {
    codeHash: row.code_hash,
    clientId: row.client_id,
    userId: row.user_id,
    redirectUri: row.redirect_uri,
    redirectUriSent: fromFlag(row.redirect_uri_sent),
    scopes: splitScopes(row.scopes),
    codeChallenge: row.code_challenge,
    // Written only by toRow, from the typed union.
    codeChallengeMethod: row.code_challenge_method as AuthorizationCode['codeChallengeMethod'],
    nonce: row.nonce,
    authTime: row.auth_time,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    consumedAt: row.consumed_at,
  };
}
