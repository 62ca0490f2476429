// The authorization response (RFC 6749 §4.1.2) and error response (§4.1.2.1), both carrying
// `iss` (RFC 9207 §2) and `state` when one was sent. Always 303, never 307 (RFC 9700 §4.12).
import type { FastifyReply } from 'fastify';
import type { ServerContext } from '../context.js';
import { OAuthError, safeDescription } from '../errors.js';
import type { PendingAuthorization } from '../store/repositories.js';
import { hashSecret, randomToken } from '../tokens/secrets.js';
import { withQuery } from './redirect-uri.js';

export function redirectWithError(ctx: ServerContext, reply: FastifyReply, request: Pick<PendingAuthorization, 'redirectUri' | 'state'>, error: OAuthError): FastifyReply {
  const location = withQuery(request.redirectUri, {
    error: error.code,
    error_description: safeDescription(error.description),
    state: request.state,
    iss: ctx.config.issuer,
  });
  return reply.header('cache-control', 'no-store').redirect(location, 303);
}

/** Issues a single-use code bound to everything the token endpoint must check (RFC 6749 §4.1.3). */
export async function redirectWithCode(
  ctx: ServerContext,
  reply: FastifyReply,
  request: PendingAuthorization,
  grant: { userId: string; scopes: readonly string[]; authTime: number | null },
): Promise<FastifyReply> {
  const code = randomToken();
  const now = ctx.now();
  // RFC 9700 §2.1.1: detecting a constant challenge is encouraged (SEC-06 g). A challenge seen
  // before means the client reuses its code_verifier, which then protects nothing once known.
  // Flagged, not refused, so a user's repeated attempt never breaks a sign-in.
  if (request.codeChallenge !== null && (await ctx.store.codes.challengeUsed(request.clientId, request.codeChallenge))) {
    reply.log.warn({ client_id: request.clientId }, 'PKCE code_challenge reused by this client: it must make a new code_verifier for every authorization request (RFC 7636 §4.1)');
  }
  await ctx.store.codes.create({
    codeHash: hashSecret(code),
    clientId: request.clientId,
    userId: grant.userId,
    redirectUri: request.redirectUri,
    redirectUriSent: request.redirectUriSent,
    scopes: [...grant.scopes],
    codeChallenge: request.codeChallenge,
    codeChallengeMethod: request.codeChallengeMethod,
    nonce: request.nonce,
    authTime: grant.authTime,
    createdAt: now,
    expiresAt: now + ctx.config.codeTtl,
    consumedAt: null,
  });
  const location = withQuery(request.redirectUri, { code, state: request.state, iss: ctx.config.issuer });
  return reply.header('cache-control', 'no-store').redirect(location, 303);
}
