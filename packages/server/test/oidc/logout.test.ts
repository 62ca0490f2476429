// RP-initiated logout: OpenID Connect RP-Initiated Logout 1.0 §2 (the request, id_token_hint,
// an expired hint accepted), §3 (post_logout_redirect_uri exact-matched, state echoed), §4 (the
// user confirms when the request cannot be trusted). SECURITY-CATALOG SEC-57, SEC-54 (c); RFC
// 9700 §4.12 (303, never 307); conformance oidcc-rp-initiated-logout-* modules (§15).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browser, readForm, type Page } from '../support/browser.js';
import { authorizeUrl, pkce } from '../support/oauth.js';
import { BOB, seed, startServer, type TestServer } from '../support/server.js';
import { newClient, type TestClient } from '../token/fixtures.js';
import { signIn } from './fixtures.js';

const BACK = 'https://app.example/signed-out';
let server: TestServer;
let c1: TestClient;
beforeAll(async () => {
  server = await startServer();
  await seed(server);
  c1 = await newClient(server, { postLogoutRedirectUris: [BACK] });
});
afterAll(async () => server.close());

/** Alice signed in to c1 in a fresh browser, with the ID token she got. */
async function signedIn(user = { username: 'alice', password: 'wonderland' }): Promise<{ browser: Browser; idToken: string }> {
  const browser = new Browser(server.url);
  const s = await signIn(server, c1, { browser, scope: 'openid', user });
  return { browser, idToken: s.idToken };
}

function logoutUrl(params: Record<string, string>): string {
  return `/logout?${new URLSearchParams(params).toString()}`;
}

/** OIDC Core §3.1.2.1: prompt=none answers with a code while signed in, login_required after. */
async function silentAuthorize(browser: Browser): Promise<URLSearchParams> {
  const page = await browser.get(authorizeUrl(server, { clientId: c1.id, redirectUri: c1.redirectUri, scope: 'openid', challenge: pkce().challenge, extra: { prompt: 'none' } }));
  expect(page.status).toBe(303);
  const location = new URL(page.location ?? 'about:blank');
  expect(location.origin + location.pathname).toBe(c1.redirectUri);
  return location.searchParams;
}

async function expectSignedIn(browser: Browser): Promise<void> {
  expect((await silentAuthorize(browser)).get('code')).not.toBeNull();
}

async function expectSignedOut(browser: Browser): Promise<void> {
  expect((await silentAuthorize(browser)).get('error')).toBe('login_required');
}

function expectErrorPage(page: Page): void {
  expect(page.status).toBe(400);
  expect(page.location).toBeNull();
  expect(page.headers.get('content-type')).toMatch(/^text\/html/);
}

function expectConfirmation(page: Page): ReturnType<typeof readForm> {
  expect(page.status).toBe(200);
  expect(page.location).toBeNull();
  const form = readForm(page.body, 'form[method=post]');
  expect(form.hidden.csrf).toMatch(/^[A-Za-z0-9_-]{20,}$/);
  return form;
}

describe('discovery (RP-Initiated Logout §2.1)', () => {
  it('§2.1: the OpenID metadata lists end_session_endpoint, which answers', async () => {
    const metadata = (await (await fetch(`${server.url}/.well-known/openid-configuration`)).json()) as { end_session_endpoint: string };
    expect(metadata.end_session_endpoint).toBe(`${server.url}/logout`);
    expect((await fetch(metadata.end_session_endpoint)).status).toBe(200);
  });
});

describe('with a valid id_token_hint (§2, §3; SEC-57)', () => {
  it('SEC-57: a valid hint, a registered post_logout_redirect_uri and state: 303 there with state, the session ends and its cookie is cleared', async () => {
    const { browser, idToken } = await signedIn();
    const stolen = new Browser(server.url);
    for (const [k, v] of browser.cookies) stolen.cookies.set(k, v);
    const page = await browser.get(logoutUrl({ id_token_hint: idToken, post_logout_redirect_uri: BACK, state: 'X y/z' }));
    expect(page.status).toBe(303);
    const target = new URL(page.location ?? '');
    expect(target.origin + target.pathname).toBe(BACK);
    expect(target.searchParams.get('state')).toBe('X y/z');
    expect(page.headers.getSetCookie().join('\n')).toMatch(/latchkey_session=;.*(Expires=Thu, 01 Jan 1970|Max-Age=0)/i);
    expect(browser.cookies.size).toBe(0);
    // The old cookie no longer names a session on the server (OWASP: manual session expiration).
    await expectSignedOut(stolen);
  });

  it('§3: without state the redirect carries none', async () => {
    const { browser, idToken } = await signedIn();
    const page = await browser.get(logoutUrl({ id_token_hint: idToken, post_logout_redirect_uri: BACK }));
    expect(page.status).toBe(303);
    expect(page.location).toBe(BACK);
  });

  it('§2: an expired id_token_hint is still accepted', async () => {
    const { browser, idToken } = await signedIn();
    server.advance(601);
    const page = await browser.get(logoutUrl({ id_token_hint: idToken, post_logout_redirect_uri: BACK, state: 'S' }));
    expect(page.status).toBe(303);
    expect(new URL(page.location ?? '').searchParams.get('state')).toBe('S');
    await expectSignedOut(browser);
  });

  it('§2: without a post_logout_redirect_uri the user lands on the server home page, signed out', async () => {
    const { browser, idToken } = await signedIn();
    const page = await browser.get(logoutUrl({ id_token_hint: idToken }));
    expect(page.status).toBe(303);
    expect(page.location).toBe(`${server.url}/`);
    await expectSignedOut(browser);
  });
});

