// One error type for every OAuth rejection. Where it is answered depends on where it happened:
// JSON from back-channel endpoints (RFC 6749 §5.2), a redirect from the authorization endpoint
// once the redirect URI is trusted (§4.1.2.1), an HTML page otherwise (PageError).

export type OAuthErrorCode =
  | 'invalid_request'
  | 'invalid_client'
  | 'invalid_grant'
  | 'unauthorized_client'
  | 'unsupported_grant_type'
  | 'unsupported_response_type'
  | 'invalid_scope'
  | 'access_denied'
  | 'login_required'
  | 'consent_required'
  | 'interaction_required'
  | 'server_error'
  | 'temporarily_unavailable';

const STATUS: Record<OAuthErrorCode, number> = {
  invalid_request: 400,
  invalid_client: 401, // RFC 6749 §5.2: 401 whichever way the client authenticated (CONTRACTS.md)
  invalid_grant: 400,
  unauthorized_client: 400,
  unsupported_grant_type: 400,
  unsupported_response_type: 400,
  invalid_scope: 400,
  access_denied: 403,
  login_required: 400,
  consent_required: 400,
  interaction_required: 400,
  server_error: 500,
  temporarily_unavailable: 503,
};

export class OAuthError extends Error {
  override readonly name = 'OAuthError';
  readonly status: number;
  /** Extra response headers, e.g. `WWW-Authenticate` for `invalid_client` over Basic. */
  readonly headers: Record<string, string>;
  /** The error code on the wire when it is not the server's own (RFC 6750 §3.1 `invalid_token`). */
  readonly wireCode: string;
  /** RFC 6750 §3.1: a request without a token gets the challenge and no error body. */
  readonly noBody: boolean;
  /** An unknown code or refresh token: counts against the client's guessing limit (SEC-24 b, c). */
  readonly guess: boolean;

  constructor(
    readonly code: OAuthErrorCode,
    readonly description: string,
    options: { status?: number; headers?: Record<string, string>; wireCode?: 'invalid_token' | 'insufficient_scope' | 'invalid_request'; noBody?: boolean; guess?: boolean } = {},
  ) {
    super(`${code}: ${description}`);
    this.status = options.status ?? STATUS[code];
    this.headers = options.headers ?? {};
    this.wireCode = options.wireCode ?? code;
    this.noBody = options.noBody ?? false;
    this.guess = options.guess ?? false;
  }

  toJSON(): { error: string; error_description: string } | Record<string, never> {
    if (this.noBody) return {};
    return { error: this.wireCode, error_description: safeDescription(this.description) };
  }
}

/** An error shown as an HTML page, never as a redirect (RFC 6749 §4.1.2.1, §10.15). */
export class PageError extends Error {
  override readonly name = 'PageError';
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(`${title}: ${detail}`);
  }
}

/**
 * RFC 6749 §5.2: error_description is limited to %x20-21 / %x23-5B / %x5D-7E; anything else
 * (quotes, backslashes, control or non-ASCII characters from echoed input) becomes `?`.
 */
export function safeDescription(text: string): string {
  return text.replace(/[^\x20\x21\x23-\x5B\x5D-\x7E]/g, '?').slice(0, 1000);
}

/** Database failures that mean "try again later" rather than a bug: answered 503. */
export function isUnavailable(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code !== 'string') return false;
  return (
    /^SQLITE_(BUSY|LOCKED|CANTOPEN|IOERR|FULL|READONLY)/.test(code) ||
    ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', '57P01', '57P03', '08006', '08001'].includes(code)
  );
}
