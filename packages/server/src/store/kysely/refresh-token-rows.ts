// Row <-> domain mapping for token_families and refresh_tokens, shared by the repository's
// plain reads and its rotation transaction. A family's current refresh token lives in the
// family's row (its refresh_* columns, migration 003); refresh_tokens holds tokens from before.
import type { Kysely } from 'kysely';
import type { FirstRefreshToken, RefreshToken, TokenFamily } from '../repositories.js';
import { joinScopes, splitScopes } from './columns.js';
import { queryTemplate } from './query-template.js';
import { REFRESH_TOKEN_COLUMNS, TOKEN_FAMILY_COLUMNS, type Database, type RefreshTokensTable, type TokenFamiliesTable } from './schema.js';

export async function selectToken(db: Kysely<Database>, tokenHash: string): Promise<RefreshToken | undefined> {
  const row = await db.selectFrom('refresh_tokens').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst();
  return row && toToken(row);
}

// A family by its id: no request reads it any more (introspection reads a refresh token with its
// family in one query, findWithFamily), so it is a plain query, not a hot-path template.
export async function selectFamily(db: Kysely<Database>, familyId: string): Promise<TokenFamily | undefined> {
  const row = await db.selectFrom('token_families').selectAll().where('id', '=', familyId).executeTakeFirst();
  return row && toFamily(row);
}

/** The token and its family in one read: the rotation's first step on the token endpoint's hot path. */
const tokenAndFamily = queryTemplate((db, param: (name: 'tokenHash') => never) =>
  db
    .selectFrom('refresh_tokens as t')
    .innerJoin('token_families as f', 'f.id', 't.family_id')
    .select(REFRESH_TOKEN_COLUMNS.map((column) => `t.${column}` as const))
    .select([
      'f.client_id as f_client_id',
      'f.user_id as f_user_id',
      'f.scopes as f_scopes',
      'f.code_hash as f_code_hash',
      'f.created_at as f_created_at',
      'f.revoked_at as f_revoked_at',
    ])
    .where('t.token_hash', '=', param('tokenHash')),
);

/** A token from before chains (refresh_tokens) and its family. */
export async function selectTokenAndFamily(db: Kysely<Database>, tokenHash: string): Promise<{ token: RefreshToken; family: TokenFamily } | undefined> {
  const [row] = (await tokenAndFamily.execute(db, { tokenHash })).rows;
  if (row === undefined) return undefined;
  const family = toFamily({
    id: row.family_id,
    client_id: row.f_client_id,
    user_id: row.f_user_id,
    scopes: row.f_scopes,
    code_hash: row.f_code_hash,
    created_at: row.f_created_at,
    revoked_at: row.f_revoked_at,
  });
  return { token: toToken(row), family };
}

const familyByChain = queryTemplate((db, param: (name: 'chain') => never) => db.selectFrom('token_families').select(TOKEN_FAMILY_COLUMNS).where('refresh_chain', '=', param('chain')));

/** The family a chain belongs to, with its row (the current token's columns). */
export async function selectChain(db: Kysely<Database>, chain: string): Promise<TokenFamiliesTable | undefined> {
  const [row] = (await familyByChain.execute(db, { chain })).rows;
  return row;
}

/** The current token of a family on a chain, as a RefreshToken. */
export function currentToken(row: TokenFamiliesTable): RefreshToken | undefined {
  if (row.refresh_hash === null || row.refresh_issued_at === null || row.refresh_expires_at === null) return undefined;
  return {
    tokenHash: row.refresh_hash,
    familyId: row.id,
    clientId: row.client_id,
    userId: row.user_id,
    scopes: splitScopes(row.scopes),
    issuedAt: row.refresh_issued_at,
    expiresAt: row.refresh_expires_at,
    rotatedAt: null,
  };
}

export function tokenRow(token: RefreshToken): RefreshTokensTable {
  return {
    token_hash: token.tokenHash,
    family_id: token.familyId,
    client_id: token.clientId,
    user_id: token.userId,
    scopes: joinScopes(token.scopes),
    issued_at: token.issuedAt,
    expires_at: token.expiresAt,
    rotated_at: token.rotatedAt,
  };
}

/** The family's row; with `first`, that token as the current one of its chain (generation 0). */
export function familyRow(family: TokenFamily, first: FirstRefreshToken | null = null): TokenFamiliesTable {
  return {
    id: family.id,
    client_id: family.clientId,
    user_id: family.userId,
    scopes: joinScopes(family.scopes),
    code_hash: family.codeHash,
    created_at: family.createdAt,
    revoked_at: family.revokedAt,
    refresh_chain: first?.chain ?? null,
    refresh_generation: first === null ? null : 0,
    refresh_hash: first?.tokenHash ?? null,
    refresh_issued_at: first?.issuedAt ?? null,
    refresh_expires_at: first?.expiresAt ?? null,
  };
}

function toToken(row: RefreshTokensTable): RefreshToken {
  return {
    tokenHash: row.token_hash,
    familyId: row.family_id,
    clientId: row.client_id,
    userId: row.user_id,
    scopes: splitScopes(row.scopes),
    issuedAt: row.issued_at,
    expiresAt: row.expires_at,
    rotatedAt: row.rotated_at,
  };
}

/** The family from its own columns (a family's current token, if any, is `currentToken`'s). */
export function toFamily(row: Pick<TokenFamiliesTable, 'id' | 'client_id' | 'user_id' | 'scopes' | 'code_hash' | 'created_at' | 'revoked_at'>): TokenFamily {
  return {
    id: row.id,
    clientId: row.client_id,
    userId: row.user_id,
    scopes: splitScopes(row.scopes),
    codeHash: row.code_hash,
    createdAt: row.created_at,
    revokedAt: row.revoked_at,
  };
}
