// Token introspection: RFC 7662. Confidential clients (resource servers register as such) ask
// whether a token is active; anything expired, revoked, unknown or malformed is exactly
// {"active": false} (§2.2), with nothing said about why.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ServerContext } from '../context.js';
import { OAuthError } from '../errors.js';
import { authenticateClient } from '../http/client-auth.js';
import { requireFormBody } from '../http/params.js';
import { chainPosition } from '../tokens/refresh-token-format.js';
import { hashSecret } from '../tokens/secrets.js';
import { checkAccessToken } from '../tokens/verify.js';

const INACTIVE = { active: false } as const;

export async function introspect(ctx: ServerContext, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  reply.header('cache-control', 'no-store').header('pragma', 'no-cache');
  const params = requireFormBody(request);
  const { client } = await authenticateClient(request, params, { clients: ctx.store.clients, throttle: ctx.store.throttle, now: ctx.now() }, ctx.config.issuer);
  // §2.1: the endpoint is protected; a public client cannot prove who is asking.
  if (client.secretHash === null) throw new OAuthError('invalid_client', 'introspection needs a confidential client (a resource server registered with a secret)');
  const token = params.require('token');
  params.get('token_type_hint');
  const now = ctx.now();

  const check = await checkAccessToken(token, { keys: ctx.keys, store: ctx.store, issuer: ctx.config.issuer, now });
  if (check.valid) {
    const { claims } = check;
    return reply.send({
      active: true,
      scope: claims.scope,
      client_id: claims.client_id,
      sub: claims.sub,
      aud: claims.aud,
      iss: claims.iss,
      exp: claims.exp,
      iat: claims.iat,
      jti: claims.jti,
      token_type: 'Bearer',
    });
  }
  // Not shaped like a JWT (or too long for one): a refresh token, or nothing.
  if (check.reason !== 'malformed') return reply.send(INACTIVE);
  const found = await ctx.store.refreshTokens.findWithFamily(hashSecret(token), chainPosition(token));
  if (found === undefined) return reply.send(INACTIVE);
  const { token: refresh, family } = found;
  if (refresh.rotatedAt !== null || refresh.expiresAt <= now || family.revokedAt !== null) return reply.send(INACTIVE);
  return reply.send({
    active: true,
    scope: refresh.scopes.join(' '),
    client_id: refresh.clientId,
    sub: refresh.userId,
    iss: ctx.config.issuer,
    exp: refresh.expiresAt,
    iat: refresh.issuedAt,
    token_type: 'refresh_token',
  });
}
