// The account pages: "Connected apps" (every grant the user gave, in plain words, with "Remove
// access", which deletes the grant and revokes its refresh-token families in one transaction;
// access tokens carry the grant id, so introspection calls them inactive at once), and the
// user's sessions with "Sign out everywhere else".
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ServerContext } from '../context.js';
import { PageError } from '../errors.js';
import { Params } from '../http/params.js';
import { renderPage } from '../interaction/views/layout.js';
import { ROUTES } from '../routes.js';
import { sendPage, signedInForm, signedInOrLogin } from './signed-in.js';
import { ConnectedAppsPage, type ConnectedApp } from './views/connected-apps.js';

export async function showConnectedApps(ctx: ServerContext, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  const signedIn = await signedInOrLogin(ctx, request, reply);
  if (signedIn === null) return reply;
  const { user, session } = signedIn;
  const grants = await ctx.store.grants.listByUser(user.id);
  const apps: ConnectedApp[] = [];
  for (const grant of grants) {
    const client = await ctx.store.clients.findById(grant.clientId);
    if (client === undefined) continue;
    const scopes = await ctx.store.scopes.findMany(grant.scopes);
    const byName = new Map(scopes.map((s) => [s.name, s]));
    apps.push({
      clientId: client.id,
      name: client.name,
      // A scope deleted since it was granted is still shown, by name.
      scopes: grant.scopes.map((name) => byName.get(name) ?? { name, description: name, resource: null }),
      grantedAt: grant.createdAt,
    });
  }
  const sessions = await ctx.store.sessions.listByUser(user.id, ctx.now());
  const query = Params.from(request.query);
  const notice = noticeFor(query.has('removed') ? 'removed' : query.has('signed-out') ? 'signed-out' : null);
  const html = renderPage(ConnectedAppsPage({ csrfToken: session.csrfToken, username: user.username, apps, sessions, currentSessionIdHash: session.idHash, notice }));
  return sendPage(reply, 200, html);
}

export async function removeAccess(ctx: ServerContext, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  const { user, params } = await signedInForm(ctx, request);
  const clientId = params.get('client_id');
  if (clientId === undefined) throw new PageError(400, 'Invalid request', 'The form did not say which app to remove.');
  await ctx.store.grants.remove(user.id, clientId, ctx.now());
  return reply.header('cache-control', 'no-store').redirect(`${ROUTES.connectedApps}?removed=1`, 303);
}

export async function signOutOthers(ctx: ServerContext, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  const { user, session } = await signedInForm(ctx, request);
  await ctx.store.sessions.deleteOthers(user.id, session.idHash);
  return reply.header('cache-control', 'no-store').redirect(`${ROUTES.connectedApps}?signed-out=1`, 303);
}

function noticeFor(event: 'removed' | 'signed-out' | null): string | null {
  if (event === 'removed') return 'Access removed. The app can no longer use your account.';
  if (event === 'signed-out') return 'You are signed out everywhere else.';
  return null;
}
