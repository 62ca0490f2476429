// Hostile parameters at the authorization endpoint: RFC 6749 §3.1 (a parameter must not appear
// more than once; GET, and POST form only), §3.3 (scope-token charset); RFC 9700 §2.6 (no CORS
// at the authorization endpoint). SECURITY-CATALOG SEC-64 (c)-(f), SEC-65 (e), (g), SEC-66,
// SEC-68 (b), (c).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browser } from '../support/browser.js';
import { authz, expectErrorPage, expectErrorRedirect, first, rawLocation, startFixture, type Fixture } from './fixtures.js';

const CB = 'https://c1.example/cb';
let f: Fixture;
beforeAll(async () => {
  f = await startFixture();
});
afterAll(async () => f.server.close());

describe('SEC-64: duplicate parameters (RFC 6749 §3.1)', () => {
  it('SEC-64 (c): scope twice is EREDIR(invalid_request) naming the parameter (RFC 6749 §3.1)', async () => {
    const page = await first(f, authz(f, f.c1, { scope: ['openid', 'openid email'] }));
    expectErrorRedirect(f, page, { redirectUri: CB, error: 'invalid_request', description: /^the 'scope' parameter must not be provided more than once$/ });
  });

  it('SEC-64 (c): the same scope value twice is still a duplicate (RFC 6749 §3.1)', async () => {
    const page = await first(f, authz(f, f.c1, { scope: ['openid', 'openid'] }));
    expectErrorRedirect(f, page, { redirectUri: CB, error: 'invalid_request' });
  });

  it('SEC-64 (d): state twice is EREDIR(invalid_request) WITHOUT state, since the value is ambiguous (RFC 6749 §3.1)', async () => {
    const page = await first(f, authz(f, f.c1, { state: ['a', 'b'] }));
    expectErrorRedirect(f, page, { redirectUri: CB, error: 'invalid_request', state: null, description: /'state' parameter must not be provided more than once/ });
  });

  for (const name of ['response_type', 'code_challenge', 'code_challenge_method', 'nonce', 'prompt']) {
    it(`SEC-64: ${name} twice is EREDIR(invalid_request) (RFC 6749 §3.1)`, async () => {
      const value = name === 'response_type' ? 'code' : name === 'code_challenge_method' ? 'S256' : name === 'prompt' ? 'login' : 'x'.repeat(43);
      const page = await first(f, authz(f, f.c1, { [name]: [value, value] }));
      expectErrorRedirect(f, page, { redirectUri: CB, error: 'invalid_request', description: new RegExp(`'${name}' parameter must not be provided more than once`) });
    });
  }

  it('SEC-64 (e): redirect_uri twice (registered, then evil) gets an error page, no redirect (RFC 6749 §3.1)', async () => {
    const page = await first(f, authz(f, f.c1, { redirect_uri: [CB, 'https://evil.example/cb'] }));
    expectErrorPage(page, /redirect_uri parameter was sent more than once/);
  });

  it('SEC-64 (e): redirect_uri twice with the same registered value still gets the error page (RFC 6749 §3.1)', async () => {
    expectErrorPage(await first(f, authz(f, f.c1, { redirect_uri: [CB, CB] })), /redirect_uri parameter was sent more than once/);
  });

  it('SEC-64 (f): client_id=c1&client_id=c2 gets an error page, no redirect (RFC 6749 §3.1)', async () => {
    expectErrorPage(await first(f, authz(f, f.c1, { client_id: [f.c1.id, f.c2.id] })), /client_id parameter was sent more than once/);
  });

  it('SEC-65 (h): an empty duplicate counts as omitted (RFC 6749 §3.1: empty means omitted), so scope=&scope=openid works', async () => {
    const page = await first(f, authz(f, f.c1, { scope: ['', 'openid'] }));
    expect(page.status).toBe(303);
    expect(new URL(page.location ?? '').pathname).toBe('/login');
  });
});

