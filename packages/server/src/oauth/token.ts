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
  return reply.send(await grant.handle(ctx, client, params));
}
