// Errors once the redirect URI is trusted go back to the client: RFC 6749 §4.1.2.1; RFC 9207 §2
// (iss on errors too); RFC 9700 §2.1.2, §4.12 (303, never 307). SECURITY-CATALOG SEC-05, EREDIR.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browser } from '../support/browser.js';
import { consent, follow, login } from '../support/oauth.js';
import { authz, expectErrorRedirect, first, rawLocation, startFixture, type Fixture } from './fixtures.js';

let f: Fixture;
const CB = 'https://c1.example/cb';
beforeAll(async () => {
  f = await startFixture();
});
afterAll(async () => f.server.close());

describe('SEC-05: errors after the redirect URI was validated (RFC 6749 §4.1.2.1)', () => {
  it('SEC-05: the metadata issuer is the server URL that every iss must carry (RFC 8414 §2, RFC 9207 §2)', () => {
    expect(f.issuer).toBe(f.server.url);
  });

  it('SEC-05 (a): an unknown scope is EREDIR(invalid_scope) naming it (RFC 6749 §4.1.2.1, §3.3)', async () => {
    const page = await first(f, authz(f, f.c1, { scope: 'openid nosuch' }));
    expectErrorRedirect(f, page, { redirectUri: CB, error: 'invalid_scope', description: /^unknown scope: nosuch$/ });
  });

  it('SEC-05 (a): a scope that exists but the client may not request is EREDIR(invalid_scope) naming it, never dropped (RFC 6749 §3.3)', async () => {
    const page = await first(f, authz(f, f.c1, { scope: 'openid api.admin' }));
    expectErrorRedirect(f, page, { redirectUri: CB, error: 'invalid_scope', description: /may not request: api\.admin\b/ });
  });

  it('SEC-05 (a): no scope at all is EREDIR(invalid_scope) (RFC 6749 §3.3)', async () => {
    const page = await first(f, authz(f, f.c1, { scope: null }));
    expectErrorRedirect(f, page, { redirectUri: CB, error: 'invalid_scope', description: /'scope' parameter is required/ });
  });

  it('SEC-05 (b): response_type=token is EREDIR(unsupported_response_type) (RFC 9700 §2.1.2)', async () => {
    const page = await first(f, authz(f, f.c1, { response_type: 'token' }));
    expectErrorRedirect(f, page, { redirectUri: CB, error: 'unsupported_response_type', description: /response_type token is not supported/ });
  });

  for (const responseType of ['foo', 'code id_token', 'code token', 'CODE']) {
    it(`SEC-05 (d): response_type=${responseType} is EREDIR(unsupported_response_type) (RFC 6749 §4.1.2.1)`, async () => {
      const page = await first(f, authz(f, f.c1, { response_type: responseType }));
      expectErrorRedirect(f, page, { redirectUri: CB, error: 'unsupported_response_type' });
    });
  }

  it('SEC-05 (c): a missing response_type is EREDIR(invalid_request) (RFC 6749 §4.1.1)', async () => {
    const page = await first(f, authz(f, f.c1, { response_type: null }));
    expectErrorRedirect(f, page, { redirectUri: CB, error: 'invalid_request', description: /'response_type' parameter is required/ });
  });

  it('SEC-05 (e): prompt=bogus is EREDIR(invalid_request) (OIDC Core §3.1.2.1)', async () => {
    const page = await first(f, authz(f, f.c1, { prompt: 'bogus' }));
    expectErrorRedirect(f, page, { redirectUri: CB, error: 'invalid_request', description: /prompt value bogus is not supported/ });
  });

  for (const maxAge of ['-1', '1.5', 'abc', '1e3']) {
    it(`SEC-05 (f): max_age=${maxAge} is EREDIR(invalid_request) (OIDC Core §3.1.2.1)`, async () => {
      const page = await first(f, authz(f, f.c1, { max_age: maxAge }));
      expectErrorRedirect(f, page, { redirectUri: CB, error: 'invalid_request', description: /max_age must be a non-negative whole number/ });
    });
  }

  it('SEC-05: a state with every reserved character is echoed byte-for-byte on an error (RFC 6749 §4.1.2.1)', async () => {
    const state = `S1 -._~!$'()*,;:@/?[]{}|^&=+%#"\\<>`;
    const page = await first(f, authz(f, f.c1, { scope: 'nosuch', state }));
    expectErrorRedirect(f, page, { redirectUri: CB, error: 'invalid_scope', state });
  });

  it('SEC-05: without a state, the error carries none (RFC 6749 §4.1.2.1: state only if sent)', async () => {
    const page = await first(f, authz(f, f.c1, { scope: 'nosuch', state: null }));
    const params = expectErrorRedirect(f, page, { redirectUri: CB, error: 'invalid_scope', state: null });
    expect([...params.keys()]).toEqual(['error', 'error_description', 'iss']);
  });

  it('SEC-05: an error for c4 keeps the registered query and appends error, state, iss (RFC 6749 §3.1.2)', async () => {
    const page = await first(f, authz(f, f.c4, { response_type: 'token' }));
    expectErrorRedirect(f, page, { redirectUri: 'https://c4.example/cb?tenant=1', error: 'unsupported_response_type' });
  });

  it('SEC-05: an error_description built from input never carries quotes, backslashes or non-ASCII (RFC 6749 §4.1.2.1)', async () => {
    const page = await first(f, authz(f, f.c1, { response_type: 'é"\\\t' }));
    const params = expectErrorRedirect(f, page, { redirectUri: CB, error: 'unsupported_response_type' });
    expect(params.get('error_description')).toMatch(/^response_type \?+ is not supported/);
  });

  it('SEC-05: the redirect has no body a browser could render (RFC 9700 §4.12)', async () => {
    const page = await first(f, authz(f, f.c1, { scope: 'nosuch' }));
    expect(page.headers.get('content-type') ?? '').not.toMatch(/html/);
    expect(page.body).toBe('');
  });
});

