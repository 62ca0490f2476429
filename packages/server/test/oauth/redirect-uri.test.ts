// RFC 9700 §2.1 and §4.1.3: exact string matching; RFC 8252 §7.3: the loopback port may vary
// for public clients only.
import { describe, expect, it } from 'vitest';
import { matchRedirectUri, withQuery } from '../../src/oauth/redirect-uri.js';

const web = { redirectUris: ['https://c1.example/cb', 'https://c4.example/cb?tenant=1'], tokenEndpointAuthMethod: 'client_secret_basic' as const };
const native = { redirectUris: ['http://127.0.0.1/cb', 'http://[::1]:8080/cb'], tokenEndpointAuthMethod: 'none' as const };

describe('redirect URI matching (SEC-02, SEC-03)', () => {
  it('accepts exactly the registered strings', () => {
    expect(matchRedirectUri(web, 'https://c1.example/cb')).toBe(true);
    expect(matchRedirectUri(web, 'https://c4.example/cb?tenant=1')).toBe(true);
  });

  it.each([
    'https://C1.EXAMPLE/cb',
    'https://c1.example:443/cb',
    'https://c1.example/cb/',
    'https://c1.example/CB',
    'https://c1.example/cb?x=1',
    'https://c1.example/cb/../evil',
    'https://c1.example/cb%2F..%2Fevil',
    'https://c1.example/cb#x',
    'http://c1.example/cb',
    'https://c1.example.evil.example/cb',
    'https://c1.example@evil.example/cb',
    'https://evil.example/.c1.example/cb',
    'https://c1.example/cb%00',
    'https://c4.example/cb?tenant=2',
    'https://c4.example/cb?tenant=1&x=1',
    'https://c4.example/cb',
  ])('refuses the pattern-matching variant %s', (uri) => {
    expect(matchRedirectUri(web, uri)).toBe(false);
  });

  it('lets the port vary for a public client with a loopback IP redirect', () => {
    expect(matchRedirectUri(native, 'http://127.0.0.1:51004/cb')).toBe(true);
    expect(matchRedirectUri(native, 'http://[::1]:51004/cb')).toBe(true);
  });

  it.each([
    'http://127.0.0.1:51004/other',
    'http://127.0.0.1.evil.example:51004/cb',
    'http://localhost:51004/cb',
    'https://127.0.0.1:51004/cb',
    'http://127.0.0.1:99999/cb',
    'http://127.0.0.1:51004/cb#f',
  ])('refuses %s for the native client', (uri) => {
    expect(matchRedirectUri(native, uri)).toBe(false);
  });

  it('never lets the port vary for a confidential client', () => {
    expect(matchRedirectUri({ ...native, tokenEndpointAuthMethod: 'client_secret_basic' }, 'http://127.0.0.1:51004/cb')).toBe(false);
  });

  it('appends response parameters and keeps a registered query', () => {
    expect(withQuery('https://c4.example/cb?tenant=1', { code: 'abc', state: null, iss: 'https://as' })).toBe(
      'https://c4.example/cb?tenant=1&code=abc&iss=https%3A%2F%2Fas',
    );
    expect(withQuery('https://c1.example/cb', { error: 'access_denied', state: 'a b' })).toBe('https://c1.example/cb?error=access_denied&state=a+b');
  });
});
