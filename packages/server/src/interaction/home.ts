// The home page: a "Sign in" link for a signed-out visitor; who is signed in otherwise.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ServerContext } from '../context.js';
import { loadSession } from './session.js';
import { HomePage } from './views/home.js';
import { renderPage } from './views/layout.js';

export async function showHome(ctx: ServerContext, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  const session = await loadSession(ctx, request);
  const user = session?.userId === null || session === undefined ? undefined : await ctx.store.users.findById(session.userId);
  const html = renderPage(HomePage({ username: user?.username ?? null, csrfToken: user === undefined ? null : (session?.csrfToken ?? null) }));
  return reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').send(html);
}
