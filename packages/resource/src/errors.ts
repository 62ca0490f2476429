// The verifier's errors: one base class per kind of answer, each with a stable `code`, so an
// adapter maps any of them to its RFC 6750 §3 answer without string matching. Untrusted input
// (a bad or missing token) throws a BearerError; an issuer that cannot be reached throws
// IssuerUnavailableError (the API answers 503, the client is not at fault); bugs throw TypeError.
// No message ever contains the token.

/** RFC 6750 §3.1 error codes, plus `null` for "no token was sent" (a bare challenge). */
export type BearerErrorCode = 'invalid_request' | 'invalid_token' | 'insufficient_scope' | null;

export abstract class BearerError extends Error {
  abstract readonly code: BearerErrorCode;
  abstract readonly status: 400 | 401 | 403;
}

/** No token in the request (RFC 6750 §3.1: the challenge carries no error code). */
export class MissingTokenError extends BearerError {
  readonly code = null;
  readonly status = 401;
  constructor() {
    super('this API needs an access token: send it as "Authorization: Bearer <token>"');
    this.name = 'MissingTokenError';
  }
}

/** A malformed request: two token methods at once, a duplicated parameter, a bad header (400). */
export class InvalidRequestError extends BearerError {
  readonly code = 'invalid_request';
  readonly status = 400;
  constructor(message: string) {
    super(message);
    this.name = 'InvalidRequestError';
  }
}

/** The token is expired, revoked, malformed, not for this API or not from this issuer (401). */
export class InvalidTokenError extends BearerError {
  readonly code = 'invalid_token';
  readonly status = 401;
  constructor(
    message: string,
    /** True when the only problem is that the token expired: the client should refresh. */
    readonly expired = false,
  ) {
    super(message);
    this.name = 'InvalidTokenError';
  }
}

/** A valid token that lacks a scope the request needs (403). */
export class InsufficientScopeError extends BearerError {
  readonly code = 'insufficient_scope';
  readonly status = 403;
  constructor(
    /** Every scope the request needs (RFC 6750 §3 `scope` attribute). */
    readonly required: readonly string[],
    granted: readonly string[],
  ) {
    const missing = required.filter((s) => !granted.includes(s));
    super(`the access token lacks the scope ${missing.join(' ')} that this request needs`);
    this.name = 'InsufficientScopeError';
  }
}

/** The issuer's metadata or key set could not be fetched: the API should answer 503. */
export class IssuerUnavailableError extends Error {
  readonly code = 'temporarily_unavailable';
  readonly status = 503;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'IssuerUnavailableError';
  }
}
