// Who may use the console and account pages: a signed-in user. A signed-out visitor is sent to
// the login page and back (GET); a form posted without a signed-in session is refused. Every
// form is CSRF-checked (http/csrf.ts) and must be form-encoded.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ServerContext } from '../context.js';
import { PageError } from '../errors.js';
import { verifyCsrf } from '../http/csrf.js';
import { Params } from '../http/params.js';
import { loadSession } from '../interaction/session.js';
import { ROUTES } from '../routes.js';
import type { Session, User } from '../store/repositories.js';
import { safeReturnTo } from './return-to.js';

export interface SignedIn {
  session: Session;
  user: User;
}

/** The signed-in user, or null after answering with a redirect to the login page. */
export async function signedInOrLogin(ctx: ServerContext, request: FastifyRequest, reply: FastifyReply): Promise<SignedIn | null> {
  const session = await loadSession(ctx, request);
  const user = session?.userId === null || session === undefined ? undefined : await ctx.store.users.findById(session.userId);
  if (session !== undefined && user !== undefined) return { session, user };
  const path = request.url.split('?')[0] ?? ROUTES.home;
  const returnTo = safeReturnTo(path);
  await reply.header('cache-control', 'no-store').redirect(returnTo === null ? ROUTES.login : `${ROUTES.login}?return_to=${encodeURIComponent(returnTo)}`, 303);
  return null;
}

/** A posted form: form-encoded, CSRF-checked, from a signed-in user. */
export async function signedInForm(ctx: ServerContext, request: FastifyRequest): Promise<SignedIn & { params: Params }> {
  const type = (request.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/x-www-form-urlencoded') {
    throw new PageError(400, 'Invalid request', 'Forms must be sent as application/x-www-form-urlencoded.');
  }
  const params = Params.from(request.body);
  const session = await loadSession(ctx, request);
  verifyCsrf(request, session, params.get('csrf'), ctx.config.issuer);
  const user = session.userId === null ? undefined : await ctx.store.users.findById(session.userId);
  if (user === undefined) throw new PageError(403, 'Sign in first', 'Your session has ended. Sign in again and retry.');
  return { session, user, params };
}

/** One multi-line or free-text field, read whole (a textarea may be longer than a parameter). */
export function textField(params: Params, name: string, max = 50_000): string {
  const values = params.all(name);
  if (values.length > 1) throw new PageError(400, 'Invalid request', `The ${name} field was sent more than once.`);
  const value = values[0] ?? '';
  if (value.length > max) throw new PageError(400, 'Invalid request', `The ${name} field is longer than ${max} characters.`);
  return value;
}

export function sendPage(reply: FastifyReply, status: number, html: string): FastifyReply {
  return reply.status(status).type('text/html; charset=utf-8').header('cache-control', 'no-store').send(html);
}
