// Browser sessions: the cookie's attributes (SEC-55, OWASP Session Management CS, D-6), a new
// session id at login so a fixed one is worthless (SEC-56), and the session's absolute lifetime
// (SEC-58 e).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sessionCookieName } from '../../src/interaction/session.js';
import { hashSecret } from '../../src/tokens/secrets.js';
import { Browser } from '../support/browser.js';
import { login } from '../support/oauth.js';
import { addClient, ALICE, BOB, seed, startServer, type TestServer } from '../support/server.js';
import { drive, openLogin, postLogin, SESSION_COOKIE, silentAuthorize, userId } from './pages.js';

/** The Set-Cookie lines for the session cookie, split into name, value and attributes. */
function sessionCookies(headers: Headers, name = SESSION_COOKIE): { value: string; attributes: string[] }[] {
  return headers
    .getSetCookie()
    .map((line) => line.split(';').map((part) => part.trim()))
    .filter(([pair]) => pair?.startsWith(`${name}=`))
    .map(([pair = '', ...attributes]) => ({ value: pair.slice(name.length + 1), attributes: attributes.map((a) => a.toLowerCase()) }));
}

function expectSessionCookie(cookie: { value: string; attributes: string[] } | undefined, secure: boolean): void {
  expect(cookie).toBeDefined();
  const { value = '', attributes = [] } = cookie ?? {};
  // At least 128 bits of randomness (OWASP: session ID entropy); these are 256-bit base64url.
  expect(value).toMatch(/^[A-Za-z0-9_-]{43}$/);
  expect(value).not.toContain('alice');
  expect(attributes).toContain('httponly');
  expect(attributes).toContain('samesite=lax');
  expect(attributes).toContain('path=/');
  expect(attributes.some((a) => a.startsWith('domain='))).toBe(false);
  // A session cookie: it ends with the browser session (no "remember me" exists).
  expect(attributes.some((a) => a.startsWith('max-age=') || a.startsWith('expires='))).toBe(false);
  expect(attributes.includes('secure')).toBe(secure);
}

describe('SEC-55: session cookie attributes (OWASP Session Management CS, D-6)', () => {
  let server: TestServer;
  let clientId: string;
  beforeAll(async () => {
    server = await startServer();
    await seed(server);
    clientId = (await addClient(server)).client.id;
  });
  afterAll(async () => server.close());

  it('the cookie of a fresh visit, of /authorize and of a login is HttpOnly, SameSite=Lax, Path=/, with no Domain, Max-Age or Expires', async () => {
    const browser = new Browser(server.url);
    const start = await browser.get(`/authorize?response_type=code&client_id=${clientId}&redirect_uri=https%3A%2F%2Fapp.example%2Fcb&scope=openid&code_challenge=${'c'.repeat(43)}&code_challenge_method=S256`);
    expect(start.status).toBe(303);
    expectSessionCookie(sessionCookies(start.headers)[0], false);
    const page = await browser.get(start.location ?? '');
    expect(sessionCookies(page.headers)).toEqual([]); // the session set by /authorize is kept
    const after = await login(browser, page);
    expect(after.status).toBe(303);
    expectSessionCookie(sessionCookies(after.headers)[0], false);
    const first = new Browser(server.url);
    expectSessionCookie(sessionCookies((await first.get('/login')).headers)[0], false);
  });

  it('on plain http the name has no __Host- prefix (a browser would drop a __Host- cookie without Secure)', async () => {
    const page = await new Browser(server.url).get('/login');
    expect(page.headers.getSetCookie().join('\n')).not.toContain('__Host-');
    expect(sessionCookieName('http://localhost:4000')).toBe('latchkey_session');
  });

  it('sessionCookieName: an https issuer gets the __Host- prefix (RFC 6265bis §4.1.3.2)', () => {
    expect(sessionCookieName('https://as.example')).toBe('__Host-latchkey_session');
    expect(sessionCookieName('https://as.example:8443')).toBe('__Host-latchkey_session');
  });

  it('with an https issuer the cookie is __Host-latchkey_session; Secure; HttpOnly; SameSite=Lax; Path=/ and HSTS is sent', async () => {
    const https = await startServer({ issuer: 'https://as.example' });
    try {
      const response = await https.app.inject({ method: 'GET', url: '/login', headers: { host: 'as.example' } });
      expect(response.statusCode).toBe(200);
      const headers = new Headers();
      for (const line of [response.headers['set-cookie'] ?? []].flat()) headers.append('set-cookie', line);
      expectSessionCookie(sessionCookies(headers, '__Host-latchkey_session')[0], true);
      expect(response.headers['strict-transport-security']).toMatch(/max-age=\d{7,}/);
    } finally {
      await https.close();
    }
  });

  it('session ids are unique per visitor', async () => {
    const values = new Set<string>();
    for (let i = 0; i < 20; i += 1) values.add(sessionCookies((await new Browser(server.url).get('/login')).headers)[0]?.value ?? '');
    expect(values.size).toBe(20);
  });
});

