// Mine's pages. Each one that shows the user's data calls the Calendar API through api.ts, which
// refreshes an expired access token once, or ends the session with a message.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { callApi } from '../api.js';
import type { MineContext } from '../context.js';
import { PageError } from '../errors.js';
import { SIGN_IN_SCOPES } from '../latchkey.js';
import { ensureSession, loadSession, verifyCsrf } from '../session.js';
import type { MineSession } from '../store/session-store.js';
import type { CalendarEvent, DriveFile } from '../types.js';
import { AccessPage } from '../views/access.js';
import { CalendarPage } from '../views/calendar.js';
import { renderPage, type Frame } from '../views/layout.js';
import { FilesPage, HomePage, SignInNeededPage } from '../views/pages.js';

type SignedIn = MineSession & { tokens: NonNullable<MineSession['tokens']> };

export function pageRoutes(app: FastifyInstance, ctx: MineContext): void {
  app.get('/', async (request, reply) => {
    const session = await ensureSession(ctx, request, reply);
    return html(reply, HomePage({ frame: await frameOf(ctx, session), issuer: ctx.latchkey.credentials.issuer }));
  });

  app.get('/calendar', async (request, reply) => {
    const session = await signedIn(ctx, request, reply, 'Your calendar', '/calendar');
    if (session === null) return reply;
    return html(reply, await calendarPage(ctx, session, null));
  });

  app.post<{ Body: Record<string, unknown> }>('/calendar/events', async (request, reply) => {
    const session = await loadSession(ctx, request);
    verifyCsrf(session, request.body.csrf);
    if (session.tokens === null) return reply.redirect('/calendar', 303);
    const event = { title: text(request.body.title), start: utc(request.body.start), end: utc(request.body.end) };
    const answer = await callApi(ctx, session, 'POST', '/calendar/events', event);
    if (answer.kind === 'ok' && answer.status === 201) return reply.redirect('/calendar', 303);
    const problem =
      answer.kind === 'insufficient_scope'
        ? 'You did not allow Mine to add events, so the Calendar API refused.'
        : `The Calendar API did not add the event: ${describe(answer.body)}`;
    return html(reply.code(answer.kind === 'ok' ? answer.status : 403), await calendarPage(ctx, session as SignedIn, problem));
  });

  app.get('/files', async (request, reply) => {
    const session = await signedIn(ctx, request, reply, 'Your files', '/files');
    if (session === null) return reply;
    const answer = await callApi(ctx, session, 'GET', '/drive/files');
    const files = answer.kind === 'ok' ? ((answer.body as { files?: DriveFile[] }).files ?? []) : null;
    return html(reply, FilesPage({ frame: await frameOf(ctx, session), files }));
  });

  app.get('/access', async (request, reply) => {
    const session = await signedIn(ctx, request, reply, 'Access', '/access');
    if (session === null) return reply;
    return html(reply, AccessPage({ frame: await frameOf(ctx, session), tokens: session.tokens, wanted: SIGN_IN_SCOPES, issuer: ctx.latchkey.credentials.issuer, apiUrl: ctx.apiUrl, now: ctx.now() }));
  });
}

async function calendarPage(ctx: MineContext, session: SignedIn, problem: string | null) {
  const answer = await callApi(ctx, session, 'GET', '/calendar/events');
  const events = answer.kind === 'ok' ? ((answer.body as { events?: CalendarEvent[] }).events ?? []) : null;
  const canWrite = session.tokens?.scopes.includes('calendar.write') ?? false;
  const tomorrow = new Date((ctx.now() + 86_400) * 1000).toISOString().slice(0, 11);
  const frame = { ...(await frameOf(ctx, session)), csrfToken: session.csrfToken };
  return CalendarPage({ frame, events, canWrite, problem, defaults: { start: `${tomorrow}10:00`, end: `${tomorrow}11:00` } });
}

/** The session, when it holds tokens; otherwise answers with the "sign in first" page and null. */
async function signedIn(ctx: MineContext, request: FastifyRequest, reply: FastifyReply, title: string, returnTo: string): Promise<SignedIn | null> {
  const session = await ensureSession(ctx, request, reply);
  if (session.tokens !== null) return session as SignedIn;
  html(reply.code(401), SignInNeededPage({ frame: await frameOf(ctx, session), title, returnTo }));
  return null;
}

/** The frame of a page; a message set by the previous request is shown once. */
export async function frameOf(ctx: MineContext, session: MineSession | undefined): Promise<Frame> {
  if (session === undefined) return { user: null, csrfToken: null, flash: null };
  if (session.flash !== null) await ctx.store.update(session.idHash, { flash: null });
  return { user: session.user, csrfToken: session.csrfToken, flash: session.flash };
}

export function html(reply: FastifyReply, page: preact.VNode): FastifyReply {
  return reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').send(renderPage(page));
}

function text(value: unknown): string {
  if (typeof value !== 'string') throw new PageError(400, 'Something is missing', 'The form was not complete.', { href: '/calendar', label: 'Back to your calendar' });
  return value.trim();
}

/** A `datetime-local` value, read as UTC (the form says so), as the API's ISO 8601 with a zone. */
function utc(value: unknown): string {
  const raw = text(value);
  return /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/.test(raw) ? `${raw}:00Z` : raw;
}

function describe(body: unknown): string {
  const b = (body ?? {}) as { error_description?: unknown; problems?: { field?: string; message?: string }[] };
  if (Array.isArray(b.problems)) return b.problems.map((p) => `${p.field ?? ''}: ${p.message ?? ''}`).join('; ');
  return typeof b.error_description === 'string' ? b.error_description : 'no details';
}
