// Builds the HTTP app from the settings and the store: no listen, no globals, so tests build as
// many as they like. Two plugin scopes, each with its own error handler: the back-channel
// endpoints answer JSON, the browser pages answer HTML.
import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Config } from './config.js';
import { registerConsoleRoutes } from './console/routes.js';
import type { ServerContext } from './context.js';
import { OAuthError, PageError } from './errors.js';
import { answerClientError, jsonErrorHandler, pageErrorHandler } from './http/error-handler.js';
import { apiSecurityHeaders, registerSecurityHeaders, securityHeaders } from './http/security-headers.js';
import { showConsent, submitConsent } from './interaction/consent.js';
import { showHome } from './interaction/home.js';
import { showLogin, submitLogin } from './interaction/login.js';
import { showLogout, submitLogout } from './interaction/logout.js';
import { STYLESHEET } from './interaction/views/stylesheet.js';
import { authorize } from './oauth/authorize.js';
import { introspect } from './oauth/introspection.js';
import { metadata } from './oauth/metadata.js';
import { revoke } from './oauth/revocation.js';
import { token } from './oauth/token.js';
import { userinfo } from './oauth/userinfo.js';
import { ROUTES } from './routes.js';
import { CACHE_TTL_SECONDS, withReadCache } from './store/read-cache.js';
import type { Store } from './store/repositories.js';
import { KeyRing } from './tokens/keys.js';
import { randomToken } from './tokens/secrets.js';

export interface AppOptions {
  config: Config;
  store: Store;
  /** Fastify's logger option: false in tests, pino options in `serve`. */
  logger?: boolean | object;
  /** Unix seconds; tests pass their own clock. */
  now?: () => number;
  /** How often expired rows are swept, in ms (default 10 minutes; 0: never). */
  sweepIntervalMs?: number;
}

