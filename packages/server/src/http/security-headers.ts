// Headers on every response (RFC 9700 §4.16 clickjacking, §4.2.4 referrer leaks; SEC-49/50/51):
// no framing, no referrer, no inline script or third-party content, and HSTS when https. The
// browser pages get the full set; the JSON endpoints the part that applies to them.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';
import helmet from 'helmet';

/**
 * The headers helmet sets with these options. They depend only on the issuer, so helmet runs
 * once, here, against a response that only records them; each request then gets the recorded
 * set in one call. Running helmet's dozen middlewares on every request (and @fastify/helmet
 * rebuilding them too) showed in the token endpoint's CPU profile (issue 9).
 */
function recordHelmet(options: Parameters<typeof helmet>[0]): Readonly<Record<string, string>> {
  const setHeaders = helmet(options);
  const headers: Record<string, string> = {};
  const recorder = {
    setHeader(name: string, value: unknown) {
      headers[name.toLowerCase()] = String(value);
    },
    removeHeader(name: string) {
      delete headers[name.toLowerCase()];
    },
  };
  let failure: unknown;
  // helmet calls only setHeader and removeHeader on the response, and calls back at once; the
  // cast gives it the recorder where its types name a whole ServerResponse.
  setHeaders({} as IncomingMessage, recorder as unknown as ServerResponse, (error?: unknown) => {
    failure = error;
  });
  if (failure !== undefined) throw failure;
  if (Object.keys(headers).length === 0) throw new Error('helmet set no headers');
  return Object.freeze(headers);
}

const hsts = (issuer: string) => (issuer.startsWith('https:') ? { maxAge: 31_536_000, includeSubDomains: false } : false);

/** The browser pages' headers: no framing, no referrer, no inline script or third-party content. */
export function securityHeaders(issuer: string): Readonly<Record<string, string>> {
  return recordHelmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'none'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'"],
        scriptSrc: ["'self'"],
        // No form-action: Chrome applies it to the redirect after the consent form, which goes
        // to the client's origin.
        frameAncestors: ["'none'"],
        baseUri: ["'none'"],
      },
    },
    xFrameOptions: { action: 'deny' },
    referrerPolicy: { policy: 'no-referrer' },
    strictTransportSecurity: hsts(issuer),
    // Metadata, JWKS and the token endpoint are read cross-origin by browser apps (CORS).
    crossOriginResourcePolicy: false,
    crossOriginOpenerPolicy: { policy: 'same-origin' },
  });
}

/**
 * The JSON endpoints' headers (token, introspection, revocation, userinfo, metadata, JWKS): the
 * ones that mean something to a response nothing renders, as OWASP's REST Security Cheat Sheet
 * lists them (nosniff, no framing, a CSP that allows nothing, HSTS), and no referrer. The page-only
 * ones (the pages' CSP rules, the opener policy, origin-agent-cluster, X-DNS-Prefetch-Control,
 * X-Download-Options, X-Permitted-Cross-Domain-Policies, X-XSS-Protection) are left out: a dozen
 * headers cost a Fastify route 2-3 us per request (issue 9, docs/PERFORMANCE.md).
 */
export function apiSecurityHeaders(issuer: string): Readonly<Record<string, string>> {
  return recordHelmet({
    contentSecurityPolicy: { useDefaults: false, directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] } },
    xFrameOptions: { action: 'deny' },
    referrerPolicy: { policy: 'no-referrer' },
    strictTransportSecurity: hsts(issuer),
    crossOriginResourcePolicy: false,
    crossOriginOpenerPolicy: false,
    originAgentCluster: false,
    xDnsPrefetchControl: false,
    xDownloadOptions: false,
    xPermittedCrossDomainPolicies: false,
    xXssProtection: false,
  });
}

/** Every response gets the JSON endpoints' set; the browser pages' scope adds the pages' set. */
export function registerSecurityHeaders(app: FastifyInstance, headers: Readonly<Record<string, string>>): void {
  app.addHook('onRequest', (_request, reply, done) => {
    reply.headers(headers);
    done();
  });
}
