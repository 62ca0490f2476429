// What happens after a valid authorization request: log in if needed, ask for consent if
// needed, then issue the code. The pending request lives in the database (an interaction bound
// to the browser's session), so any server process can continue it.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ServerContext } from '../context.js';
import { OAuthError, PageError } from '../errors.js';
import { redirectWithCode, redirectWithError } from '../oauth/authorization-response.js';
import { ROUTES } from '../routes.js';
import type { Client, Interaction, PendingAuthorization, Session } from '../store/repositories.js';
import { hashSecret, randomToken } from '../tokens/secrets.js';
import { ensureSession, loadSession } from './session.js';

const INTERACTION_TTL = 30 * 60;

/** Continues a validated authorization request from the authorization endpoint. */
export async function proceed(
  ctx: ServerContext,
  request: FastifyRequest,
  reply: FastifyReply,
  client: Client,
  pending: PendingAuthorization,
): Promise<FastifyReply> {
  const session = await loadSession(ctx, request);
  const signedIn = session?.userId !== null && session?.userId !== undefined;
  // OIDC Core §3.1.2.1: max_age asks for a login at most that many seconds old (0: always fresh).
  const tooOld = typeof pending.maxAge === 'number' && ctx.now() - (session?.authTime ?? 0) >= pending.maxAge;
  if (!signedIn || pending.prompt.includes('login') || tooOld) {
    // OIDC Core §3.1.2.1: prompt=none never shows a page.
    if (pending.prompt.includes('none')) throw new OAuthError('login_required', 'the user is not signed in');
    const browser = session ?? (await ensureSession(ctx, request, reply));
    const id = await startInteraction(ctx, browser, pending);
    return reply.redirect(`${ROUTES.login}?interaction=${id}`, 303);
  }
  return decideConsent(ctx, reply, client, pending, session, null);
}

/**
 * With a signed-in user: issue the code when every requested scope was granted before (and no
 * prompt=consent), otherwise show the consent page.
 */
export async function decideConsent(
  ctx: ServerContext,
  reply: FastifyReply,
  client: Client,
  pending: PendingAuthorization,
  session: Session,
  interaction: { id: string; record: Interaction } | null,
): Promise<FastifyReply> {
  const userId = session.userId;
  if (userId === null) throw new Error('decideConsent needs a signed-in session');
  const grant = await ctx.store.grants.find(userId, client.id);
  const missing = pending.scopes.filter((s) => !(grant?.scopes ?? []).includes(s));
  if (missing.length === 0 && !pending.prompt.includes('consent')) {
    if (interaction !== null && !(await ctx.store.interactions.complete(interaction.record.idHash, ctx.now()))) {
      throw interactionGone();
    }
    return redirectWithCode(ctx, reply, pending, { userId, scopes: pending.scopes, authTime: session.authTime });
  }
  if (pending.prompt.includes('none')) {
    return redirectWithError(ctx, reply, pending, new OAuthError('consent_required', `the user has not granted: ${missing.join(' ')}`));
  }
  const id = interaction?.id ?? (await startInteraction(ctx, session, pending));
  return reply.redirect(`${ROUTES.consent}?interaction=${id}`, 303);
}

async function startInteraction(ctx: ServerContext, session: Session, pending: PendingAuthorization): Promise<string> {
  const id = randomToken();
  const now = ctx.now();
  await ctx.store.interactions.create({
    idHash: hashSecret(id),
    sessionIdHash: session.idHash,
    request: pending,
    createdAt: now,
    expiresAt: now + INTERACTION_TTL,
    completedAt: null,
  });
  return id;
}

/** The pending request behind an `interaction` id, only for the browser session it was started in (SEC-47 b). */
export async function findInteraction(ctx: ServerContext, id: string | undefined, session: Session | undefined): Promise<{ id: string; record: Interaction }> {
  if (id === undefined || id.length > 200) throw interactionGone();
  const record = await ctx.store.interactions.find(hashSecret(id), ctx.now());
  if (record === undefined || session === undefined || record.sessionIdHash !== session.idHash) throw interactionGone();
  return { id, record };
}

export function interactionGone(): PageError {
  return new PageError(
    400,
    'This request has expired',
    'This sign-in request has expired or was already completed. Go back to the app and start again.',
  );
}
