// RFC 6750 §2: where a bearer token may travel. The Authorization header (§2.1, recommended),
// a form-encoded body (§2.2), or the `access_token` query parameter (§2.3, discouraged: URLs end
// up in logs, history and Referer headers, so it is off unless the API enables it). A client
// MUST NOT use more than one method in a request (§2).
import { InvalidRequestError, InvalidTokenError, MissingTokenError } from './errors.js';

/** The parts of an HTTP request the verifier reads; every framework has them. */
export interface BearerRequest {
  headers: Record<string, string | string[] | undefined>;
  /** The parsed query string (an object of strings or string arrays), if any. */
  query?: unknown;
  /** The parsed body; read only when the content type is application/x-www-form-urlencoded. */
  body?: unknown;
}

export type TokenMethod = 'header' | 'body' | 'query';

// RFC 6750 §2.1: credentials = "Bearer" 1*SP b64token
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;

export function locateToken(request: BearerRequest, allowQuery: boolean): { token: string; method: TokenMethod } {
  const found: { token: string; method: TokenMethod }[] = [];
  const header = fromHeader(request.headers.authorization);
  if (header !== undefined) found.push({ token: header, method: 'header' });
  const body = fromBody(request);
  if (body !== undefined) found.push({ token: body, method: 'body' });
  const query = parameter(request.query, 'the query string');
  if (query !== undefined) {
    // D-8: a token in the URL is refused unless the API opted in.
    if (!allowQuery) {
      throw new InvalidTokenError('this API does not accept access tokens in the query string (RFC 6750 §2.3); send an Authorization: Bearer header');
    }
    found.push({ token: query, method: 'query' });
  }
  if (found.length > 1) {
    throw new InvalidRequestError(`the access token was sent ${found.length} ways (${found.map((f) => f.method).join(', ')}); use exactly one (RFC 6750 §2)`);
  }
  const only = found[0];
  if (only === undefined) throw new MissingTokenError();
  return only;
}

function fromHeader(value: string | string[] | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (Array.isArray(value)) throw new InvalidRequestError('the Authorization header must be sent once');
  // Another scheme (Basic, DPoP, ...) is not a bearer token: as if none was sent.
  if (!/^bearer(\s|$)/i.test(value)) return undefined;
  const match = BEARER.exec(value);
  if (match?.[1] === undefined) throw new InvalidRequestError('the Authorization header must be "Bearer <token>" with the token in base64url characters');
  return match[1];
}

function fromBody(request: BearerRequest): string | undefined {
  const type = request.headers['content-type'];
  const mediaType = (Array.isArray(type) ? type[0] : type)?.split(';')[0]?.trim().toLowerCase();
  // RFC 6750 §2.2: only a single-part application/x-www-form-urlencoded body may carry it.
  if (mediaType !== 'application/x-www-form-urlencoded') return undefined;
  return parameter(request.body, 'the form body');
}

function parameter(source: unknown, where: string): string | undefined {
  if (source === null || typeof source !== 'object') return undefined;
  const value: unknown = source instanceof URLSearchParams ? source.getAll('access_token') : (source as Record<string, unknown>).access_token;
  const values = Array.isArray(value) ? value : value === undefined ? [] : [value];
  if (values.length === 0) return undefined;
  if (values.length > 1) throw new InvalidRequestError(`access_token must not be sent more than once in ${where}`);
  const token = values[0];
  if (typeof token !== 'string' || token === '') throw new InvalidRequestError(`access_token in ${where} must be a non-empty string`);
  return token;
}
