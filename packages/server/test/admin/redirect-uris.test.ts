// Redirect URIs accepted at registration: RFC 6749 §3.1.2, RFC 8252 §7.1 and §7.3, RFC 9700 §2.6.
import { describe, expect, it } from 'vitest';
import { MAX_REDIRECT_URI_LENGTH, validateRedirectUri } from '../../src/admin/redirect-uris.js';

describe('validateRedirectUri', () => {
  it.each([
    'https://app.example/cb',
    'https://app.example:8443/oauth/callback?tenant=a',
    'http://localhost/cb',
    'http://localhost:3000/callback',
    'http://127.0.0.1/cb',
    'http://127.0.0.1:51004/cb',
    'http://[::1]/cb',
    'http://[::1]:8080/cb',
    // RFC 8252 §7.1: a private-use scheme in reverse domain name form.
    'com.example.app:/oauth2redirect',
    'com.example.app:/cb',
  ])('accepts %s', (uri) => {
    expect(validateRedirectUri(uri)).toBeNull();
  });

  it.each([
    ['/cb', 'is not an absolute URI'],
    ['app.example/cb', 'is not an absolute URI'],
    ['', 'is not an absolute URI'],
    ['https://app.example/cb#', 'must not contain a fragment'],
    ['https://app.example/cb#x', 'must not contain a fragment'],
    ['http://app.example/cb', 'must use https'],
    ['http://localhost.evil.example/cb', 'must use https'],
    ['http://127.0.0.2.nip.io/cb', 'must use https'],
    ['https://user@app.example/cb', 'user name or password'],
    ['https://user:pw@app.example/cb', 'user name or password'],
    ['http://user@localhost/cb', 'user name or password'],
    ['javascript:alert(1)', 'javascript:'],
    ['JavaScript:alert(1)', 'javascript:'],
    ['data:text/html,hi', 'data:'],
    ['file:///etc/passwd', 'file:'],
    ['vbscript:msgbox', 'vbscript:'],
    ['ftp://app.example/cb', 'ftp:'],
    ['myapp:/cb', 'reverse-domain private-use scheme'],
    ['https://app.example/c b', 'spaces or control characters'],
    ['https://app.example/cb\n', 'spaces or control characters'],
    [`https://app.example/${'a'.repeat(MAX_REDIRECT_URI_LENGTH)}`, `longer than ${MAX_REDIRECT_URI_LENGTH}`],
  ])('refuses %j: %s', (uri, reason) => {
    expect(validateRedirectUri(uri)).toContain(reason);
  });

  it('accepts exactly the maximum length', () => {
    const base = 'https://app.example/';
    expect(validateRedirectUri(base + 'a'.repeat(MAX_REDIRECT_URI_LENGTH - base.length))).toBeNull();
  });
});
