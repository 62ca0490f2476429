// Headers on every response (RFC 9700 §4.16 clickjacking, §4.2.4 referrer leaks; SEC-49/50/51):
// no framing, no referrer, no inline script or third-party content, and HSTS when https.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';
import helmet from 'helmet';

/**
 * The headers helmet sets with this configuration. They depend only on the issuer, so helmet
 * runs once, here, against a response that only records them; each request then gets the
 * recorded set in one call. Running helmet's dozen middlewares on every request (and
 * @fastify/helmet rebuilding them too) showed in the token endpoint's CPU profile (issue 9).
 */
export function securityHeaders(issuer: string): Readonly<Record<string, string>> {
  const setHeaders = helmet({
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
    frameguard: { action: 'deny' },
    referrerPolicy: { policy: 'no-referrer' },
    hsts: issuer.startsWith('https:') ? { maxAge: 31_536_000, includeSubDomains: false } : false,
    // Metadata, JWKS and the token endpoint are read cross-origin by browser apps (CORS below).
    crossOriginResourcePolicy: false,
    crossOriginOpenerPolicy: { policy: 'same-origin' },
  });
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

export function registerSecurityHeaders(app: FastifyInstance, issuer: string): void {
  const headers = securityHeaders(issuer);
  app.addHook('onRequest', (_request, reply, done) => {
    reply.headers(headers);
    done();
  });
}
