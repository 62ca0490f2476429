// The Fastify adapter: a plugin that protects every route whose config names `scopes`, and a
// preHandler factory for routes that prefer to say it in place. Both put the verified caller on
// `request.auth` and answer failures per RFC 6750 §3. Runs as a preHandler, after the body is
// parsed, so a form-encoded body's `access_token` (RFC 6750 §2.2) is seen.
import type { FastifyPluginAsync, FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import fp from 'fastify-plugin';
import { bearerAnswer } from './challenge.js';
import { createVerifier, type BearerAuth, type Verifier, type VerifierOptions } from './verifier.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The verified caller on a protected route; null on a route without `scopes`. */
    auth: BearerAuth | null;
  }
  interface FastifyContextConfig {
    /** The scopes a route needs; any array (even empty) makes the route require a valid token. */
    scopes?: readonly string[];
  }
}

export type LatchkeyPluginOptions = { verifier: Verifier } | VerifierOptions;

/** A preHandler that requires a valid token carrying every one of `scopes`. */
export function requireScopes(verifier: Verifier, ...scopes: string[]): preHandlerAsyncHookHandler {
  return async function checkBearerToken(request: FastifyRequest, reply: FastifyReply) {
    await authenticate(verifier, scopes, request, reply);
  };
}

async function authenticate(verifier: Verifier, scopes: readonly string[], request: FastifyRequest, reply: FastifyReply): Promise<void> {
  try {
    request.auth = await verifier.verify({ headers: request.headers, query: request.query, body: request.body }, { scopes });
  } catch (error) {
    const answer = bearerAnswer(error, verifier.realm);
    if (answer === undefined) throw error;
    if (answer.status === 503) request.log.warn({ err: error }, 'access token not checked: issuer unavailable');
    return reply.code(answer.status).headers(answer.headers).send(answer.body);
  }
}

const plugin: FastifyPluginAsync<LatchkeyPluginOptions> = async (app, options) => {
  const verifier = 'verifier' in options ? options.verifier : createVerifier(options);
  app.decorateRequest('auth', null);
  app.addHook('onRoute', (route) => {
    const scopes = (route.config as { scopes?: readonly string[] } | undefined)?.scopes;
    if (scopes === undefined) return;
    const check: preHandlerAsyncHookHandler = async (request, reply) => authenticate(verifier, scopes, request, reply);
    const existing = route.preHandler === undefined ? [] : Array.isArray(route.preHandler) ? route.preHandler : [route.preHandler];
    // The token is checked before the route's own preHandlers.
    route.preHandler = [check, ...existing];
  });
};

/** Register before the routes it protects: `app.register(latchkey, { verifier })`. */
export const latchkey = fp(plugin, { fastify: '5.x', name: '@latchkey/resource' });
export default latchkey;
