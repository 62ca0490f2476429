// Mine's own session: a random id in the `mine_session` cookie (HttpOnly, SameSite=Lax), stored
// as its SHA-256 hash. It is not Latchkey's `latchkey_session`: the two are separate sessions of
// separate sites. Each session has a CSRF token that every one of Mine's forms posts back.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type {} from '@fastify/cookie';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { PageError } from './errors.js';
import type { MineSession, SessionPatch, SessionStore } from './store/session-store.js';

export const SESSION_COOKIE = 'mine_session';

export interface SessionDeps {
  store: SessionStore;
  now(): number;
  secureCookies: boolean;
}

export async function loadSession(deps: SessionDeps, request: FastifyRequest): Promise<MineSession | undefined> {
  const id = request.cookies[SESSION_COOKIE];
  if (id === undefined || !/^[A-Za-z0-9_-]{43}$/.test(id)) return undefined;
  return deps.store.find(hashId(id));
}

export async function ensureSession(deps: SessionDeps, request: FastifyRequest, reply: FastifyReply): Promise<MineSession> {
  return (await loadSession(deps, request)) ?? startSession(deps, reply);
}

/** A new session with a new id (after sign-in too, so an id set before it is worth nothing). */
export async function startSession(deps: SessionDeps, reply: FastifyReply, patch: SessionPatch = {}): Promise<MineSession> {
  const id = randomBytes(32).toString('base64url');
  const session: MineSession = {
    idHash: hashId(id),
    csrfToken: randomBytes(32).toString('base64url'),
    createdAt: deps.now(),
    pending: null,
    user: null,
    tokens: null,
    flash: null,
    ...patch,
  };
  await deps.store.create(session);
  reply.setCookie(SESSION_COOKIE, id, { path: '/', httpOnly: true, sameSite: 'lax', secure: deps.secureCookies });
  return session;
}

/** Every POST form of Mine's: the session's CSRF token, compared in constant time. */
export function verifyCsrf(session: MineSession | undefined, posted: unknown): asserts session is MineSession {
  const ok =
    session !== undefined &&
    typeof posted === 'string' &&
    posted.length === session.csrfToken.length &&
    timingSafeEqual(Buffer.from(posted), Buffer.from(session.csrfToken));
  if (!ok) throw new PageError(403, 'This form has expired', 'Mine could not check that this form came from one of its own pages (its security token was missing or stale). Nothing was changed. Open the page again and retry.');
}

function hashId(id: string): string {
  return createHash('sha256').update(id).digest('base64url');
}
