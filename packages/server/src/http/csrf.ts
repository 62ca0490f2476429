// CSRF defence for every form (RFC 6749 §10.12, OWASP CSRF Prevention): a synchronizer token
// kept in the server-side session, plus a same-origin check of `Origin` and `Sec-Fetch-Site`
// when the browser sends them.
import type { FastifyRequest } from 'fastify';
import { PageError } from '../errors.js';
import type { Session } from '../store/repositories.js';
import { constantTimeEqual } from '../tokens/secrets.js';

const EXPIRED = 'This form has expired or was sent from another site. Go back, reload the page and try again.';

export function verifyCsrf(request: FastifyRequest, session: Session | undefined, posted: string | undefined, issuer: string): asserts session is Session {
  const origin = request.headers.origin;
  const site = request.headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin' && site !== 'none') {
    throw new PageError(403, 'Request refused', EXPIRED);
  }
  // Under `Referrer-Policy: no-referrer` browsers send `Origin: null` even for same-origin form
  // posts; that is accepted only when the browser itself vouches with Sec-Fetch-Site.
  const sameOrigin = origin === new URL(issuer).origin || (origin === 'null' && site === 'same-origin');
  if (origin !== undefined && !sameOrigin) {
    throw new PageError(403, 'Request refused', EXPIRED);
  }
  if (session === undefined || posted === undefined || !constantTimeEqual(posted, session.csrfToken)) {
    throw new PageError(403, 'Request refused', EXPIRED);
  }
}
