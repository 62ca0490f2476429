// RFC 6750 §3: the WWW-Authenticate challenges and bodies, built from the verifier's errors.
import { describe, expect, it } from 'vitest';
import { bearerAnswer, InsufficientScopeError, InvalidRequestError, InvalidTokenError, IssuerUnavailableError, MissingTokenError } from '../src/index.js';

describe('bearerAnswer (RFC 6750 §3)', () => {
  it('answers a request without a token with a bare challenge: no error code (§3.1)', () => {
    const answer = bearerAnswer(new MissingTokenError(), 'calendar');
    expect(answer?.status).toBe(401);
    expect(answer?.headers['www-authenticate']).toBe('Bearer realm="calendar"');
    expect(answer?.body.error).toBeUndefined();
  });

  it('answers invalid_token with 401 and a description', () => {
    const answer = bearerAnswer(new InvalidTokenError('the access token expired; get a new one', true), 'calendar');
    expect(answer).toEqual({
      status: 401,
      headers: { 'www-authenticate': 'Bearer realm="calendar", error="invalid_token", error_description="the access token expired; get a new one"', 'cache-control': 'no-store' },
      body: { error: 'invalid_token', error_description: 'the access token expired; get a new one' },
    });
  });

  it('answers insufficient_scope with 403 and the scope attribute', () => {
    const answer = bearerAnswer(new InsufficientScopeError(['calendar.read', 'calendar.write'], ['calendar.read']), 'calendar');
    expect(answer?.status).toBe(403);
    expect(answer?.headers['www-authenticate']).toBe(
      'Bearer realm="calendar", error="insufficient_scope", error_description="the access token lacks the scope calendar.write that this request needs", scope="calendar.read calendar.write"',
    );
  });

  it('answers invalid_request with 400', () => {
    expect(bearerAnswer(new InvalidRequestError('use one method'), 'r')?.status).toBe(400);
  });

  it('keeps quoted strings well formed: no quotes, backslashes or control characters', () => {
    const header = bearerAnswer(new InvalidTokenError('a "quoted" \\ thing\r\nX-Injected: 1'), 'r')?.headers['www-authenticate'] ?? '';
    expect(header).toBe('Bearer realm="r", error="invalid_token", error_description="a \'quoted\' \' thing  X-Injected: 1"');
  });

  it('answers 503 when the issuer is down, and nothing for a bug', () => {
    expect(bearerAnswer(new IssuerUnavailableError('down'), 'r')).toMatchObject({ status: 503, body: { error: 'temporarily_unavailable' } });
    expect(bearerAnswer(new TypeError('a bug'), 'r')).toBeUndefined();
  });
});
