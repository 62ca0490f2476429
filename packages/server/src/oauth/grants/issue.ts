// Issuing the token pair shared by the grants: a JWT access token (RFC 9068) and, when the
// client may use the refresh_token grant, an opaque refresh token in a new or existing family.
import type { ServerContext } from '../../context.js';
import type { Client } from '../../store/repositories.js';
import { issueAccessToken } from '../../tokens/access-token.js';
import { audienceOf } from '../scope.js';
import type { TokenResponse } from './grant.js';

export async function accessTokenResponse(
  ctx: ServerContext,
  client: Client,
  subject: string,
  scopes: readonly string[],
  extra: { authTime?: number | null; refreshToken?: string } = {},
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
  });
  const response: TokenResponse = {
    access_token: access.token,
    token_type: 'Bearer',
    expires_in: access.expiresIn,
    scope: scopes.join(' '),
  };
  if (extra.refreshToken !== undefined) response.refresh_token = extra.refreshToken;
  return response;
}
