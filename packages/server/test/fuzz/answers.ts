// What every answer to a hostile request must look like (SEC-66: a deterministic 4xx, never a
// 5xx, nothing internal): RFC 6749 §5.2 JSON errors at the back-channel endpoints, RFC 6750 §3
// at userinfo, an HTML error page in the browser, and answerClientError's JSON when Node's HTTP
// parser refused the bytes before any route was chosen (RFC 9112 §6.3).
import { expect } from 'vitest';
import type { RawAnswer } from './raw-http.js';

/** RFC 6749 §5.2, RFC 7009 §2.2.1, RFC 7662 §2.3, RFC 6750 §3.1. */
export const OAUTH_ERRORS = [
  'invalid_request',
  'invalid_client',
  'invalid_grant',
  'unauthorized_client',
  'unsupported_grant_type',
  'invalid_scope',
  'unsupported_token_type',
  'invalid_token',
  'insufficient_scope',
] as const;
export type OAuthErrorCode = (typeof OAUTH_ERRORS)[number];

/** No stack trace, exception banner, file path, SQL or framework name in what the client reads. */
const LEAK = /\bError:|\bat .+:\d+:\d+|\/(work|home|tmp|usr)\/|node_modules|\.[jt]s:\d+|SQLITE|sqlite3|kysely|fastify|FST_ERR|Client Error/i;

/** The answer in one line, for failure messages. */
export function summary(a: RawAnswer): string {
  return `${a.kind} ${a.status} ${a.headers['content-type'] ?? '-'} ${JSON.stringify(a.body.slice(0, 300))}`;
}

/** Any answer at all: a whole response, below 500, with nothing internal in it and clean headers. */
export function expectSane(a: RawAnswer): void {
  expect(a.kind, `the server closed the connection without answering: ${JSON.stringify(a.raw.slice(0, 200))}`).toBe('response');
  expect(a.status, summary(a)).toBeGreaterThanOrEqual(200);
  expect(a.status, summary(a)).toBeLessThan(500);
  expect(a.body, summary(a)).not.toMatch(LEAK);
  expect(a.headers['x-powered-by']).toBeUndefined();
  // SEC-66 d, e: nothing injected into a header (a raw CR or LF would have split it).
  for (const name of ['location', 'set-cookie', 'www-authenticate']) {
    const value = a.headers[name];
    if (value !== undefined) expect(value, `${name}: ${value}`).toMatch(/^[\x20-\x7e]*$/);
  }
}

export function expectClientError(a: RawAnswer): void {
  expectSane(a);
  expect(a.status, summary(a)).toBeGreaterThanOrEqual(400);
}

/** RFC 6749 §5.2: `{"error": <code>, "error_description": <§5.2 charset>}`, never cached. */
export function expectJsonError(a: RawAnswer, allowed: readonly OAuthErrorCode[] = OAUTH_ERRORS): Record<string, unknown> {
  expectClientError(a);
  expect(a.headers['content-type'], summary(a)).toMatch(/^application\/json\b/);
  expect(a.headers['cache-control'], summary(a)).toBe('no-store');
  const json = JSON.parse(a.body) as Record<string, unknown>;
  expect(allowed, summary(a)).toContain(json.error);
  if (json.error_description !== undefined) expect(json.error_description).toMatch(/^[\x20\x21\x23-\x5B\x5D-\x7E]*$/);
  expect(json).not.toHaveProperty('access_token');
  return json;
}

/** answerClientError: the request never reached a route; 400, 413 or 431, invalid_request. */
export function expectConnectionLevel(a: RawAnswer): void {
  expect([400, 413, 431], summary(a)).toContain(a.status);
  expectJsonError(a, ['invalid_request']);
}

/** RFC 6750 §3.1: no credentials at all is a 401 with a bare `Bearer realm` challenge and no error. */
export function isBareChallenge(a: RawAnswer): boolean {
  return a.status === 401 && a.body === '{}' && /^Bearer realm="[^"]*"$/.test(a.headers['www-authenticate'] ?? '');
}

/** An HTML page (an error page, or the page itself for a harmless request), escaped. */
export function expectPage(a: RawAnswer, statuses: readonly number[]): void {
  expectSane(a);
  expect(statuses, summary(a)).toContain(a.status);
  expect(a.headers['content-type'], summary(a)).toMatch(/^text\/html\b/);
  expect(a.headers['cache-control']).toBe('no-store');
  expect(a.body).toMatch(/^<!doctype html>/i);
  // Whatever was sent came back escaped: no markup from the request is live on the page.
  expect(a.body).not.toMatch(/<script>alert|<img src=x/i);
}
