// The developer console: a signed-in user registers apps (validated exactly as `latchkey client
// add`, admin/clients.ts) and manages their own: redirect URIs, secret rotation, deletion, and
// the recent failed authorization attempts with their reasons. Another user's app is 404, for
// reading and for every action, so its existence is not revealed.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { DEFAULT_SCOPES, registerClient, type NewClient } from '../admin/clients.js';
import { AdminInputError } from '../admin/errors.js';
import { validateRedirectUri } from '../admin/redirect-uris.js';
import type { ServerContext } from '../context.js';
import { PageError } from '../errors.js';
import { renderPage } from '../interaction/views/layout.js';
import { FAILURES_KEPT } from '../oauth/authorization-failures.js';
import { ROUTES } from '../routes.js';
import type { Client, User } from '../store/repositories.js';
import { hashSecret, randomToken } from '../tokens/secrets.js';
import { appPath } from './paths.js';
import { sendPage, signedInForm, signedInOrLogin, textField } from './signed-in.js';
import { AppPage, type AppPageProps } from './views/app-page.js';
import { ConsolePage, type RegisterForm } from './views/console-page.js';

const MAX_REDIRECT_URIS = 20;
const BLANK_FORM: RegisterForm = { name: '', redirectUris: '', scopes: DEFAULT_SCOPES, kind: 'confidential' };

export async function showConsole(ctx: ServerContext, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  const signedIn = await signedInOrLogin(ctx, request, reply);
  if (signedIn === null) return reply;
  return sendConsole(ctx, reply, 200, signedIn.user, signedIn.session.csrfToken, BLANK_FORM, null);
}

export async function submitRegistration(ctx: ServerContext, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  const { user, session, params } = await signedInForm(ctx, request);
  const kind = params.get('kind');
  const form: RegisterForm = {
    name: textField(params, 'name', 1000),
    redirectUris: textField(params, 'redirect_uris'),
    scopes: params.all('scope').filter((s) => s !== ''),
    kind: kind === 'public' ? 'public' : 'confidential',
  };
  const input: NewClient = {
    name: form.name,
    redirectUris: form.redirectUris.split(/\r?\n/).map((line) => line.trim()).filter((line) => line !== ''),
    scopes: [...form.scopes],
    grantTypes: [],
    public: form.kind === 'public',
    pkceOptional: false,
    ownerUserId: user.id,
  };
  try {
    if (kind !== 'public' && kind !== 'confidential') throw new AdminInputError('choose Confidential or Public');
    const { client, clientSecret } = await registerClient(ctx.store, input, ctx.now());
    return sendApp(ctx, reply, 201, client, { csrfToken: session.csrfToken, newSecret: clientSecret, notice: `${client.name} is registered.` });
  } catch (error) {
    if (!(error instanceof AdminInputError)) throw error;
    return sendConsole(ctx, reply, 400, user, session.csrfToken, form, `The app was not registered: ${error.message}.`);
  }
}

export async function showApp(ctx: ServerContext, request: FastifyRequest<{ Params: { clientId: string } }>, reply: FastifyReply): Promise<FastifyReply> {
  const signedIn = await signedInOrLogin(ctx, request, reply);
  if (signedIn === null) return reply;
  const app = await ownedApp(ctx, signedIn.user, request.params.clientId);
  return sendApp(ctx, reply, 200, app, { csrfToken: signedIn.session.csrfToken });
}

export async function addRedirectUri(ctx: ServerContext, request: FastifyRequest<{ Params: { clientId: string } }>, reply: FastifyReply): Promise<FastifyReply> {
  const { user, session, params } = await signedInForm(ctx, request);
  const app = await ownedApp(ctx, user, request.params.clientId);
  const uri = textField(params, 'redirect_uri', 5000).trim();
  const refuse = (reason: string) => sendApp(ctx, reply, 400, app, { csrfToken: session.csrfToken, error: `The redirect URI was not added: ${reason}.`, pendingUri: uri });
  const reason = validateRedirectUri(uri);
  if (uri === '') return refuse('enter a redirect URI');
  if (reason !== null) return refuse(`redirect URI ${JSON.stringify(uri.slice(0, 200))} ${reason}`);
  if (app.redirectUris.includes(uri)) return refuse(`${uri} is already registered`);
  if (app.redirectUris.length >= MAX_REDIRECT_URIS) return refuse(`at most ${MAX_REDIRECT_URIS} redirect URIs`);
  await ctx.store.clientAdmin.setRedirectUris(app.id, [...app.redirectUris, uri]);
  return reply.header('cache-control', 'no-store').redirect(appPath(app.id), 303);
}