export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const { config } = options;
  const now = options.now ?? (() => Math.floor(Date.now() / 1000));
  const store = withReadCache(options.store, now);
  const keys = new KeyRing(store.signingKeys);
  const ctx: ServerContext = {
    config,
    store,
    keys,
    now,
    rotationSecret: await store.secrets.getOrCreate('refresh-token-rotation', () => randomToken()),
  };
  // The first start generates the signing keys (ES256 for access tokens, RS256 for ID tokens
  // by default), so the JWKS is never missing one.
  await keys.signingKey('ES256');
  await keys.signingKey('RS256');

  const app = Fastify({
    logger: options.logger ?? false,
    trustProxy: config.trustProxy,
    bodyLimit: 64 * 1024,
    return503OnClosing: true,
    // REL-10 (slowloris): a request whose headers or body never finish arriving is ended (408)
    // instead of holding its connection for ever. Node checks every 30 s, so it ends within 60 s.
    requestTimeout: 30_000,
    // Requests that fail before a route is known answer an OAuth error too (SEC-66 i): broken
    // framing on the socket (a lying Content-Length, bad chunks), and a path with bad escapes.
    clientErrorHandler: answerClientError,
    frameworkErrors: (error, request, reply) => void answerJson(error, request, reply),
  });
  await app.register(formbody, { bodyLimit: 64 * 1024 });
  registerSecurityHeaders(app, apiSecurityHeaders(config.issuer));
  const databaseUp = async (): Promise<boolean> => store.ping().then(() => true, () => false);
  const answerJson = (error: unknown, request: FastifyRequest, reply: FastifyReply) => jsonErrorHandler(error, request, reply, databaseUp);
  const answerPage = (error: unknown, request: FastifyRequest, reply: FastifyReply) => pageErrorHandler(error, request, reply, databaseUp);
  app.setNotFoundHandler((request, reply) => answerJson(new OAuthError('invalid_request', `no such endpoint: ${request.method} ${request.url.split('?')[0] ?? ''}`, { status: 404 }), request, reply));
  app.setErrorHandler(answerJson);

  await app.register(async (api) => {
    api.setErrorHandler(answerJson);
    const cors = (reply: FastifyReply) => reply.header('access-control-allow-origin', '*');
    const backChannel = [
      [ROUTES.token, token],
      [ROUTES.revocation, revoke],
      [ROUTES.introspection, introspect],
    ] as const;
    for (const [path, handler] of backChannel) {
      api.post(path, (request, reply) => handler(ctx, request, cors(reply)));
      api.options(path, (_request, reply) =>
        cors(reply).header('access-control-allow-methods', 'POST').header('access-control-allow-headers', 'authorization, content-type').status(204).send(),
      );
      // RFC 6749 §3.2, RFC 7009 §2.1, RFC 7662 §2.1: POST only; no token ever travels in a URL.
      api.route({
        method: ['GET', 'PUT', 'DELETE', 'PATCH'],
        url: path,
        handler: (_request, reply) => {
          reply.header('allow', 'POST');
          throw new OAuthError('invalid_request', `${path} accepts only POST`, { status: 405 });
        },
      });
    }
    // OpenID Connect Core §5.3.1: GET and POST.
    api.get(ROUTES.userinfo, (request, reply) => userinfo(ctx, request, cors(reply)));
    api.post(ROUTES.userinfo, (request, reply) => userinfo(ctx, request, cors(reply)));
    api.get(ROUTES.jwks, async (_request, reply) => {
      cors(reply).header('cache-control', 'public, max-age=60');
      return { keys: await keys.publicKeys() };
    });
    // Built at most every CACHE_TTL_SECONDS, not per request: only its scope list ever changes.
    let published: { at: number; document: Promise<Record<string, unknown>> } | undefined;
    const currentMetadata = (): Promise<Record<string, unknown>> => {
      const at = ctx.now();
      if (published === undefined || at - published.at >= CACHE_TTL_SECONDS) {
        const document = metadata(ctx);
        // A failed build (database down) is not kept: the next request tries again.
        document.catch(() => {
          if (published?.document === document) published = undefined;
        });
        published = { at, document };
      }
      return published.document;
    };
    for (const path of [ROUTES.oauthMetadata, ROUTES.openidMetadata]) {
      api.get(path, async (_request, reply) => {
        cors(reply).header('cache-control', 'public, max-age=5');
        return currentMetadata();
      });
    }
    api.get(ROUTES.health, async () => ({ status: 'ok' }));
    api.get(ROUTES.ready, async (request, reply) => {
      try {
        await store.ping();
        return { status: 'ready' };
      } catch (error) {
        request.log.warn({ err: error }, 'database not reachable');
        return reply.status(503).send({ status: 'unavailable' });
      }
    });
    api.get(ROUTES.stylesheet, async (_request, reply) => reply.type('text/css; charset=utf-8').header('cache-control', 'public, max-age=3600').send(STYLESHEET));
  });

  await app.register(async (pages) => {
    // Only the browser pages read or set cookies: the back-channel endpoints skip the cookie
    // plugin's per-request hooks (issue 9).
    await pages.register(cookie);
    registerSecurityHeaders(pages, securityHeaders(config.issuer));
    pages.setErrorHandler(answerPage);
    pages.addHook('onRequest', async (request, reply) => redirectToIssuerHost(config, request, reply));
    pages.get(ROUTES.home, (request, reply) => showHome(ctx, request, reply));
    pages.get(ROUTES.authorization, (request, reply) => authorize(ctx, request, reply));
    pages.post(ROUTES.authorization, (request, reply) => {
      requireFormPost(request);
      return authorize(ctx, request, reply);
    });
    pages.get(ROUTES.login, (request, reply) => showLogin(ctx, request, reply));
    pages.post(ROUTES.login, (request, reply) => {
      requireFormPost(request);
      return submitLogin(ctx, request, reply);
    });
    pages.get(ROUTES.logout, (request, reply) => showLogout(ctx, request, reply));
    pages.post(ROUTES.logout, (request, reply) => {
      requireFormPost(request);
      return submitLogout(ctx, request, reply);
    });
    pages.get(ROUTES.consent, (request, reply) => showConsent(ctx, request, reply));
    pages.post(ROUTES.consent, (request, reply) => {
      requireFormPost(request);
      return submitConsent(ctx, request, reply);
    });
    registerConsoleRoutes(pages, ctx);
  });

  // Expired sessions, codes and tokens are deleted periodically; many processes may do it at once.
  const sweepInterval = options.sweepIntervalMs ?? 10 * 60 * 1000;
  if (sweepInterval > 0) {
    const timer = setInterval(() => {
      store.sweep(ctx.now()).catch((error: unknown) => app.log.warn({ err: error }, 'sweeping expired rows failed'));
    }, sweepInterval);
    timer.unref();
    app.addHook('onClose', async () => clearInterval(timer));
  }

  return app;
}

/** Forms post application/x-www-form-urlencoded only (RFC 6749 §3.1, SEC-65 e). */
function requireFormPost(request: FastifyRequest): void {
  const type = (request.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/x-www-form-urlencoded') {
    throw new PageError(400, 'Invalid request', 'Forms must be sent as application/x-www-form-urlencoded.');
  }
}

/**
 * A browser that reached the pages under another host name than the issuer's (127.0.0.1 for
 * localhost) is sent to the issuer's origin before any cookie is set, so its session is not
 * silently split between two cookie jars.
 */
async function redirectToIssuerHost(config: Config, request: FastifyRequest, reply: FastifyReply): Promise<void> {
  if (request.method !== 'GET' && request.method !== 'HEAD') return;
  const issuer = new URL(config.issuer);
  if (request.host === issuer.host) return;
  // Only the path and query: an absolute-form target (`GET http://evil.example/login`) keeps no host.
  const { pathname, search } = new URL(request.url, issuer.origin);
  await reply.header('cache-control', 'no-store').redirect(`${issuer.origin}${pathname}${search}`, 303);
}
