// REL-09 (RFC 6819 §4.6.7; RFC 9700 §4.9.3): the URL in a request log line keeps the path and the
// names of query parameters, and values only for parameters that are never secret.
import { describe, expect, it } from 'vitest';
import { loggableUrl } from '../../src/http/log-url.js';

describe('loggableUrl', () => {
  it('leaves a URL without a query alone', () => {
    expect(loggableUrl('/token')).toBe('/token');
  });

  it('hides the values of secrets and tokens sent in the query string', () => {
    const url = loggableUrl('/token?client_secret=s3cret&code=abc&code_verifier=v&refresh_token=rt&access_token=at&token=t&password=pw&state=st');
    for (const secret of ['s3cret', 'abc', '=v', '=rt', '=at', '=t&', '=pw', '=st']) expect(url).not.toContain(secret);
    expect(url).toBe(
      '/token?client_secret=[redacted]&code=[redacted]&code_verifier=[redacted]&refresh_token=[redacted]&access_token=[redacted]&token=[redacted]&password=[redacted]&state=[redacted]',
    );
  });

  it('keeps the values of public protocol parameters, useful when reading the log', () => {
    expect(loggableUrl('/authorize?response_type=code&client_id=c1&scope=openid%20email&code_challenge=CH&nonce=n')).toBe(
      '/authorize?response_type=code&client_id=c1&scope=openid%20email&code_challenge=[redacted]&nonce=[redacted]',
    );
  });

  it('hides a value whose name is disguised or malformed', () => {
    expect(loggableUrl('/x?%63ode=abc&%E0%A4%A=zzz&client_id')).toBe('/x?%63ode=[redacted]&%E0%A4%A=[redacted]&client_id=[redacted]');
  });
});
