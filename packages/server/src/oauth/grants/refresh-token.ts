// The refresh_token grant: RFC 6749 §6; RFC 9700 §4.14.2 (rotation, reuse detection).
// Every use rotates the token. The successor is derived from the presented token with a server
// secret (HMAC; tokens/refresh-token-format.ts), so the same token presented again within the
// grace window (D-4) gets the same successor without storing it in plain text: two tabs
// refreshing at once both succeed, and a family never has two active tokens. Reuse after the
// window revokes the family.
import type { ServerContext } from '../../context.js';
import { OAuthError } from '../../errors.js';
import type { Params } from '../../http/params.js';
import type { Client } from '../../store/repositories.js';
import { chainPosition, successorToken } from '../../tokens/refresh-token-format.js';
import { hashSecret } from '../../tokens/secrets.js';
import { parseScopeParameter } from '../scope.js';
import type { GrantHandler, TokenResponse } from './grant.js';
import { accessTokenResponse } from './issue.js';

const INVALID: Record<'unknown' | 'expired' | 'revoked' | 'wrong_client', string> = {
  unknown: 'the refresh token is not valid',
  expired: 'the refresh token has expired; sign in again',
  revoked: 'the refresh token has been revoked (access was removed or a token was reused); sign in again',
  wrong_client: 'the refresh token was issued to another client',
};

export const refreshTokenGrant: GrantHandler = {
  grantType: 'refresh_token',
  async handle(ctx: ServerContext, client: Client, params: Params): Promise<TokenResponse> {
    const presented = params.require('refresh_token');
    const scopeParam = params.get('scope');
    const requested = scopeParam === undefined ? null : parseScopeParameter(scopeParam);

    // The store checks and rotates in one step, with no read before it (issue 9, hot path).
    const at = chainPosition(presented);
    const successor = successorToken(ctx.rotationSecret, presented, at);
    const now = ctx.now();
    const { result, durable } = await ctx.store.refreshTokens.rotateWritten({
      tokenHash: hashSecret(presented),
      ...(at === undefined ? {} : { at }),
      clientId: client.id,
      now,
      graceSeconds: ctx.config.refreshReuseGrace,
      successor: { tokenHash: hashSecret(successor.token), expiresAt: now + ctx.config.refreshTokenTtl, chain: successor.chain },
      familyLifetime: ctx.config.refreshTokenMaxLifetime,
      scopes: requested,
    });
    if (result.outcome === 'invalid') throw new OAuthError('invalid_grant', INVALID[result.reason], { guess: result.reason === 'unknown' });
    if (result.outcome === 'widened') {
      throw new OAuthError('invalid_scope', `scope may only narrow at refresh; not in the original grant: ${result.scopes.join(' ')}`);
    }
    if (result.outcome === 'reused') {
      throw new OAuthError('invalid_grant', 'the refresh token was already used; for safety every token of this grant has been revoked; sign in again');
    }
    // OIDC Core §12.2: the response to a refresh "might not contain an id_token"; this one does not.
    const response = accessTokenResponse(ctx, client, result.token.userId, requested ?? result.token.scopes, { refreshToken: successor.token, grantId: result.family.id });
    // The access token is signed while the rotation is flushed to disk; the answer, which hands
    // out the successor, waits for both: a client must never hold a token a crash could forget
    // (group commit, store/kysely/wal-sync.ts). A failed flush fails the request.
    const [body] = await Promise.all([response, durable]);
    return body;
  },
};