describe('RFC 6749 §4.1.2.1: the user denies', () => {
  it('access_denied after Deny: 303 with error, the exact state and iss, and no code (RFC 9207 §2)', async () => {
    const browser = new Browser(f.server.url);
    const afterLogin = await login(browser, await follow(browser, await browser.get(authz(f, f.c1, { state: 'deny me' }))));
    const page = await consent(browser, await follow(browser, afterLogin), 'deny');
    expectErrorRedirect(f, page, { redirectUri: CB, error: 'access_denied', state: 'deny me' });
  });

  it('access_denied when no box is left checked (CONTRACTS.md: granting none is a denial)', async () => {
    const browser = new Browser(f.server.url);
    const afterLogin = await login(browser, await follow(browser, await browser.get(authz(f, f.c1))));
    const page = await consent(browser, await follow(browser, afterLogin), 'allow', []);
    expectErrorRedirect(f, page, { redirectUri: CB, error: 'access_denied' });
  });
});

describe('RFC 9700 §4.12: no response of the authorization endpoint is a 307 or 308', () => {
  it('every answer to a sample of good and bad requests, GET and POST, is 303 or 400', async () => {
    const urls = [
      authz(f, f.c1),
      authz(f, f.c1, { scope: 'nosuch' }),
      authz(f, f.c1, { response_type: 'token' }),
      authz(f, f.c1, { prompt: 'none' }),
      authz(f, f.c1, { redirect_uri: 'https://evil.example/cb' }),
      authz(f, f.c1, { code_challenge: null }),
    ];
    for (const url of urls) {
      const get = await first(f, url);
      const post = await new Browser(f.server.url).post('/authorize', new URLSearchParams(new URL(url).search));
      for (const page of [get, post]) {
        expect([303, 400]).toContain(page.status);
        if (page.status === 303) expect(rawLocation(page)).not.toBe('');
      }
    }
  });
});
