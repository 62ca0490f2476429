// The authorization_code grant: RFC 6749 §4.1.3, RFC 7636 §4.5-4.6, RFC 9700 §2.1.1, §4.5.
// The code is consumed atomically before it is checked, so it is single use whatever the
// concurrency, and a failed attempt burns it (an attacker cannot keep trying verifiers).
import type { ServerContext } from '../../context.js';
import { OAuthError } from '../../errors.js';
import type { Params } from '../../http/params.js';
import type { Client } from '../../store/repositories.js';
import { firstRefreshToken } from '../../tokens/refresh-token-format.js';
import { hashSecret, randomToken } from '../../tokens/secrets.js';
import { checkVerifier, checkVerifierSyntax } from '../pkce.js';
import type { GrantHandler, TokenResponse } from './grant.js';
import { accessTokenResponse } from './issue.js';

export const authorizationCodeGrant: GrantHandler = {
  grantType: 'authorization_code',
  async handle(ctx: ServerContext, client: Client, params: Params): Promise<TokenResponse> {
    const code = params.require('code');
    const redirectUri = params.get('redirect_uri');
    const verifier = params.get('code_verifier');
    checkVerifierSyntax(verifier);

    const codeHash = hashSecret(code);
    const result = await ctx.store.codes.consume(codeHash, ctx.now());
    if (result.outcome === 'unknown') throw new OAuthError('invalid_grant', 'the authorization code is not valid', { guess: true });
    if (result.outcome === 'reused') {
      // RFC 6749 §4.1.2: a code used twice is refused, and the tokens issued from it revoked.
      await ctx.store.refreshTokens.revokeByCode(codeHash, ctx.now());
      throw new OAuthError('invalid_grant', 'the authorization code was already used; the tokens issued from it have been revoked');
    }
    const issued = result.code;
    if (issued.expiresAt <= ctx.now()) throw new OAuthError('invalid_grant', 'the authorization code has expired; start the authorization again');
    // RFC 6749 §4.1.3: the code must have been issued to the authenticated client.
    if (issued.clientId !== client.id) throw new OAuthError('invalid_grant', 'the authorization code was issued to another client');
    // RFC 6749 §4.1.3: redirect_uri must be identical to the one in the authorization request.
    if (issued.redirectUriSent && redirectUri === undefined) {
      throw new OAuthError('invalid_grant', 'redirect_uri is required: the authorization request included one');
    }
    if (redirectUri !== undefined && redirectUri !== issued.redirectUri) {
      throw new OAuthError('invalid_grant', `redirect_uri ${redirectUri} differs from the one in the authorization request`);
    }
    checkVerifier(verifier, issued);

    // Every authorization is a grant instance (token family), so that a replayed code or a
    // removed grant deactivates its access tokens too, not only its refresh tokens.
    const now = ctx.now();
    const familyId = randomToken(16);
    const refresh = client.grantTypes.includes('refresh_token') ? firstRefreshToken() : undefined;
    await ctx.store.refreshTokens.createFamily(
      { id: familyId, clientId: client.id, userId: issued.userId, scopes: issued.scopes, codeHash, createdAt: now, revokedAt: null },
      refresh === undefined
        ? null
        : {
            chain: refresh.chain,
            tokenHash: hashSecret(refresh.token),
            issuedAt: now,
            // D-7: the idle limit, within the family's absolute limit.
            expiresAt: now + Math.min(ctx.config.refreshTokenTtl, ctx.config.refreshTokenMaxLifetime),
          },
    );
    return accessTokenResponse(ctx, client, issued.userId, issued.scopes, {
      authTime: issued.authTime,
      grantId: familyId,
      idToken: { nonce: issued.nonce },
      ...(refresh === undefined ? {} : { refreshToken: refresh.token }),
    });
  },
};