export async function removeRedirectUri(ctx: ServerContext, request: FastifyRequest<{ Params: { clientId: string } }>, reply: FastifyReply): Promise<FastifyReply> {
  const { user, session, params } = await signedInForm(ctx, request);
  const app = await ownedApp(ctx, user, request.params.clientId);
  const uri = textField(params, 'redirect_uri', 5000);
  const refuse = (reason: string) => sendApp(ctx, reply, 400, app, { csrfToken: session.csrfToken, error: `The redirect URI was not removed: ${reason}.` });
  if (!app.redirectUris.includes(uri)) return refuse(`${uri} is not registered`);
  const remaining = app.redirectUris.filter((u) => u !== uri);
  if (remaining.length === 0 && app.grantTypes.includes('authorization_code')) {
    return refuse('at least one redirect URI is needed for the authorization_code grant; add the new one first');
  }
  await ctx.store.clientAdmin.setRedirectUris(app.id, remaining);
  return reply.header('cache-control', 'no-store').redirect(appPath(app.id), 303);
}

/** A new secret replaces the stored hash: the old secret fails at the very next request. */
export async function rotateSecret(ctx: ServerContext, request: FastifyRequest<{ Params: { clientId: string } }>, reply: FastifyReply): Promise<FastifyReply> {
  const { user, session } = await signedInForm(ctx, request);
  const app = await ownedApp(ctx, user, request.params.clientId);
  if (app.tokenEndpointAuthMethod === 'none') {
    return sendApp(ctx, reply, 400, app, { csrfToken: session.csrfToken, error: 'A public app has no secret to rotate.' });
  }
  const secret = randomToken(32);
  await ctx.store.clientAdmin.setSecretHash(app.id, hashSecret(secret));
  return sendApp(ctx, reply, 200, app, { csrfToken: session.csrfToken, newSecret: secret, notice: 'The secret was rotated. The old secret no longer works.' });
}

/** Deleting cascades to the app's grants, codes and refresh tokens; its access tokens then fail introspection. */
export async function deleteApp(ctx: ServerContext, request: FastifyRequest<{ Params: { clientId: string } }>, reply: FastifyReply): Promise<FastifyReply> {
  const { user, session, params } = await signedInForm(ctx, request);
  const app = await ownedApp(ctx, user, request.params.clientId);
  if (params.get('confirm') !== 'yes') {
    return sendApp(ctx, reply, 400, app, { csrfToken: session.csrfToken, error: 'Tick the box to confirm that the app should be deleted.' });
  }
  await ctx.store.clientAdmin.delete(app.id);
  return reply.header('cache-control', 'no-store').redirect(ROUTES.console, 303);
}

async function ownedApp(ctx: ServerContext, user: User, clientId: string): Promise<Client> {
  const app = clientId.length > 200 ? undefined : await ctx.store.clients.findById(clientId);
  if (app === undefined || app.ownerUserId !== user.id) {
    throw new PageError(404, 'App not found', 'There is no app with this client ID in your developer console.');
  }
  return app;
}

async function sendConsole(ctx: ServerContext, reply: FastifyReply, status: number, user: User, csrfToken: string, form: RegisterForm, error: string | null): Promise<FastifyReply> {
  const [apps, scopes] = await Promise.all([ctx.store.clientAdmin.listByOwner(user.id), ctx.store.scopes.list()]);
  const sorted = [...scopes].sort((a, b) => a.name.localeCompare(b.name));
  return sendPage(reply, status, renderPage(ConsolePage({ csrfToken, username: user.username, apps, scopes: sorted, form, error })));
}

async function sendApp(
  ctx: ServerContext,
  reply: FastifyReply,
  status: number,
  app: Client,
  props: Partial<AppPageProps> & { csrfToken: string },
): Promise<FastifyReply> {
  const [scopes, failures] = await Promise.all([ctx.store.scopes.findMany(app.scopes), ctx.store.authorizationFailures.listRecent(app.id, FAILURES_KEPT)]);
  const byName = new Map(scopes.map((s) => [s.name, s]));
  const page = AppPage({
    app,
    scopes: app.scopes.flatMap((name) => byName.get(name) ?? []),
    failures,
    newSecret: null,
    notice: null,
    error: null,
    pendingUri: '',
    ...props,
  });
  return sendPage(reply, status, renderPage(page));
}
