// Failed authorization requests of a known client are kept (the newest few per client) and shown
// to the client's developer in the console with the exact reason, so an integration can be
// debugged without the server's logs. Recording never changes the answer to the request.
import type { FastifyRequest } from 'fastify';
import type { ServerContext } from '../context.js';

/** How many failures are kept per client. */
export const FAILURES_KEPT = 50;

export async function recordAuthorizationFailure(ctx: ServerContext, request: FastifyRequest, clientId: string, reason: string): Promise<void> {
  try {
    await ctx.store.authorizationFailures.record({ clientId, reason: reason.slice(0, 1000), createdAt: ctx.now() }, FAILURES_KEPT);
  } catch (error) {
    request.log.warn({ err: error }, 'could not record a failed authorization request');
  }
}