describe('SEC-65: method, content type and CORS (RFC 6749 §3.1; RFC 9700 §2.6)', () => {
  it('SEC-65 (e): POST /authorize with a JSON body gets a 400 page, no redirect (RFC 6749 §3.1)', async () => {
    const body = JSON.stringify(Object.fromEntries(new URL(authz(f, f.c1)).searchParams));
    const page = await new Browser(f.server.url).request('POST', '/authorize', body, { 'content-type': 'application/json' });
    expectErrorPage(page, /application\/x-www-form-urlencoded/);
  });

  it('SEC-65 (e): POST /authorize with malformed JSON or multipart gets a 400 page, never a 5xx', async () => {
    const browser = new Browser(f.server.url);
    expectErrorPage(await browser.request('POST', '/authorize', '{"client_id":', { 'content-type': 'application/json' }));
    expectErrorPage(await browser.request('POST', '/authorize', '--x\r\n\r\n--x--', { 'content-type': 'multipart/form-data; boundary=x' }));
  });

  it('SEC-65 (g): GET /authorize with Origin: https://evil.example carries no Access-Control-Allow-Origin (RFC 9700 §2.6)', async () => {
    for (const url of [authz(f, f.c1), authz(f, f.c1, { scope: 'nosuch' }), authz(f, f.c1, { redirect_uri: 'https://evil.example/cb' })]) {
      const page = await new Browser(f.server.url).get(url, { origin: 'https://evil.example' });
      expect(page.headers.get('access-control-allow-origin')).toBeNull();
      expect(page.headers.get('access-control-allow-credentials')).toBeNull();
    }
  });

  it('SEC-65 (g): an OPTIONS preflight to /authorize is not approved (RFC 9700 §2.6)', async () => {
    const page = await new Browser(f.server.url).request('OPTIONS', '/authorize', undefined, {
      origin: 'https://evil.example',
      'access-control-request-method': 'POST',
      'access-control-request-headers': 'content-type',
    });
    expect(page.status).toBeGreaterThanOrEqual(400);
    expect(page.status).toBeLessThan(500);
    expect(page.headers.get('access-control-allow-origin')).toBeNull();
    expect(page.headers.get('access-control-allow-methods')).toBeNull();
  });
});

