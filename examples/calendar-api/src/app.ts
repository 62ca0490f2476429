// Builds the Calendar API without listening, so tests build as many as they like (one store, one
// verifier each). `main.ts` listens.
import formbody from '@fastify/formbody';
import { createVerifier, redactAccessToken, type VerifierOptions } from '@latchkey/resource';
import { latchkey } from '@latchkey/resource/fastify';
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import { readDemoUser, seedDemoData } from './demo-data.js';
import { calendarRoutes } from './routes.js';
import { calendarDatabasePath, openCalendarStore } from './store/calendar-store.js';

export interface ApiOptions {
  /** The authorization server whose tokens this API accepts. */
  issuer: string;
  /** This API's identifier: the `--resource` of its scopes, and the `aud` its tokens name. */
  audience: string;
  /** Where `calendar.db` lives (and where the demo seed leaves `demo-user.json`). */
  dataDir: string;
  /**
   * Accept `?access_token=` (RFC 6750 §2.3). On by default here only so the seed's "method 1"
   * works; see README.md for why an API should leave it off.
   */
  allowQueryToken?: boolean;
  /** Passed on to the verifier (clock tolerance, key set cooldown, fetch). */
  verifier?: Omit<VerifierOptions, 'issuer' | 'audience' | 'allowQueryToken'>;
  /** Fastify's logger option; false by default. */
  logger?: boolean | Record<string, unknown>;
}

export async function buildApi(options: ApiOptions): Promise<FastifyInstance> {
  const store = await openCalendarStore(calendarDatabasePath(options.dataDir));
  const demoUser = readDemoUser(options.dataDir);
  if (demoUser !== undefined) await seedDemoData(store, demoUser);

  const verifier = createVerifier({
    ...options.verifier,
    issuer: options.issuer,
    audience: options.audience,
    allowQueryToken: options.allowQueryToken ?? true,
  });
  const app = Fastify({
    logger: options.logger === undefined || options.logger === false ? false : { ...(options.logger === true ? {} : options.logger), serializers: { req: logRequest } },
    bodyLimit: 64 * 1024,
    return503OnClosing: true,
  });
  app.addHook('onClose', async () => store.close());
  await app.register(formbody, { bodyLimit: 64 * 1024 });
  app.setNotFoundHandler((request, reply) => reply.code(404).send({ error: 'not_found', error_description: `no such endpoint: ${request.method} ${request.url.split('?')[0] ?? ''}` }));
  app.setErrorHandler((error: { statusCode?: number; message?: string }, request, reply) => {
    const status = error.statusCode ?? 500;
    if (status >= 400 && status < 500) return reply.code(status).send({ error: 'invalid_request', error_description: error.message ?? 'bad request' });
    request.log.error({ err: error }, 'request failed');
    return reply.code(500).send({ error: 'server_error', error_description: 'something went wrong on our side' });
  });
  app.get('/healthz', async () => ({ status: 'ok' }));
  await app.register(latchkey, { verifier });
  await app.register(calendarRoutes, { store, realm: verifier.realm });
  return app;
}

/** The request as logged: the URL without a query-string token (RFC 6750 §5.3). */
function logRequest(request: FastifyRequest): Record<string, unknown> {
  return { method: request.method, url: redactAccessToken(request.url), remoteAddress: request.ip };
}
