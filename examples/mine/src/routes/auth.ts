// Signing in, allowing more, signing out and disconnecting: the protocol steps are in
// latchkey.ts (openid-client); here they are tied to Mine's session.
import * as oidc from 'openid-client';
import type { FastifyInstance } from 'fastify';
import type { MineContext } from '../context.js';
import { PageError } from '../errors.js';
import { endSessionUrl, finishAuthorization, randomState, revoke, SIGN_IN_SCOPES, startAuthorization } from '../latchkey.js';
import { ensureSession, loadSession, startSession, verifyCsrf } from '../session.js';
import type { HeldTokens } from '../store/session-store.js';

type Form = Record<string, unknown>;

export function authRoutes(app: FastifyInstance, ctx: MineContext): void {
  app.get<{ Querystring: { return_to?: string } }>('/signin', async (request, reply) => {
    const session = await ensureSession(ctx, request, reply);
    const { url, pending } = await startAuthorization(ctx.latchkey, SIGN_IN_SCOPES, localPath(request.query.return_to));
    await ctx.store.update(session.idHash, { pending });
    return reply.header('cache-control', 'no-store').redirect(url.href, 303);
  });

  // Incremental authorization: Latchkey asks the user about this one scope only (the others are
  // already in the grant) and adds it to the grant. Mine asks for the scopes it holds plus this
  // one, since a token carries exactly the scopes of the request that made it.
  app.post<{ Body: Form; Params: { scope: string } }>('/allow/:scope', async (request, reply) => {
    const session = await loadSession(ctx, request);
    verifyCsrf(session, request.body.csrf);
    const scope = request.params.scope;
    if (!SIGN_IN_SCOPES.includes(scope)) throw new PageError(400, 'Unknown permission', `Mine does not use a permission named "${scope}".`);
    const held = session.tokens?.scopes ?? SIGN_IN_SCOPES;
    const { url, pending } = await startAuthorization(ctx.latchkey, [...new Set([...held, scope])], scope.startsWith('calendar') ? '/calendar' : '/');
    await ctx.store.update(session.idHash, { pending });
    return reply.redirect(url.href, 303);
  });

  app.get('/callback', async (request, reply) => {
    const session = await loadSession(ctx, request);
    const pending = session?.pending ?? null;
    if (session === undefined || pending === null) {
      throw new PageError(400, 'No sign-in in progress', 'Mine was not expecting this answer from Latchkey: the sign-in was started in another browser, already finished, or Mine forgot it. Start again.');
    }
    await ctx.store.update(session.idHash, { pending: null });
    const query = request.url.includes('?') ? request.url.slice(request.url.indexOf('?')) : '';
    let result: Awaited<ReturnType<typeof finishAuthorization>>;
    try {
      result = await finishAuthorization(ctx.latchkey, query, pending, ctx.now());
    } catch (error) {
      throw callbackError(error, session.user !== null ? pending.returnTo : '/');
    }
    // Allowing more replaces the tokens: the old refresh token is revoked rather than left valid.
    const old = session.tokens?.refreshToken ?? null;
    if (old !== null && old !== result.tokens.refreshToken) await revoke(ctx.latchkey, old, 'refresh_token').catch(() => undefined);
    await ctx.store.delete(session.idHash);
    const sameUser = session.user?.sub === result.user.sub;
    const flash = sameUser ? { kind: 'info' as const, text: `Latchkey granted: ${result.tokens.scopes.join(' ')}.` } : null;
    await startSession(ctx, reply, { user: result.user, tokens: result.tokens, flash });
    return reply.redirect(pending.returnTo, 303);
  });

  // Ends Mine's session, then RP-initiated logout at Latchkey, which returns to Mine's home.
  app.post<{ Body: Form }>('/signout', async (request, reply) => {
    const session = await loadSession(ctx, request);
    verifyCsrf(session, request.body.csrf);
    const idToken = session.tokens?.idToken ?? null;
    await ctx.store.delete(session.idHash);
    const state = randomState();
    await startSession(ctx, reply, { flash: { kind: 'info', text: 'You signed out of Mine and of Latchkey.' } });
    return reply.redirect(endSessionUrl(ctx.latchkey, idToken, state).href, 303);
  });

  app.post<{ Body: Form }>('/disconnect', async (request, reply) => {
    const session = await loadSession(ctx, request);
    verifyCsrf(session, request.body.csrf);
    const tokens = session.tokens;
    if (tokens !== null) await revokeAll(ctx, tokens);
    await ctx.store.update(session.idHash, {
      user: null,
      tokens: null,
      flash: { kind: 'info', text: 'Mine is disconnected: Latchkey revoked its refresh token, and Mine forgot your tokens. Sign in again to use Mine.' },
    });
    return reply.redirect('/', 303);
  });
}

async function revokeAll(ctx: MineContext, tokens: HeldTokens): Promise<void> {
  try {
    if (tokens.refreshToken !== null) await revoke(ctx.latchkey, tokens.refreshToken, 'refresh_token');
    await revoke(ctx.latchkey, tokens.accessToken, 'access_token');
  } catch (error) {
    const reason = error instanceof oidc.ResponseBodyError ? `${error.error}: ${error.error_description ?? ''}` : error instanceof Error ? error.message : String(error);
    throw new PageError(502, 'Latchkey did not confirm the disconnect', `Mine kept your tokens, since Latchkey did not revoke them (${reason}). Try again in a moment.`, { href: '/access', label: 'Back to Access' });
  }
}

/** The readable page for an error answer from Latchkey, or a failed check of its answer. */
function callbackError(error: unknown, back: string): PageError {
  const next = back === '/' ? undefined : { href: back, label: 'Back to where you were' };
  if (error instanceof oidc.AuthorizationResponseError) {
    const words: Record<string, [string, string]> = {
      access_denied: ['You did not allow Mine', 'You chose not to give Mine access at Latchkey, so nothing was shared. You can sign in again whenever you like.'],
      invalid_scope: ['Latchkey does not know a permission Mine asked for', 'Mine asked Latchkey for a permission (scope) that Latchkey does not offer to it.'],
      consent_required: ['Latchkey needs your consent', 'Latchkey needs you to approve the access Mine asks for.'],
      login_required: ['Sign in at Latchkey first', 'Latchkey needs you to sign in before it can answer Mine.'],
    };
    const [title, detail] = words[error.error] ?? ['Latchkey refused the request', 'Latchkey answered with an error.'];
    return new PageError(400, title, `${detail} (Latchkey said ${error.error}${error.error_description === undefined ? '' : `: ${error.error_description}`}.)`, next);
  }
  if (error instanceof oidc.ResponseBodyError) {
    return new PageError(400, 'Latchkey refused to exchange the code', `Mine could not trade the one-time code for tokens (${error.error}: ${error.error_description ?? 'no details'}). Start again.`, next);
  }
  if (error instanceof oidc.ClientError) {
    return new PageError(400, 'Mine could not trust this answer', `The answer that came back from Latchkey failed Mine's checks (${error.message}). For your safety nothing was done. Start again.`, next);
  }
  return new PageError(502, 'Mine could not reach Latchkey', `The request failed (${error instanceof Error ? error.message : String(error)}). Try again in a moment.`, next);
}

/** Only a local path (`/calendar`), never another site, is a place to return to. */
function localPath(value: string | undefined): string {
  return value !== undefined && /^\/(?![/\\])[\w\-./]*$/.test(value) ? value : '/';
}
