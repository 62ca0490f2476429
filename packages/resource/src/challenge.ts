// RFC 6750 §3: the WWW-Authenticate challenge and the JSON body for a failed request. Adapters
// call `bearerAnswer` and copy status, headers and body onto their response.
import { BearerError, InsufficientScopeError, IssuerUnavailableError } from './errors.js';

export interface BearerAnswer {
  status: number;
  headers: Record<string, string>;
  body: { error?: string; error_description: string };
}

/**
 * The answer for an error thrown by `verifier.verify`, or `undefined` for any other error (a bug,
 * which the framework's own error handling should log and answer 500).
 */
export function bearerAnswer(error: unknown, realm: string): BearerAnswer | undefined {
  if (error instanceof IssuerUnavailableError) {
    return {
      status: 503,
      headers: { 'retry-after': '5', 'cache-control': 'no-store' },
      body: { error: error.code, error_description: 'the authorization server cannot be reached to check the access token; try again shortly' },
    };
  }
  if (!(error instanceof BearerError)) return undefined;
  const params: [string, string][] = [['realm', realm]];
  // RFC 6750 §3.1: a request without any token gets no error code.
  if (error.code !== null) {
    params.push(['error', error.code], ['error_description', error.message]);
    if (error instanceof InsufficientScopeError) params.push(['scope', error.required.join(' ')]);
  }
  const body: BearerAnswer['body'] = { error_description: error.message };
  if (error.code !== null) body.error = error.code;
  return {
    status: error.status,
    headers: { 'www-authenticate': `Bearer ${params.map(([k, v]) => `${k}="${quote(v)}"`).join(', ')}`, 'cache-control': 'no-store' },
    body,
  };
}

/**
 * RFC 6750 §3: error and error_description values use only %x20-21 / %x23-5B / %x5D-7E; a
 * quoted-string (RFC 9110 §5.6.4) escapes `"` and `\`. Anything else becomes a space.
 */
function quote(value: string): string {
  return value.replace(/[^\x20-\x7e]/g, ' ').replace(/["\\]/g, "'");
}