describe('requests that cannot be trusted (§3, §4; SEC-54 c, SEC-57)', () => {
  it('SEC-54 (c): an unregistered post_logout_redirect_uri is a 400 page, no redirect, still signed in', async () => {
    const { browser, idToken } = await signedIn();
    expectErrorPage(await browser.get(logoutUrl({ id_token_hint: idToken, post_logout_redirect_uri: 'https://evil.example/' })));
    await expectSignedIn(browser);
  });

  it('SEC-54 (c): the registered URI with ?foo=bar added is a 400 page, no redirect (exact match)', async () => {
    const { browser, idToken } = await signedIn();
    expectErrorPage(await browser.get(logoutUrl({ id_token_hint: idToken, post_logout_redirect_uri: `${BACK}?foo=bar` })));
    expectErrorPage(await browser.get(logoutUrl({ id_token_hint: idToken, post_logout_redirect_uri: `${BACK}/` })));
    await expectSignedIn(browser);
  });

  it('SEC-57 (oidcc-rp-initiated-logout-modified-id-token-hint): a hint with one character changed (or alg none, or an access token) is a 400 page, no redirect, still signed in', async () => {
    const { browser, idToken } = await signedIn();
    const [h, p, sig = ''] = idToken.split('.');
    const i = Math.floor(sig.length / 2);
    const changed = `${h}.${p}.${sig.slice(0, i)}${sig[i] === 'A' ? 'B' : 'A'}${sig.slice(i + 1)}`;
    expectErrorPage(await browser.get(logoutUrl({ id_token_hint: changed, post_logout_redirect_uri: BACK, state: 'S' })));
    const none = `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${p}.`;
    expectErrorPage(await browser.get(logoutUrl({ id_token_hint: none, post_logout_redirect_uri: BACK })));
    // An access token is signed by the same server but is not an ID token (RFC 9068 §2.1 typ at+jwt).
    const accessToken = (await signIn(server, c1, { browser: new Browser(server.url), scope: 'openid' })).accessToken;
    expectErrorPage(await browser.get(logoutUrl({ id_token_hint: accessToken, post_logout_redirect_uri: BACK })));
    await expectSignedIn(browser);
  });

  it('SEC-57 (oidcc-rp-initiated-logout-no-id-token-hint): no hint gives a confirmation page with a CSRF token; still signed in until it is posted', async () => {
    const { browser } = await signedIn();
    const page = await browser.get(logoutUrl({ client_id: c1.id, post_logout_redirect_uri: BACK, state: 'S2' }));
    const form = expectConfirmation(page);
    expect(page.headers.get('cache-control')).toBe('no-store');
    await expectSignedIn(browser);
    const done = await browser.post(form.action, form.hidden);
    expect(done.status).toBe(303);
    const target = new URL(done.location ?? '');
    expect(target.origin + target.pathname).toBe(BACK);
    expect(target.searchParams.get('state')).toBe('S2');
    await expectSignedOut(browser);
  });

  it('§4: posting the confirmation without its CSRF token does not sign out', async () => {
    const { browser } = await signedIn();
    const form = expectConfirmation(await browser.get(logoutUrl({ client_id: c1.id, post_logout_redirect_uri: BACK })));
    const { csrf: _csrf, ...withoutCsrf } = form.hidden;
    const refused = await browser.post(form.action, withoutCsrf);
    expect(refused.status).toBe(403);
    expect(refused.location).toBeNull();
    await expectSignedIn(browser);
  });

  it('SEC-57: a hint naming another user than the one signed in gives the confirmation page, still signed in', async () => {
    const bobsHint = (await signedIn(BOB)).idToken;
    const { browser } = await signedIn();
    expectConfirmation(await browser.get(logoutUrl({ id_token_hint: bobsHint, post_logout_redirect_uri: BACK })));
    await expectSignedIn(browser);
  });

  it('SEC-54 (c): with no hint and no client_id, a post_logout_redirect_uri cannot be checked: 400 page', async () => {
    const { browser } = await signedIn();
    expectErrorPage(await browser.get(logoutUrl({ post_logout_redirect_uri: BACK })));
    await expectSignedIn(browser);
  });
});
