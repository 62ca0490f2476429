// Bearer tokens at this server's own protected endpoint (userinfo), RFC 6750 §2: the
// Authorization header or a form body, exactly one of them; failures answered per §3.
import type { FastifyRequest } from 'fastify';
import { OAuthError } from '../errors.js';
import { Params } from './params.js';

/** RFC 6750 §3: `WWW-Authenticate: Bearer` with the realm and, when a token was sent, the error. */
export function bearerChallenge(realm: string, error?: { code: string; description: string; scope?: string }): string {
  const parts = [`realm="${realm}"`];
  if (error !== undefined) {
    parts.push(`error="${error.code}"`, `error_description="${error.description.replace(/["\\]/g, '')}"`);
    if (error.scope !== undefined) parts.push(`scope="${error.scope}"`);
  }
  return `Bearer ${parts.join(', ')}`;
}

export function bearerError(realm: string, code: 'invalid_token' | 'insufficient_scope' | 'invalid_request', description: string, scope?: string): OAuthError {
  const status = code === 'invalid_token' ? 401 : code === 'insufficient_scope' ? 403 : 400;
  const challenge = bearerChallenge(realm, { code, description, ...(scope === undefined ? {} : { scope }) });
  // The OAuthError union holds the authorization server's codes; RFC 6750's are answered the same way.
  return new OAuthError('invalid_request', description, { status, headers: { 'WWW-Authenticate': challenge }, wireCode: code });
}

/** The token sent, or a 401 with a bare challenge when none was (RFC 6750 §3.1). */
export function readBearerToken(request: FastifyRequest, realm: string): string {
  const header = request.headers.authorization;
  const type = (request.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  const body = request.method === 'POST' && type === 'application/x-www-form-urlencoded' ? Params.from(request.body) : undefined;
  const inBody = body?.has('access_token') === true;
  // §2.3's query form is not accepted here, but a token there beside another one is still two methods.
  const inQuery = Params.from(request.query).has('access_token');
  if ([header !== undefined, inBody, inQuery].filter(Boolean).length > 1) throw bearerError(realm, 'invalid_request', 'send the access token in one way only (RFC 6750 section 2)');
  if (header !== undefined) {
    const match = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i.exec(header);
    if (match?.[1] === undefined) throw bearerError(realm, 'invalid_request', 'the Authorization header must be: Bearer <access token>');
    return match[1];
  }
  if (inBody) {
    const token = body?.get('access_token');
    if (token !== undefined) return token;
  }
  throw new OAuthError('invalid_request', 'no access token was sent', { status: 401, headers: { 'WWW-Authenticate': bearerChallenge(realm) }, noBody: true });
}