describe('SEC-56: session fixation (OWASP Session Management CS, "Renew the Session ID After Any Privilege Level Change")', () => {
  let server: TestServer;
  let clientId: string;
  beforeAll(async () => {
    server = await startServer();
    await seed(server);
    clientId = (await addClient(server)).client.id;
  });
  afterAll(async () => server.close());

  it('(a) an attacker-chosen cookie value is ignored: a fresh id is issued, and the chosen one never signs in', async () => {
    for (const chosen of ['ATTACKERCHOSEN', 'A'.repeat(43)]) {
      const victim = new Browser(server.url);
      victim.cookies.set(SESSION_COOKIE, chosen);
      const { page, form } = await openLogin(victim);
      const issued = sessionCookies(page.headers)[0]?.value;
      expect(issued).toBeDefined();
      expect(issued).not.toBe(chosen);
      expect((await postLogin(victim, form, ALICE.username, ALICE.password)).status).toBe(303);
      expect(victim.cookies.get(SESSION_COOKIE)).not.toBe(chosen);
      expect(await server.store.sessions.find(hashSecret(chosen), server.now())).toBeUndefined();

      const attacker = new Browser(server.url);
      attacker.cookies.set(SESSION_COOKIE, chosen);
      expect((await silentAuthorize(server, attacker, clientId)).searchParams.get('error')).toBe('login_required');
    }
  });

  it('(b) the pre-login cookie S0 differs from S1 after login, and S0 alone gets login_required with prompt=none', async () => {
    const browser = new Browser(server.url);
    const start = await browser.get(`/authorize?response_type=code&client_id=${clientId}&redirect_uri=https%3A%2F%2Fapp.example%2Fcb&scope=openid&code_challenge=${'d'.repeat(43)}&code_challenge_method=S256`);
    const s0 = browser.cookies.get(SESSION_COOKIE) ?? '';
    expect(s0).not.toBe('');
    await login(browser, await browser.get(start.location ?? ''));
    const s1 = browser.cookies.get(SESSION_COOKIE) ?? '';
    expect(s1).not.toBe(s0);
    expect(await server.store.sessions.find(hashSecret(s0), server.now())).toBeUndefined();

    const withS0 = new Browser(server.url);
    withS0.cookies.set(SESSION_COOKIE, s0);
    const denied = await silentAuthorize(server, withS0, clientId, 'openid');
    expect(denied.searchParams.get('error')).toBe('login_required');
    expect(denied.searchParams.get('iss')).toBe(server.url);
    // S1 is the signed-in session (consent is still missing, so not login_required).
    expect((await silentAuthorize(server, browser, clientId, 'openid')).searchParams.get('error')).toBe('consent_required');
  });

  it('signing in as another user in the same browser changes the session id again', async () => {
    const browser = new Browser(server.url);
    expect((await postLogin(browser, (await openLogin(browser)).form, ALICE.username, ALICE.password)).status).toBe(303);
    const asAlice = browser.cookies.get(SESSION_COOKIE) ?? '';
    expect((await postLogin(browser, (await openLogin(browser)).form, BOB.username, BOB.password)).status).toBe(303);
    const asBob = browser.cookies.get(SESSION_COOKIE) ?? '';
    expect(asBob).not.toBe(asAlice);
    expect(await server.store.sessions.find(hashSecret(asAlice), server.now())).toBeUndefined();
    expect((await server.store.sessions.find(hashSecret(asBob), server.now()))?.userId).toBe(await userId(server, 'bob'));
  });

  it('SEC-58 (e): a signed-in session ends at its absolute lifetime, then prompt=none answers login_required', async () => {
    const browser = new Browser(server.url);
    const outcome = await drive(server, browser, clientId, { scope: 'openid' });
    expect(outcome.kind).toBe('consent');
    server.advance(12 * 60 * 60 + 1);
    expect((await silentAuthorize(server, browser, clientId, 'openid')).searchParams.get('error')).toBe('login_required');
  });
});
