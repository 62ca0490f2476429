// Headers on every response (RFC 9700 §4.16 clickjacking, §4.2.4 referrer leaks; SEC-49/50/51):
// no framing, no referrer, no inline script or third-party content, and HSTS when https.
import type { FastifyInstance } from 'fastify';
import helmet from 'helmet';

export function registerSecurityHeaders(app: FastifyInstance, issuer: string): void {
  // helmet builds its header values once, here; @fastify/helmet rebuilt them on every request,
  // which a CPU profile of the token endpoint showed (issue 9).
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
  app.addHook('onRequest', (request, reply, done) => {
    // helmet's callback never receives an error: it only sets headers.
    setHeaders(request.raw, reply.raw, () => done());
  });
}
