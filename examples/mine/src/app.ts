// Builds Mine without listening, so tests build as many as they like; `main.ts` listens.
import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import Fastify, { type FastifyInstance } from 'fastify';
import { readCredentials, type MineCredentials } from './config.js';
import type { MineContext } from './context.js';
import { PageError, SessionEnded } from './errors.js';
import { discoverLatchkey } from './latchkey.js';
import { authRoutes } from './routes/auth.js';
import { frameOf, html, pageRoutes } from './routes/pages.js';
import { loadSession } from './session.js';
import { mineDatabasePath, openSessionStore } from './store/session-store.js';
import { STYLESHEET, STYLESHEET_PATH } from './views/layout.js';
import { ErrorPage } from './views/pages.js';

export interface MineOptions {
  /** Where `mine.db` is kept, and `mine-client.json` read from unless `credentials` is given. */
  dataDir: string;
  /** The Calendar API's origin. */
  apiUrl: string;
  credentials?: MineCredentials;
  /** Fastify's logger option; false by default. */
  logger?: boolean | Record<string, unknown>;
  /** Unix seconds; tests may move it. */
  now?: () => number;
}

export async function buildMine(options: MineOptions): Promise<FastifyInstance> {
  const credentials = options.credentials ?? readCredentials(options.dataDir);
  const latchkey = await discoverLatchkey(credentials);
  const store = await openSessionStore(mineDatabasePath(options.dataDir));
  const ctx: MineContext = {
    latchkey,
    store,
    apiUrl: new URL(options.apiUrl).origin,
    now: options.now ?? (() => Math.floor(Date.now() / 1000)),
    secureCookies: new URL(credentials.redirect_uri).protocol === 'https:',
  };
  const app = Fastify({ logger: options.logger ?? false, bodyLimit: 64 * 1024, return503OnClosing: true });
  app.addHook('onClose', async () => store.close());
  await app.register(cookie);
  await app.register(formbody, { bodyLimit: 64 * 1024 });
  app.addHook('onSend', async (_request, reply) => {
    reply.header('content-security-policy', "default-src 'self'; frame-ancestors 'none'; base-uri 'none'");
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'no-referrer');
  });

  app.setNotFoundHandler(async (request, reply) =>
    html(reply.code(404), ErrorPage({ frame: await frameOf(ctx, await loadSession(ctx, request)), title: 'Not found', detail: 'Mine has no page here.', next: { href: '/', label: "Mine's home page" } })),
  );
  app.setErrorHandler(async (error, request, reply) => {
    const session = await loadSession(ctx, request).catch(() => undefined);
    if (error instanceof SessionEnded && session !== undefined) {
      await ctx.store.update(session.idHash, { user: null, tokens: null, pending: null, flash: { kind: 'warning', text: error.explanation } });
      return reply.redirect('/', 303);
    }
    let page: PageError;
    if (error instanceof PageError) page = error;
    else if (error instanceof SessionEnded) page = new PageError(401, 'Please sign in again', error.explanation);
    else if (typeof (error as { statusCode?: unknown }).statusCode === 'number' && (error as { statusCode: number }).statusCode < 500) {
      page = new PageError((error as { statusCode: number }).statusCode, 'Mine could not read this request', 'The request was not in a form Mine understands.');
    } else {
      request.log.error({ err: error }, 'request failed');
      page = new PageError(500, 'Something went wrong in Mine', 'Mine could not finish this request. Nothing about your account was shared. Try again.');
    }
    return html(reply.code(page.status), ErrorPage({ frame: await frameOf(ctx, session), title: page.title, detail: page.detail, next: page.next }));
  });

  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get(STYLESHEET_PATH, async (_request, reply) => reply.type('text/css; charset=utf-8').header('cache-control', 'public, max-age=3600').send(STYLESHEET));
  pageRoutes(app, ctx);
  authRoutes(app, ctx);
  return app;
}
