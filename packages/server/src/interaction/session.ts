// Browser sessions, kept server-side (ARCHITECTURE: every fact lives in the database). The
// cookie carries a 256-bit random id; the database only its hash. A visitor gets an anonymous
// session (holding the CSRF secret) before logging in, and a new session id at login (SEC-56).
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ServerContext } from '../context.js';
import type { Session } from '../store/repositories.js';
import { hashSecret, randomToken } from '../tokens/secrets.js';

const ANONYMOUS_TTL = 60 * 60;
const USER_TTL = 12 * 60 * 60;

/** `__Host-` binds the cookie to the issuer's origin when it is https (RFC 6265bis §4.1.3.2). */
export function sessionCookieName(issuer: string): string {
  return issuer.startsWith('https:') ? '__Host-latchkey_session' : 'latchkey_session';
}

export async function loadSession(ctx: ServerContext, request: FastifyRequest): Promise<Session | undefined> {
  const id = request.cookies[sessionCookieName(ctx.config.issuer)];
  if (id === undefined || id.length > 200) return undefined;
  return ctx.store.sessions.find(hashSecret(id), ctx.now());
}

/** The visitor's session, or a new anonymous one (a fixed or unknown cookie value is never adopted). */
export async function ensureSession(ctx: ServerContext, request: FastifyRequest, reply: FastifyReply): Promise<Session> {
  return (await loadSession(ctx, request)) ?? startSession(ctx, reply, null);
}

/** Creates a session and sets its cookie; at login `previous` is deleted so its id dies with it. */
export async function startSession(
  ctx: ServerContext,
  reply: FastifyReply,
  userId: string | null,
  previous?: Session,
): Promise<Session> {
  const now = ctx.now();
  const id = randomToken();
  const session: Session = {
    idHash: hashSecret(id),
    userId,
    csrfToken: randomToken(),
    authTime: userId === null ? null : now,
    createdAt: now,
    expiresAt: now + (userId === null ? ANONYMOUS_TTL : USER_TTL),
  };
  await ctx.store.sessions.create(session);
  if (previous !== undefined) await ctx.store.sessions.delete(previous.idHash);
  reply.setCookie(sessionCookieName(ctx.config.issuer), id, {
    path: '/',
    httpOnly: true,
    // D-6: Lax, so the top-level cross-site navigation to /authorize carries the session.
    sameSite: 'lax',
    secure: ctx.config.issuer.startsWith('https:'),
  });
  return session;
}

export async function endSession(ctx: ServerContext, reply: FastifyReply, session: Session | undefined): Promise<void> {
  if (session !== undefined) await ctx.store.sessions.delete(session.idHash);
  reply.clearCookie(sessionCookieName(ctx.config.issuer), { path: '/', httpOnly: true, sameSite: 'lax', secure: ctx.config.issuer.startsWith('https:') });
}
