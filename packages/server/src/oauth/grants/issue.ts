// Issuing the tokens shared by the grants: a JWT access token (RFC 9068), an opaque refresh
// token when the client may use the refresh_token grant, and an ID token when `openid` was
// granted (OpenID Connect Core §3.1.3.3).
import type { ServerContext } from '../../context.js';
import type { Client } from '../../store/repositories.js';
import { issueAccessToken } from '../../tokens/access-token.js';
import { issueIdToken } from '../../tokens/id-token.js';
import { audienceOf } from '../scope.js';
import type { TokenResponse } from './grant.js';

export interface IssueExtras {
  authTime?: number | null;
  refreshToken?: string;
  /** The token family this authorization lives in (absent for client_credentials). */
  grantId?: string;
  /** Present for a user's authorization code: asks for an ID token when `openid` was granted. */
  idToken?: { nonce: string | null };
}

export async function accessTokenResponse(
  ctx: ServerContext,
  client: Client,
  subject: string,
  scopes: readonly string[],
  extra: IssueExtras = {},
): Promise<TokenResponse> {
  const found = await ctx.store.scopes.findMany(scopes);
  const now = ctx.now();
  const access = await issueAccessToken(ctx.keys, {
    issuer: ctx.config.issuer,
    subject,
    clientId: client.id,
    scopes,
    audience: audienceOf(found, ctx.config.issuer),
    ttl: ctx.config.accessTokenTtl,
    now,
    authTime: extra.authTime ?? null,
    grantId: extra.grantId ?? null,
  });
  const response: TokenResponse = {
    access_token: access.token,
    token_type: 'Bearer',
    expires_in: access.expiresIn,
    scope: scopes.join(' '),
  };
  if (extra.refreshToken !== undefined) response.refresh_token = extra.refreshToken;
  if (extra.idToken !== undefined && scopes.includes('openid')) {
    response.id_token = await issueIdToken(ctx.keys, {
      issuer: ctx.config.issuer,
      subject,
      clientId: client.id,
      alg: client.idTokenSignedResponseAlg,
      ttl: ctx.config.accessTokenTtl,
      now,
      authTime: extra.authTime ?? null,
      nonce: extra.idToken.nonce,
      accessToken: access.token,
    });
  }
  return response;
}
