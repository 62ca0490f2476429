// Refresh token rotation with reuse detection (RFC 9700 §4.14.2; RFC 6749 §6, §10.4).
import { type Kysely, PostgresAdapter } from 'kysely';
import type { RefreshToken, RefreshTokenRepository, RotateResult, TokenFamily } from '../repositories.js';
import { queryTemplate } from './query-template.js';
import { familyRow, insertToken, selectFamily, selectToken, selectTokenAndFamily, tokenRow } from './refresh-token-rows.js';
import type { Database, RefreshTokensTable } from './schema.js';

type RotateInput = Parameters<RefreshTokenRepository['rotate']>[0];

export class KyselyRefreshTokenRepository implements RefreshTokenRepository {
  readonly #db: Kysely<Database>;
  readonly #postgres: boolean;

  constructor(db: Kysely<Database>) {
    this.#db = db;
    this.#postgres = db.getExecutor().adapter instanceof PostgresAdapter;
  }

  async createFamily(family: TokenFamily, token: RefreshToken | null): Promise<void> {
    await this.#db.transaction().execute(async (trx) => {
      await trx.insertInto('token_families').values(familyRow(family)).execute();
      if (token !== null) await trx.insertInto('refresh_tokens').values(tokenRow(token)).execute();
      // RFC 6749 §4.1.2: a replay of the code that raced this redemption revokes what it issued.
      // Read with a no-op UPDATE, not a SELECT: it locks the code's row until this commits, so a
      // replay marking it meanwhile waits and then finds this family to revoke (revokeByCode);
      // a plain read at READ COMMITTED (PostgreSQL) would let both miss each other.
      if (family.codeHash !== null) {
        const code = await trx
          .updateTable('authorization_codes')
          .set((eb) => ({ reused_at: eb.ref('reused_at') }))
          .where('code_hash', '=', family.codeHash)
          .returning('reused_at')
          .executeTakeFirst();
        if (code?.reused_at !== null && code?.reused_at !== undefined) {
          await trx.updateTable('token_families').set({ revoked_at: code.reused_at }).where('id', '=', family.id).execute();
        }
      }
    });
  }

  rotate(input: RotateInput): Promise<RotateResult> {
    if (this.#postgres) return this.#rotateWithoutTransaction(input);
    return this.#db.transaction().execute((trx) => rotateIn(trx, input));
  }

  /**
   * PostgreSQL: the usual rotation in two round trips instead of five (BEGIN, read, mark, insert,
   * COMMIT), each one a trip to another process (issue 9). The read needs no transaction: the
   * checks it feeds are the same ones a transaction at READ COMMITTED makes on a snapshot just as
   * old. Marking the old token and inserting its successor stay atomic, in one statement whose
   * mark only the first of concurrent callers wins. A caller that loses (the token was already
   * rotated) takes the transactional path, which decides between the grace window and reuse.
   */
  async #rotateWithoutTransaction(input: RotateInput): Promise<RotateResult> {
    const found = await selectTokenAndFamily(this.#db, input.tokenHash);
    if (found === undefined) return UNKNOWN;
    const refused = refusal(found, input);
    if (refused !== undefined) return refused;
    const next = nextToken(found, input);
    const { rows } = await markAndInsert.execute(this.#db, { ...tokenRow(next), previous: input.tokenHash });
    if (rows.length === 1) return { outcome: 'rotated', token: next, family: found.family };
    return this.#db.transaction().execute((trx) => rotateIn(trx, input));
  }

  find(tokenHash: string): Promise<RefreshToken | undefined> {
    return selectToken(this.#db, tokenHash);
  }

  findFamily(familyId: string): Promise<TokenFamily | undefined> {
    return selectFamily(this.#db, familyId);
  }

  async revokeFamily(familyId: string, now: number): Promise<void> {
    await revokeFamilyIn(this.#db, familyId, now);
  }

  /** RFC 6749 §4.1.2: tokens issued from a code that is used twice SHOULD be revoked. */
  async revokeByCode(codeHash: string, now: number): Promise<void> {
    await this.#db
      .updateTable('token_families')
      .set({ revoked_at: now })
      .where('code_hash', '=', codeHash)
      .where('revoked_at', 'is', null)
      .execute();
  }
}

/** Only the first of concurrent rotations finds rotated_at empty. */
const markRotated = queryTemplate((db, param: (name: 'now' | 'tokenHash') => never) =>
  db.updateTable('refresh_tokens').set({ rotated_at: param('now') }).where('token_hash', '=', param('tokenHash')).where('rotated_at', 'is', null),
);

/**
 * PostgreSQL only (SQLite has no UPDATE in a WITH clause): marks `previous` rotated if no one has,
 * and only then inserts its successor, in one statement. Returns the successor's row when it won.
 */
const markAndInsert = queryTemplate((db, param: (name: keyof RefreshTokensTable | 'previous') => never) =>
  db
    .with('marked', (qb) =>
      qb.updateTable('refresh_tokens').set({ rotated_at: param('issued_at') }).where('token_hash', '=', param('previous')).where('rotated_at', 'is', null).returning('token_hash'),
    )
    .insertInto('refresh_tokens')
    .columns(['token_hash', 'family_id', 'client_id', 'user_id', 'scopes', 'issued_at', 'expires_at', 'rotated_at'])
    // INSERT ... SELECT: PostgreSQL types each parameter from its target column.
    .expression((eb) =>
      eb
        .selectFrom('marked')
        .select([
          eb.val(param('token_hash')).as('token_hash'),
          eb.val(param('family_id')).as('family_id'),
          eb.val(param('client_id')).as('client_id'),
          eb.val(param('user_id')).as('user_id'),
          eb.val(param('scopes')).as('scopes'),
          eb.val(param('issued_at')).as('issued_at'),
          eb.val(param('expires_at')).as('expires_at'),
          eb.val(param('rotated_at')).as('rotated_at'),
        ]),
    )
    .returning('token_hash'),
);

const UNKNOWN: RotateResult = Object.freeze({ outcome: 'invalid', reason: 'unknown' });

/** Why the rotation of a known token is refused before anything is written, or undefined when it may go ahead. */
function refusal({ token, family }: { token: RefreshToken; family: TokenFamily }, input: RotateInput): RotateResult | undefined {
  if (family.revokedAt !== null) return { outcome: 'invalid', reason: 'revoked' };
  // RFC 6749 §6: the token is bound to the client it was issued to. Another client's attempt
  // proves nothing about reuse, so it neither rotates nor revokes.
  if (token.clientId !== input.clientId) return { outcome: 'invalid', reason: 'wrong_client' };
  if (token.expiresAt <= input.now) return { outcome: 'invalid', reason: 'expired' };
  // RFC 6749 §6: the scope may narrow, never widen. A refused request rotates nothing.
  const { scopes } = input;
  const widened = scopes === undefined || scopes === null ? [] : scopes.filter((s) => !token.scopes.includes(s));
  if (widened.length > 0) return { outcome: 'widened', scopes: widened };
  return undefined;
}

/** The token that replaces `found.token`: same family, client, user and scopes. */
function nextToken({ token, family }: { token: RefreshToken; family: TokenFamily }, input: RotateInput): RefreshToken {
  const { now, successor, familyLifetime } = input;
  return {
    ...token,
    tokenHash: successor.tokenHash,
    issuedAt: now,
    // D-7: an idle limit per token, within the family's absolute limit.
    expiresAt: familyLifetime === undefined ? successor.expiresAt : Math.min(successor.expiresAt, family.createdAt + familyLifetime),
    rotatedAt: null,
  };
}

/** The checks, in order, then one conditional UPDATE that lets exactly one caller rotate. */
async function rotateIn(trx: Kysely<Database>, input: RotateInput): Promise<RotateResult> {
  const { tokenHash, now, graceSeconds, successor } = input;
  const found = await selectTokenAndFamily(trx, tokenHash);
  if (found === undefined) return UNKNOWN;
  const refused = refusal(found, input);
  if (refused !== undefined) return refused;
  const { family } = found;

  const marked = await markRotated.execute(trx, { now, tokenHash });
  if (marked.numAffectedRows === 1n) {
    const next = nextToken(found, input);
    await insertToken.execute(trx, tokenRow(next));
    return { outcome: 'rotated', token: next, family };
  }

  // Already rotated. Read rotated_at again: under READ COMMITTED (PostgreSQL) the row read above
  // may predate the rotation that made the UPDATE miss.
  const rotatedAt = (await selectToken(trx, tokenHash))?.rotatedAt ?? now;
  // A window of 0 turns the grace off; times are whole seconds, so 2 means 2 to 3 s. A negative
  // age (the clock stepped back since, REL-07) is outside the window: it fails closed, as reuse.
  const age = now - rotatedAt;
  if (graceSeconds > 0 && age >= 0 && age <= graceSeconds) {
    // A retry racing the first answer (lost response, double submit): same successor again.
    const current = await selectToken(trx, successor.tokenHash);
    if (current !== undefined && current.familyId === family.id) return { outcome: 'grace', token: current, family };
  }
  // RFC 9700 §4.14.2: an old token presented again means it leaked; end the whole family.
  await revokeFamilyIn(trx, family.id, now);
  return { outcome: 'reused', familyId: family.id };
}

async function revokeFamilyIn(db: Kysely<Database>, familyId: string, now: number): Promise<void> {
  await db
    .updateTable('token_families')
    .set({ revoked_at: now })
    .where('id', '=', familyId)
    .where('revoked_at', 'is', null)
    .execute();
}
