// The consent page (CONTRACTS.md "Pages"; RFC 6749 §10.12, §3.3): the client's name, each scope
// asked for in plain words, checked by default; the user may uncheck some. The scopes posted are
// the scopes granted; tampered extra scopes are ignored (SEC-48 c); nothing checked is a denial.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ServerContext } from '../context.js';
import { OAuthError, PageError } from '../errors.js';
import { verifyCsrf } from '../http/csrf.js';
import { Params } from '../http/params.js';
import { redirectWithCode, redirectWithError } from '../oauth/authorization-response.js';
import type { Client, Interaction, Session } from '../store/repositories.js';
import { findInteraction, interactionGone } from './flow.js';
import { loadSession } from './session.js';
import { ConsentPage } from './views/consent.js';
import { renderPage } from './views/layout.js';

interface ConsentContext {
  client: Client;
  session: Session & { userId: string };
  interaction: { id: string; record: Interaction };
  /** The scopes the page asks for: not yet granted ones, or all of them with prompt=consent. */
  asked: string[];
}

export async function showConsent(ctx: ServerContext, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  const params = Params.from(request.query);
  const session = await loadSession(ctx, request);
  const c = await consentContext(ctx, session, params.get('interaction'));
  const user = await ctx.store.users.findById(c.session.userId);
  const scopes = await ctx.store.scopes.findMany(c.interaction.record.request.scopes);
  const byName = new Map(scopes.map((s) => [s.name, s]));
  const pick = (names: readonly string[]) => names.flatMap((n) => byName.get(n) ?? []);
  const html = renderPage(
    ConsentPage({
      csrfToken: c.session.csrfToken,
      interaction: c.interaction.id,
      clientName: c.client.name,
      redirectOrigin: originOf(c.interaction.record.request.redirectUri),
      username: user?.username ?? '',
      asked: pick(c.asked),
      alreadyGranted: pick(c.interaction.record.request.scopes.filter((s) => !c.asked.includes(s))),
    }),
  );
  return reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').send(html);
}

export async function submitConsent(ctx: ServerContext, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  const params = Params.from(request.body);
  const session = await loadSession(ctx, request);
  verifyCsrf(request, session, params.get('csrf'), ctx.config.issuer);
  const c = await consentContext(ctx, session, params.get('interaction'));
  const pending = c.interaction.record.request;
  // Exactly one submission completes the interaction, however many arrive at once (SEC-62 b).
  if (!(await ctx.store.interactions.complete(c.interaction.record.idHash, ctx.now()))) throw interactionGone();

  const decision = params.get('decision');
  const posted = new Set(params.all('scope'));
  const approved = c.asked.filter((s) => posted.has(s));
  if (decision !== 'allow' || approved.length === 0) {
    return redirectWithError(ctx, reply, pending, new OAuthError('access_denied', 'the user denied the request'));
  }
  await ctx.store.grants.addScopes(c.session.userId, c.client.id, approved, ctx.now());
  // Scopes granted earlier and not asked again stay part of this authorization.
  const scopes = pending.scopes.filter((s) => !c.asked.includes(s) || approved.includes(s));
  return redirectWithCode(ctx, reply, pending, { userId: c.session.userId, scopes, authTime: c.session.authTime });
}

async function consentContext(ctx: ServerContext, session: Session | undefined, interactionId: string | undefined): Promise<ConsentContext> {
  const interaction = await findInteraction(ctx, interactionId, session);
  if (session?.userId === null || session?.userId === undefined) {
    throw new PageError(403, 'Sign in first', 'Sign in before deciding what this app may do.');
  }
  const pending = interaction.record.request;
  const client = await ctx.store.clients.findById(pending.clientId);
  if (client === undefined) throw new PageError(400, 'Unknown app', 'The app that asked for access is no longer registered.');
  const grant = await ctx.store.grants.find(session.userId, client.id);
  const asked = pending.prompt.includes('consent') ? pending.scopes : pending.scopes.filter((s) => !(grant?.scopes ?? []).includes(s));
  return { client, session: { ...session, userId: session.userId }, interaction, asked: asked.length > 0 ? asked : pending.scopes };
}

function originOf(uri: string): string {
  // A native app's private-use scheme has no web origin: show the URI itself.
  const origin = URL.canParse(uri) ? new URL(uri).origin : 'null';
  return origin === 'null' ? uri : origin;
}
