// The token endpoint: RFC 6749 §3.2, §5. It authenticates the client and dispatches on
// grant_type; each grant lives in grants/. Responses are never cached (§5.1).
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ServerContext } from '../context.js';
import { OAuthError } from '../errors.js';
import { authenticateClient } from '../http/client-auth.js';
import { requireFormBody } from '../http/params.js';
import { authorizationCodeGrant } from './grants/authorization-code.js';
import { clientCredentialsGrant } from './grants/client-credentials.js';
import type { GrantHandler } from './grants/grant.js';
import { refreshTokenGrant } from './grants/refresh-token.js';

export const GRANTS: ReadonlyMap<string, GrantHandler> = new Map(
  [authorizationCodeGrant, refreshTokenGrant, clientCredentialsGrant].map((g) => [g.grantType, g]),
);

/**
 * Unknown codes or refresh tokens one client may present from one address before delays start
 * (SEC-24 b, c; RFC 6819 §4.4.1.3, §5.1.4.2.4). Keyed by client and address, so guessing from one
 * place cannot lock a public client out for everyone. A legitimate client rarely presents an
 * unknown credential; the values are 256-bit, so this is defence in depth, and an alert.
 */
export const GRANT_GUESS_THRESHOLD = 20;

export async function token(ctx: ServerContext, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  reply.header('cache-control', 'no-store').header('pragma', 'no-cache');
  const params = requireFormBody(request);
  const grantType = params.get('grant_type');
  const { client } = await authenticateClient(request, params, { clients: ctx.store.clients, throttle: ctx.store.throttle, now: ctx.now() }, ctx.config.issuer);
  if (grantType === undefined) throw new OAuthError('invalid_request', "the 'grant_type' parameter is required");
  const grant = GRANTS.get(grantType);
  if (grant === undefined) {
    throw new OAuthError('unsupported_grant_type', `grant_type ${grantType} is not supported; use one of: ${[...GRANTS.keys()].join(', ')}`);
  }
  if (!client.grantTypes.includes(grant.grantType)) {
    throw new OAuthError('unauthorized_client', `this client is not registered for the ${grantType} grant`);
  }
  if (grant.grantType === 'client_credentials') return reply.send(await grant.handle(ctx, client, params));

  const guessRule = { key: `grant-guess:${client.id}:${request.ip}`, threshold: GRANT_GUESS_THRESHOLD };
  const blocked = await ctx.store.throttle.retryAfter([guessRule.key], ctx.now());
  if (blocked > 0) throw tooManyGuesses(blocked);
  try {
    return reply.send(await grant.handle(ctx, client, params));
  } catch (error) {
    if (error instanceof OAuthError && error.guess) {
      // Counted and decided at once, so a concurrent burst is cut at the threshold too.
      const decision = await ctx.store.throttle.attempt([guessRule], ctx.now());
      const wait = decision.allowed ? await ctx.store.throttle.retryAfter([guessRule.key], ctx.now()) : decision.retryAfter;
      // The alert: an operator should hear of a client presenting invented credentials.
      if (wait > 0) request.log.warn({ client_id: client.id, client_address: request.ip, grant_type: grantType }, 'token endpoint: too many unknown codes or refresh tokens; delaying this client');
      if (!decision.allowed) throw tooManyGuesses(decision.retryAfter);
    }
    throw error;
  }
}

function tooManyGuesses(wait: number): OAuthError {
  return new OAuthError('invalid_grant', `too many unknown codes or refresh tokens from this client; retry in ${wait} seconds`, {
    status: 429,
    headers: { 'retry-after': String(wait) },
  });
}
