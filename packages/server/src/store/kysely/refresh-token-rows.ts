// Row <-> domain mapping for token_families and refresh_tokens, shared by the repository's
// plain reads and its rotation transaction.
import type { Kysely } from 'kysely';
import type { RefreshToken, TokenFamily } from '../repositories.js';
import { joinScopes, splitScopes } from './columns.js';
import { queryTemplate } from './query-template.js';
import type { Database, RefreshTokensTable, TokenFamiliesTable } from './schema.js';

export async function selectToken(db: Kysely<Database>, tokenHash: string): Promise<RefreshToken | undefined> {
  const row = await db.selectFrom('refresh_tokens').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst();
  return row && toToken(row);
}

// Read on every introspection of a user's access token (is its grant still alive?).
const familyById = queryTemplate((db, param: (name: 'familyId') => never) => db.selectFrom('token_families').selectAll().where('id', '=', param('familyId')));

export async function selectFamily(db: Kysely<Database>, familyId: string): Promise<TokenFamily | undefined> {
  const [row] = (await familyById.execute(db, { familyId })).rows;
  return row && toFamily(row);
}

/** The token and its family in one read: the rotation's first step on the token endpoint's hot path. */
const tokenAndFamily = queryTemplate((db, param: (name: 'tokenHash') => never) =>
  db
    .selectFrom('refresh_tokens as t')
    .innerJoin('token_families as f', 'f.id', 't.family_id')
    .selectAll('t')
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

/** Inserts a refresh token row (tokenRow's columns). */
export const insertToken = queryTemplate((db, param: (name: keyof RefreshTokensTable) => never) =>
  db.insertInto('refresh_tokens').values({
    token_hash: param('token_hash'),
    family_id: param('family_id'),
    client_id: param('client_id'),
    user_id: param('user_id'),
    scopes: param('scopes'),
    issued_at: param('issued_at'),
    expires_at: param('expires_at'),
    rotated_at: param('rotated_at'),
  }),
);

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

export function familyRow(family: TokenFamily): TokenFamiliesTable {
  return {
    id: family.id,
    client_id: family.clientId,
    user_id: family.userId,
    scopes: joinScopes(family.scopes),
    code_hash: family.codeHash,
    created_at: family.createdAt,
    revoked_at: family.revokedAt,
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

function toFamily(row: TokenFamiliesTable): TokenFamily {
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
