// The UserInfo endpoint: OpenID Connect Core 1.0 §5.3, with §5.4's claims per scope, protected
// as RFC 6750 says (GET or POST, Bearer token; 401 invalid_token, 403 insufficient_scope).
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ServerContext } from '../context.js';
import { bearerError, readBearerToken } from '../http/bearer.js';
import { checkAccessToken } from '../tokens/verify.js';

const REASONS = {
  malformed: 'the access token is malformed',
  expired: 'the access token expired',
  revoked: 'the access token was revoked',
  invalid: 'the access token is not valid',
} as const;

export async function userinfo(ctx: ServerContext, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  reply.header('cache-control', 'no-store');
  const realm = ctx.config.issuer;
  const token = readBearerToken(request, realm);
  const check = await checkAccessToken(token, { keys: ctx.keys, store: ctx.store, issuer: realm, now: ctx.now() });
  if (!check.valid) throw bearerError(realm, 'invalid_token', REASONS[check.reason]);
  const scopes = check.claims.scope.split(' ');
  if (!scopes.includes('openid')) throw bearerError(realm, 'insufficient_scope', 'the access token was not granted the openid scope', 'openid');
  // A client_credentials token has the client as its subject, and no user to describe.
  const user = await ctx.store.users.findById(check.claims.sub);
  if (user === undefined) throw bearerError(realm, 'invalid_token', 'the access token does not belong to a user');

  const claims: Record<string, unknown> = { sub: user.id };
  if (scopes.includes('profile')) {
    claims.preferred_username = user.username;
    if (user.name !== null) claims.name = user.name;
  }
  if (scopes.includes('email') && user.email !== null) {
    claims.email = user.email;
    // Latchkey does not verify addresses (yet): say so rather than let clients assume it.
    claims.email_verified = false;
  }
  return reply.send(claims);
}
