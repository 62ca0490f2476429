// Registering clients (CLI `latchkey client add`, later the developer console). Random client
// ids; confidential clients get a 256-bit secret, shown once and stored as its SHA-256 hash.
import type { Client, GrantType, Store } from '../store/repositories.js';
import { hashSecret, randomToken } from '../tokens/secrets.js';
import { AdminInputError } from './errors.js';
import { validateRedirectUri } from './redirect-uris.js';

export const GRANT_TYPES: readonly GrantType[] = ['authorization_code', 'refresh_token', 'client_credentials'];
export const DEFAULT_GRANT_TYPES: readonly GrantType[] = ['authorization_code', 'refresh_token'];
export const DEFAULT_SCOPES: readonly string[] = ['openid', 'profile', 'email', 'offline_access'];
const MAX_REDIRECT_URIS = 20;

export interface NewClient {
  name: string;
  redirectUris: string[];
  /** Scopes the client may request; the built-in OpenID scopes when empty. */
  scopes: string[];
  grantTypes: GrantType[];
  public: boolean;
  /** A confidential client's explicit opt-out of PKCE (SECURITY-CATALOG D-1). */
  pkceOptional: boolean;
  ownerUserId?: string | null;
  /** Where RP-initiated logout may send the user back (OpenID RP-Initiated Logout 1.0 §3). */
  postLogoutRedirectUris?: string[];
  /** RS256 (OIDC's default and mandatory algorithm) unless the client asks for ES256. */
  idTokenSignedResponseAlg?: 'RS256' | 'ES256';
}

export function isGrantType(value: string): value is GrantType {
  return (GRANT_TYPES as readonly string[]).includes(value);
}

/** Checks everything that can be checked without the database, so bad input writes nothing. */
export function validateNewClient(input: NewClient): void {
  const name = input.name.trim();
  if (name.length === 0 || name.length > 100) throw new AdminInputError('the client name must be 1 to 100 characters');
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  if (/[\x00-\x1f\x7f]/.test(name)) throw new AdminInputError('the client name must not contain control characters');
  const grants = input.grantTypes.length === 0 ? DEFAULT_GRANT_TYPES : input.grantTypes;
  for (const grant of grants) {
    if (!isGrantType(grant)) throw new AdminInputError(`grant type ${JSON.stringify(grant)} is not supported; use ${GRANT_TYPES.join(', ')}`);
  }
  if (grants.includes('refresh_token') && !grants.includes('authorization_code')) {
    throw new AdminInputError('the refresh_token grant needs the authorization_code grant');
  }
  if (input.public && grants.includes('client_credentials')) throw new AdminInputError('a public client cannot use client_credentials: it has no secret');
  // D-1: only a confidential client may opt out of PKCE.
  if (input.public && input.pkceOptional) throw new AdminInputError('a public client cannot opt out of PKCE');
  if (grants.includes('authorization_code') && input.redirectUris.length === 0) {
    throw new AdminInputError('at least one --redirect-uri is needed for the authorization_code grant');
  }
  if (input.redirectUris.length > MAX_REDIRECT_URIS) throw new AdminInputError(`at most ${MAX_REDIRECT_URIS} redirect URIs`);
  for (const uri of input.redirectUris) {
    const reason = validateRedirectUri(uri);
    if (reason !== null) throw new AdminInputError(`redirect URI ${JSON.stringify(uri.slice(0, 200))} ${reason}`);
  }
  const logoutUris = input.postLogoutRedirectUris ?? [];
  if (logoutUris.length > MAX_REDIRECT_URIS) throw new AdminInputError(`at most ${MAX_REDIRECT_URIS} post-logout redirect URIs`);
  for (const uri of logoutUris) {
    const reason = validateRedirectUri(uri);
    if (reason !== null) throw new AdminInputError(`post-logout redirect URI ${JSON.stringify(uri.slice(0, 200))} ${reason}`);
  }
}

export async function registerClient(
  store: Pick<Store, 'clients' | 'scopes'>,
  input: NewClient,
  now: number,
): Promise<{ client: Client; clientSecret: string | null }> {
  validateNewClient(input);
  const scopes = [...new Set(input.scopes.length === 0 ? DEFAULT_SCOPES : input.scopes)];
  const found = new Set((await store.scopes.findMany(scopes)).map((s) => s.name));
  const unknown = scopes.filter((s) => !found.has(s));
  if (unknown.length > 0) throw new AdminInputError(`unknown scope: ${unknown.join(' ')} (define it first with latchkey scope add)`);

  const clientSecret = input.public ? null : randomToken(32);
  const client: Client = {
    id: randomToken(16),
    name: input.name.trim(),
    secretHash: clientSecret === null ? null : hashSecret(clientSecret),
    redirectUris: [...new Set(input.redirectUris)],
    postLogoutRedirectUris: [...new Set(input.postLogoutRedirectUris ?? [])],
    idTokenSignedResponseAlg: input.idTokenSignedResponseAlg ?? 'RS256',
    scopes,
    grantTypes: [...new Set(input.grantTypes.length === 0 ? DEFAULT_GRANT_TYPES : input.grantTypes)],
    tokenEndpointAuthMethod: input.public ? 'none' : 'client_secret_basic',
    pkceRequired: !input.pkceOptional,
    ownerUserId: input.ownerUserId ?? null,
    createdAt: now,
  };
  await store.clients.create(client);
  return { client, clientSecret };
}
