// Headers on every response (RFC 9700 §4.16 clickjacking, §4.2.4 referrer leaks; SEC-49/50/51):
// no framing, no referrer, no inline script or third-party content, and HSTS when https.
import type { FastifyInstance } from 'fastify';
import helmet from '@fastify/helmet';

export async function registerSecurityHeaders(app: FastifyInstance, issuer: string): Promise<void> {
  await app.register(helmet, {
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
}