describe('SEC-66: control characters and header injection (RFC 6749 §3.3, App. A)', () => {
  it('SEC-66 (c): %00 in client_id gets the unknown-client page, never a 5xx', async () => {
    expectErrorPage(await first(f, authz(f, f.c1, { client_id: `${f.c1.id}\u0000` })), /Unknown client/);
  });

  it('SEC-66 (c): %00 in nonce is EREDIR(invalid_request), on every database (PostgreSQL text cannot hold it)', async () => {
    const page = await first(f, authz(f, f.c1, { nonce: 'n-\u0000-1' }));
    expectErrorRedirect(f, page, { redirectUri: CB, error: 'invalid_request', description: /'nonce' parameter must not contain the character U\+0000/ });
  });

  it('SEC-66 (c): %00 in redirect_uri gets the not-registered page', async () => {
    expectErrorPage(await first(f, authz(f, f.c1, { redirect_uri: `${CB}\u0000` })), /is not registered/);
    expectErrorPage(await first(f, authz(f, f.c1, { redirect_uri: `${CB}\u0000https://evil.example/cb` })), /is not registered/);
  });

  it('SEC-66 (e): CR/LF in state is percent-encoded in Location and echoed exactly (no header injection)', async () => {
    const state = 'a\r\nLocation: https://evil.example\r\nSet-Cookie: x=1';
    const page = await first(f, authz(f, f.c1, { scope: 'nosuch', state }));
    expectErrorRedirect(f, page, { redirectUri: CB, error: 'invalid_scope', state });
    expect(rawLocation(page)).toContain('a%0D%0ALocation%3A');
    expect(page.headers.get('set-cookie') ?? '').not.toMatch(/\bx=1/);
  });

  it('SEC-66 (d): CR/LF in scope is EREDIR(invalid_scope) with no raw CR/LF or injected header', async () => {
    const page = await first(f, authz(f, f.c1, { scope: 'openid\r\nSet-Cookie: x=1' }));
    expectErrorRedirect(f, page, { redirectUri: CB, error: 'invalid_scope', description: /characters that are not allowed/ });
    expect(page.headers.get('set-cookie') ?? '').not.toMatch(/\bx=1/);
  });

  it('SEC-66 (d): a TAB, a NUL or a quote inside a scope is EREDIR(invalid_scope) (RFC 6749 §3.3)', async () => {
    for (const scope of ['openid\temail', 'openid\u0000', 'open"id', 'open\\id']) {
      expectErrorRedirect(f, await first(f, authz(f, f.c1, { scope })), { redirectUri: CB, error: 'invalid_scope' });
    }
  });

  it('SEC-66 (b): a truncated or invalid percent-escape in client_id is a deterministic 400 page, never a 5xx', async () => {
    const base = authz(f, f.c1, { client_id: null });
    for (const bad of ['%E0%A4%A', '%C3%28', '%', '%zz']) {
      const page = await new Browser(f.server.url).get(`${base}&client_id=${bad}`);
      expectErrorPage(page);
    }
  });

  it('SEC-67: a client_id or redirect_uri over the parameter limit gets a 400 page, no redirect', async () => {
    expectErrorPage(await first(f, authz(f, f.c1, { client_id: 'c'.repeat(5000) })), /'client_id' parameter is longer than/);
    expectErrorPage(await first(f, authz(f, f.c1, { redirect_uri: `${CB}?${'x'.repeat(5000)}` })), /'redirect_uri' parameter is longer than/);
  });

  it('SEC-66 (h): bracket keys are never turned into arrays or objects (client_id[]=…, client_id[0][x]=…)', async () => {
    const base = authz(f, f.c1, { client_id: null });
    for (const key of ['client_id[]', 'client_id[0]', 'client_id.x']) {
      expectErrorPage(await new Browser(f.server.url).get(`${base}&${encodeURIComponent(key)}=${f.c1.id}`), /no client_id/);
    }
  });
});

describe('SEC-68: Unicode look-alikes never match (RFC 3986 §6.2.1; RFC 6749 App. A)', () => {
  it('SEC-68 (b): client_id followed by U+200B gets the unknown-client page', async () => {
    expectErrorPage(await first(f, authz(f, f.c1, { client_id: `${f.c1.id}\u200b` })), /Unknown client/);
  });

  it('SEC-68 (b): client_id in upper case gets the unknown-client page (client ids are case-sensitive)', async () => {
    const upper = f.c1.id.toUpperCase();
    expect(upper).not.toBe(f.c1.id);
    expectErrorPage(await first(f, authz(f, f.c1, { client_id: upper })), /Unknown client/);
  });

  it('SEC-68 (b): client_id with a full-width character in place of an ASCII one gets the unknown-client page', async () => {
    const id = f.c1.id;
    const wide = String.fromCharCode((id.charCodeAt(0) ?? 0x41) + 0xfee0) + id.slice(1);
    expectErrorPage(await first(f, authz(f, f.c1, { client_id: wide })), /Unknown client/);
  });

  it('SEC-68 (c): scope=openid%20%C3%A9mail is EREDIR(invalid_scope) (RFC 6749 §3.3)', async () => {
    const page = await first(f, `${authz(f, f.c1, { scope: null })}&scope=openid%20%C3%A9mail`);
    expectErrorRedirect(f, page, { redirectUri: CB, error: 'invalid_scope', description: /characters that are not allowed/ });
  });

  it('SEC-68 (c): a scope differing only in case is EREDIR(invalid_scope) (RFC 6749 §3.3: case-sensitive)', async () => {
    const page = await first(f, authz(f, f.c1, { scope: 'openid EMAIL' }));
    expectErrorRedirect(f, page, { redirectUri: CB, error: 'invalid_scope', description: /unknown scope: EMAIL/ });
  });
});
