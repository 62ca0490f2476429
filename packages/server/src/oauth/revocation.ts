// Token revocation: RFC 7009. A refresh token revokes its whole family (D-3); an access token
// goes on the revocation list until it expires. Unknown or already revoked tokens: 200 (§2.2).
// A client may revoke only its own tokens (D-2: another client's is 400 and stays active).
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ServerContext } from '../context.js';
import { OAuthError } from '../errors.js';
import { authenticateClient } from '../http/client-auth.js';
import { requireFormBody } from '../http/params.js';
import { chainPosition } from '../tokens/refresh-token-format.js';
import { hashSecret } from '../tokens/secrets.js';
import { checkAccessToken, looksLikeJwt } from '../tokens/verify.js';

const NOT_YOURS = 'the token was issued to another client; a client may revoke only its own tokens';

export async function revoke(ctx: ServerContext, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  reply.header('cache-control', 'no-store');
  const params = requireFormBody(request);
  const { client } = await authenticateClient(request, params, { clients: ctx.store.clients, throttle: ctx.store.throttle, now: ctx.now() }, ctx.config.issuer);
  const token = params.require('token');
  // §2.1: the hint only speeds up the lookup; both kinds are tried whatever it says.
  params.get('token_type_hint');
  const now = ctx.now();

  if (looksLikeJwt(token)) {
    const check = await checkAccessToken(token, { keys: ctx.keys, store: ctx.store, issuer: ctx.config.issuer, now });
    if (check.valid) {
      if (check.claims.client_id !== client.id) throw new OAuthError('invalid_request', NOT_YOURS);
      await ctx.store.revocations.revokeAccessToken(check.claims.jti, check.claims.exp);
    }
    return reply.status(200).send();
  }
  const refresh = await ctx.store.refreshTokens.find(hashSecret(token), chainPosition(token));
  if (refresh !== undefined) {
    if (refresh.clientId !== client.id) throw new OAuthError('invalid_request', NOT_YOURS);
    await ctx.store.refreshTokens.revokeFamily(refresh.familyId, now);
  }
  return reply.status(200).send();
}
