// Signing out, and RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0 §2-§3): a client
// sends the user here with `id_token_hint`, `post_logout_redirect_uri` (matched exactly against
// the ones it registered) and `state`. A valid hint for the signed-in user ends the session at
// once; without one the user confirms first, so no other site can sign anyone out silently
// (SEC-57). An unregistered return address is never followed (SEC-54 c).
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ServerContext } from '../context.js';
import { PageError } from '../errors.js';
import { verifyCsrf } from '../http/csrf.js';
import { Params } from '../http/params.js';
import { withQuery } from '../oauth/redirect-uri.js';
import { ROUTES } from '../routes.js';
import type { Client } from '../store/repositories.js';
import { checkIdTokenHint } from '../tokens/verify.js';
import { endSession, ensureSession, loadSession } from './session.js';
import { renderPage } from './views/layout.js';
import { LogoutPage } from './views/logout.js';

interface LogoutRequest {
  client: Client | null;
  /** The registered post-logout redirect URI to return to, or null. */
  returnTo: string | null;
  state: string | null;
  /** The user the hint names, when a valid hint was sent. */
  hintSubject: string | null;
  /** The parameters, to post back from the confirmation page. */
  hidden: Record<string, string>;
}

const invalid = (detail: string): PageError => new PageError(400, 'Invalid sign-out request', detail);

async function parseLogout(ctx: ServerContext, params: Params): Promise<LogoutRequest> {
  const hidden: Record<string, string> = {};
  for (const name of ['id_token_hint', 'post_logout_redirect_uri', 'state', 'client_id']) {
    if (params.duplicates.has(name)) throw invalid(`The ${name} parameter was sent more than once.`);
    const value = params.get(name);
    if (value !== undefined) hidden[name] = value;
  }
  let hintSubject: string | null = null;
  let clientId = hidden.client_id ?? null;
  if (hidden.id_token_hint !== undefined) {
    const hint = await checkIdTokenHint(hidden.id_token_hint, { keys: ctx.keys, issuer: ctx.config.issuer });
    if (hint === null || typeof hint.sub !== 'string') throw invalid('The id_token_hint was not issued by this server, or was changed.');
    const audience = Array.isArray(hint.aud) ? hint.aud[0] : hint.aud;
    if (clientId !== null && audience !== clientId) throw invalid('The client_id does not match the id_token_hint.');
    clientId = audience ?? null;
    hintSubject = hint.sub;
  }
  const client = clientId === null ? null : ((await ctx.store.clients.findById(clientId)) ?? null);
  if (clientId !== null && client === null) throw invalid('The app that asked to sign you out is not registered.');
  let returnTo: string | null = null;
  const asked = hidden.post_logout_redirect_uri;
  if (asked !== undefined) {
    if (client === null) throw invalid('A post_logout_redirect_uri needs a client_id or an id_token_hint.');
    if (!client.postLogoutRedirectUris.includes(asked)) {
      throw invalid(`The post_logout_redirect_uri is not registered for ${client.name}. Registered: ${client.postLogoutRedirectUris.join(', ') || 'none'}.`);
    }
    returnTo = asked;
  }
  return { client, returnTo, state: hidden.state ?? null, hintSubject, hidden };
}

function finish(reply: FastifyReply, logout: LogoutRequest): FastifyReply {
  const target = logout.returnTo === null ? ROUTES.home : withQuery(logout.returnTo, { state: logout.state });
  return reply.header('cache-control', 'no-store').redirect(target, 303);
}

/** GET (and POST without a CSRF token) of the end-session endpoint. */
export async function showLogout(ctx: ServerContext, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  const logout = await parseLogout(ctx, Params.from(request.query));
  const session = await loadSession(ctx, request);
  const signedIn = session?.userId !== null && session?.userId !== undefined;
  if (logout.hintSubject !== null && (!signedIn || session?.userId === logout.hintSubject)) {
    await endSession(ctx, reply, session);
    return finish(reply, logout);
  }
  const browser = session ?? (await ensureSession(ctx, request, reply));
  const html = renderPage(LogoutPage({ csrfToken: browser.csrfToken, clientName: logout.client?.name ?? null, hidden: logout.hidden }));
  return reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').send(html);
}

/** The confirmation (and the home page's sign-out button): CSRF-checked, then sign out. */
export async function submitLogout(ctx: ServerContext, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  const params = Params.from(request.body);
  const session = await loadSession(ctx, request);
  verifyCsrf(request, session, params.get('csrf'), ctx.config.issuer);
  const logout = await parseLogout(ctx, params);
  await endSession(ctx, reply, session);
  return finish(reply, logout);
}
