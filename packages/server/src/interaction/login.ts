// The login page (CONTRACTS.md "Pages"): a password form with a CSRF token, one message for an
// unknown user and a wrong password (SEC-53), throttled per account and per client address
// before the password hash runs (SEC-52, D-5), and a new session id at login (SEC-56).
import type { FastifyReply, FastifyRequest } from 'fastify';
import { safeReturnTo } from '../console/return-to.js';
import type { ServerContext } from '../context.js';
import { PageError } from '../errors.js';
import { verifyCsrf } from '../http/csrf.js';
import { Params } from '../http/params.js';
import { ROUTES } from '../routes.js';
import type { Interaction } from '../store/repositories.js';
import { hashSecret } from '../tokens/secrets.js';
import { decideConsent, findInteraction } from './flow.js';
import { MAX_PASSWORD_LENGTH, verifyPassword } from './password.js';
import { ensureSession, loadSession, startSession } from './session.js';
import { usernameKey } from './username.js';
import { LoginPage } from './views/login.js';
import { renderPage } from './views/layout.js';

/** Failures allowed before delays start (CONTRACTS.md: 5 per account, at least 20 per address). */
export const ACCOUNT_THRESHOLD = 5;
export const ADDRESS_THRESHOLD = 20;
const WRONG_CREDENTIALS = 'Wrong username or password.';

export async function showLogin(ctx: ServerContext, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  const params = Params.from(request.query);
  const session = await ensureSession(ctx, request, reply);
  const interactionId = params.get('interaction');
  const interaction = interactionId === undefined ? null : await findInteraction(ctx, interactionId, session);
  const clientName = interaction === null ? null : (await clientOf(ctx, interaction)).name;
  const username = interaction?.record.request.loginHint ?? '';
  const returnTo = interaction === null ? safeReturnTo(params.get('return_to')) : null;
  return sendLogin(reply, 200, { csrfToken: session.csrfToken, interaction: interactionId ?? null, clientName, username, error: null, returnTo });
}

export async function submitLogin(ctx: ServerContext, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  const params = Params.from(request.body);
  const session = await loadSession(ctx, request);
  verifyCsrf(request, session, params.get('csrf'), ctx.config.issuer);
  const interactionId = params.get('interaction');
  const interaction = interactionId === undefined ? null : await findInteraction(ctx, interactionId, session);
  const clientName = interaction === null ? null : (await clientOf(ctx, interaction)).name;
  const username = (params.get('username') ?? '').slice(0, 200);
  const password = params.get('password') ?? '';
  const returnTo = interaction === null ? safeReturnTo(params.get('return_to')) : null;
  const again = (status: number, error: string): FastifyReply =>
    sendLogin(reply, status, { csrfToken: session.csrfToken, interaction: interactionId ?? null, clientName, username, error, returnTo });

  // A name no account can have still counts against a key of its own, so guessing through it is
  // throttled like any other; hashed, because what was typed (any character, even U+0000, which
  // PostgreSQL text cannot hold) is never stored. No valid name has a colon, so none collides.
  const key = usernameKey(username) ?? `invalid:${hashSecret(username)}`;
  const account = { key: `account:${key}`, threshold: ACCOUNT_THRESHOLD };
  const address = { key: `address:${request.ip}`, threshold: ADDRESS_THRESHOLD };
  const decision = await ctx.store.throttle.attempt(
    [account, address],
    ctx.now(),
  );
  if (!decision.allowed) {
    reply.header('retry-after', String(decision.retryAfter));
    return again(429, `Too many failed sign-in attempts. Wait ${decision.retryAfter} seconds and try again.`);
  }
  const user = password.length > MAX_PASSWORD_LENGTH ? undefined : await ctx.store.users.findByUsernameKey(key);
  const ok = await verifyPassword(password.slice(0, MAX_PASSWORD_LENGTH), user?.passwordHash);
  if (!ok || user === undefined) return again(401, WRONG_CREDENTIALS);

  // The account starts afresh; the address only takes back this attempt, so a success of the
  // attacker's own account cannot wipe the failures sprayed at others from that address.
  await ctx.store.throttle.reset([account.key]);
  await ctx.store.throttle.forgive([address]);
  const signedIn = await startSession(ctx, reply, user.id, session);
  if (interaction === null) return reply.redirect(returnTo ?? ROUTES.home, 303);
  await ctx.store.interactions.rebind(interaction.record.idHash, signedIn.idHash);
  const client = await clientOf(ctx, interaction);
  const pending = { ...interaction.record.request, prompt: interaction.record.request.prompt.filter((p) => p !== 'login') };
  return decideConsent(ctx, reply, client, pending, signedIn, { id: interaction.id, record: { ...interaction.record, sessionIdHash: signedIn.idHash } });
}

async function clientOf(ctx: ServerContext, interaction: { record: Interaction }) {
  const client = await ctx.store.clients.findById(interaction.record.request.clientId);
  if (client === undefined) throw new PageError(400, 'Unknown app', 'The app that started this sign-in is no longer registered.');
  return client;
}

function sendLogin(reply: FastifyReply, status: number, props: Parameters<typeof LoginPage>[0]): FastifyReply {
  return reply.status(status).type('text/html; charset=utf-8').header('cache-control', 'no-store').send(renderPage(LoginPage(props)));
}
