// The client_credentials grant (RFC 6749 §4.4): a confidential client acting for itself, only
// when registered for it. No refresh token (§4.4.3).
import type { ServerContext } from '../../context.js';
import { OAuthError } from '../../errors.js';
import type { Params } from '../../http/params.js';
import type { Client } from '../../store/repositories.js';
import { parseScopeParameter, resolveScopes, USER_SCOPES } from '../scope.js';
import type { GrantHandler, TokenResponse } from './grant.js';
import { accessTokenResponse } from './issue.js';

export const clientCredentialsGrant: GrantHandler = {
  grantType: 'client_credentials',
  async handle(ctx: ServerContext, client: Client, params: Params): Promise<TokenResponse> {
    if (client.secretHash === null) throw new OAuthError('unauthorized_client', 'a public client cannot use client_credentials');
    const scopeParam = params.get('scope');
    // The client acts for itself: there is no user for openid, profile or email to describe.
    const requested = scopeParam === undefined ? client.scopes.filter((s) => !USER_SCOPES.has(s)) : parseScopeParameter(scopeParam);
    const userScopes = requested.filter((s) => USER_SCOPES.has(s));
    if (userScopes.length > 0) {
      throw new OAuthError('invalid_scope', `${userScopes.join(' ')} describe a user, and client_credentials has none; request API scopes only`);
    }
    if (requested.length === 0) throw new OAuthError('invalid_scope', 'this client has no API scope to request; register it with the scopes it needs');
    const scopes = await resolveScopes(requested, client, ctx.store.scopes);
    return accessTokenResponse(ctx, client, client.id, scopes.map((s) => s.name));
  },
};
