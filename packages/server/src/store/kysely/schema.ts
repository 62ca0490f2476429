// The tables as Kysely sees them: one row type per table, snake_case columns as stored. Times
// are Unix seconds; booleans are 0/1 integers and lists are text, so the same schema runs on
// SQLite and PostgreSQL. Rows become domain types (repositories.ts) only in the *-repository.ts
// files; nothing outside this folder sees a row.

/** 0 or 1: portable where SQLite has no boolean type. */
export type Flag = 0 | 1;

export interface UsersTable {
  id: string;
  username: string;
  username_key: string;
  name: string | null;
  email: string | null;
  password_hash: string;
  created_at: number;
}

export interface ClientsTable {
  id: string;
  name: string;
  secret_hash: string | null;
  /** JSON array of strings. */
  redirect_uris: string;
  /** Space-separated, as on the wire (RFC 6749 §3.3). */
  scopes: string;
  /** JSON array of strings. */
  grant_types: string;
  token_endpoint_auth_method: string;
  pkce_required: Flag;
  owner_user_id: string | null;
  /** JSON array of strings. */
  post_logout_redirect_uris: string;
  id_token_signed_response_alg: string;
  created_at: number;
}

export interface ScopesTable {
  name: string;
  description: string;
  resource: string | null;
}

export interface GrantsTable {
  user_id: string;
  client_id: string;
  scopes: string;
  created_at: number;
  updated_at: number;
}

export interface SessionsTable {
  id_hash: string;
  user_id: string | null;
  csrf_token: string;
  auth_time: number | null;
  created_at: number;
  expires_at: number;
}

export interface InteractionsTable {
  id_hash: string;
  session_id_hash: string;
  /** The PendingAuthorization as JSON. */
  request: string;
  created_at: number;
  expires_at: number;
  completed_at: number | null;
}

export interface AuthorizationCodesTable {
  code_hash: string;
  client_id: string;
  user_id: string;
  redirect_uri: string;
  redirect_uri_sent: Flag;
  scopes: string;
  code_challenge: string | null;
  code_challenge_method: string | null;
  nonce: string | null;
  auth_time: number | null;
  created_at: number;
  expires_at: number;
  consumed_at: number | null;
  /** Set when someone presents the code again, so a redemption still in flight revokes its grant. */
  reused_at: number | null;
}

export interface TokenFamiliesTable {
  id: string;
  client_id: string;
  user_id: string;
  scopes: string;
  code_hash: string | null;
  created_at: number;
  revoked_at: number | null;
  /** The current refresh token (migration 003): its chain, generation, hash and times; all null when the family has none on a chain. */
  refresh_chain: string | null;
  refresh_generation: number | null;
  refresh_hash: string | null;
  refresh_issued_at: number | null;
  refresh_expires_at: number | null;
}

export interface RefreshTokensTable {
  token_hash: string;
  family_id: string;
  client_id: string;
  user_id: string;
  scopes: string;
  issued_at: number;
  expires_at: number;
  rotated_at: number | null;
}

/**
 * Every column of a table, for statements that read whole rows. The hot-path templates name their
 * columns instead of `*`: PostgreSQL refuses to run a prepared statement whose result columns
 * changed, as `*` would after a later migration adds a column under running servers.
 */
type AllColumns<T> = readonly (keyof T & string)[];
/** Compiles only when `Listed` names every key of T. */
type Complete<T, Listed extends AllColumns<T>> = Exclude<keyof T, Listed[number]> extends never ? Listed : never;

const tokenFamilyColumns = ['id', 'client_id', 'user_id', 'scopes', 'code_hash', 'created_at', 'revoked_at', 'refresh_chain', 'refresh_generation', 'refresh_hash', 'refresh_issued_at', 'refresh_expires_at'] as const;
export const TOKEN_FAMILY_COLUMNS: Complete<TokenFamiliesTable, typeof tokenFamilyColumns> = tokenFamilyColumns;

const refreshTokenColumns = ['token_hash', 'family_id', 'client_id', 'user_id', 'scopes', 'issued_at', 'expires_at', 'rotated_at'] as const;
export const REFRESH_TOKEN_COLUMNS: Complete<RefreshTokensTable, typeof refreshTokenColumns> = refreshTokenColumns;

export interface SigningKeysTable {
  kid: string;
  alg: string;
  private_jwk: string;
  public_jwk: string;
  created_at: number;
  retired_at: number | null;
}

export interface ThrottleTable {
  key: string;
  failures: number;
  blocked_until: number | null;
  last_attempt_at: number;
}

export interface AccessTokenRevocationsTable {
  jti: string;
  expires_at: number;
}

export interface ServerSecretsTable {
  name: string;
  value: string;
}

export interface AuthorizationFailuresTable {
  /** Random; sorts nothing (created_at and insertion order do). */
  id: string;
  client_id: string;
  reason: string;
  created_at: number;
}

export interface Database {
  users: UsersTable;
  clients: ClientsTable;
  scopes: ScopesTable;
  grants: GrantsTable;
  sessions: SessionsTable;
  interactions: InteractionsTable;
  authorization_codes: AuthorizationCodesTable;
  token_families: TokenFamiliesTable;
  refresh_tokens: RefreshTokensTable;
  signing_keys: SigningKeysTable;
  throttle: ThrottleTable;
  server_secrets: ServerSecretsTable;
  access_token_revocations: AccessTokenRevocationsTable;
  authorization_failures: AuthorizationFailuresTable;
}
