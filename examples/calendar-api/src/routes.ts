// The Calendar API's routes (CONTRACTS.md "The demo Calendar API"). Each route names the scope it
// needs in its config; the @latchkey/resource plugin checks the token before the handler runs
// and puts the caller on `request.auth`. Every query is scoped to the caller's `sub`.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { EventInputError, parseEventInput } from './event-input.js';
import type { CalendarStore } from './store/calendar-store.js';

export const SCOPES = { calendarRead: 'calendar.read', calendarWrite: 'calendar.write', driveRead: 'drive.read' } as const;

export interface CalendarRoutesOptions {
  store: CalendarStore;
  /** The realm of this API's challenges (RFC 6750 §3). */
  realm: string;
}

export async function calendarRoutes(app: FastifyInstance, { store, realm }: CalendarRoutesOptions): Promise<void> {
  // Runs after the token check (the plugin puts it first): the data here is a user's.
  const preHandler = async (request: FastifyRequest, reply: FastifyReply) => requireUser(request, reply, realm);

  app.get('/calendar/events', { config: { scopes: [SCOPES.calendarRead] }, preHandler }, async (request) => ({
    events: await store.listEvents(owner(request)),
  }));

  app.post('/calendar/events', { config: { scopes: [SCOPES.calendarWrite] }, preHandler }, async (request, reply) => {
    const sub = owner(request);
    let input;
    try {
      input = parseEventInput(request.body);
    } catch (error) {
      if (!(error instanceof EventInputError)) throw error;
      return reply.code(400).send({ error: 'invalid_event', error_description: error.message, problems: error.problems });
    }
    return reply.code(201).send(await store.createEvent(sub, input, Math.floor(Date.now() / 1000)));
  });

  app.delete<{ Params: { id: string } }>('/calendar/events/:id', { config: { scopes: [SCOPES.calendarWrite] }, preHandler }, async (request, reply) => {
    // Another user's event answers exactly like one that does not exist.
    if (!(await store.deleteEvent(owner(request), request.params.id))) {
      return reply.code(404).send({ error: 'not_found', error_description: 'no event with this id in your calendar' });
    }
    return reply.code(204).send();
  });

  app.get('/drive/files', { config: { scopes: [SCOPES.driveRead] }, preHandler }, async (request) => ({
    files: await store.listFiles(owner(request)),
  }));
}

/**
 * SEC-43 (c): a token a client got for itself (client_credentials; RFC 9068 §2.2 makes its `sub`
 * the client id) speaks for no user, so it reads no calendar, not even one whose owner's id
 * happens to equal that client id.
 */
async function requireUser(request: FastifyRequest, reply: FastifyReply, realm: string): Promise<void> {
  if (request.auth === null || request.auth.sub !== request.auth.clientId) return;
  const description = 'this API holds the data of users, and a token that a client got for itself (client_credentials) names no user';
  return reply
    .code(403)
    .header('www-authenticate', `Bearer realm="${realm}", error="insufficient_scope", error_description="${description}"`)
    .send({ error: 'insufficient_scope', error_description: description });
}

/** The caller's `sub`; a route reaching here without `request.auth` is a wiring bug. */
function owner(request: FastifyRequest): string {
  if (request.auth === null) throw new TypeError(`${request.routeOptions.url ?? request.url} ran without a verified token`);
  return request.auth.sub;
}
