// The authorization server's home page (CONTRACTS.md "The authorization server's own pages"):
// "Sign in" for a signed-out visitor, who is signed in and a sign-out form otherwise. Sign-out
// is a CSRF-protected POST (OWASP CSRF Prevention CS) that ends the session on the server
// (SEC-57, OWASP Session Management CS "Manual Session Expiration").
import { parse } from 'node-html-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashSecret } from '../../src/tokens/secrets.js';
import { Browser, readForm } from '../support/browser.js';
import { addClient, ALICE, seed, startServer, type TestServer } from '../support/server.js';
import { openLogin, postLogin, SESSION_COOKIE, silentAuthorize } from './pages.js';

describe('the home page', () => {
  let server: TestServer;
  let clientId: string;
  beforeAll(async () => {
    server = await startServer();
    await seed(server);
    clientId = (await addClient(server)).client.id;
  });
  afterAll(async () => server.close());

  async function signedIn(): Promise<Browser> {
    const browser = new Browser(server.url);
    const page = await browser.get('/');
    const link = parse(page.body).querySelectorAll('a').find((a) => a.text.trim() === 'Sign in');
    const { form } = await openLogin(browser, link?.getAttribute('href') ?? '/login');
    const after = await postLogin(browser, form, ALICE.username, ALICE.password);
    expect(after.status).toBe(303);
    expect(after.location).toBe(`${server.url}/`);
    return browser;
  }

  it('shows a signed-out visitor a "Sign in" link to the login page and no sign-out form', async () => {
    const page = await new Browser(server.url).get('/');
    expect(page.status).toBe(200);
    const root = parse(page.body);
    const link = root.querySelectorAll('a').find((a) => a.text.trim() === 'Sign in');
    expect(link?.getAttribute('href')).toBe('/login');
    expect(root.querySelector('form[action="/logout"]')).toBeNull();
    expect(page.body).not.toContain('Signed in as');
  });

  it('shows a signed-in user who is signed in and a sign-out form carrying a CSRF token', async () => {
    const browser = await signedIn();
    const page = await browser.get('/');
    expect(page.status).toBe(200);
    expect(page.body).toContain('Signed in as <strong><bdi>alice</bdi></strong>');
    const form = readForm(page.body, 'form[action="/logout"]');
    expect(form.root.querySelector('form[action="/logout"]')?.getAttribute('method')).toBe('post');
    expect(form.hidden.csrf).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(parse(page.body).querySelectorAll('a').some((a) => a.text.trim() === 'Sign in')).toBe(false);
  });

  it('POST /logout without the CSRF token: 403, and the user stays signed in (OWASP CSRF Prevention CS)', async () => {
    const browser = await signedIn();
    const refused = await browser.post('/logout', {});
    expect(refused.status).toBe(403);
    expect(refused.headers.get('content-type')).toMatch(/^text\/html/);
    expect(refused.headers.getSetCookie()).toEqual([]);
    expect((await browser.get('/')).body).toContain('Signed in as');
  });

  it('POST /logout with a wrong token, from another site, or as text/plain: refused, still signed in', async () => {
    const browser = await signedIn();
    const { hidden } = readForm((await browser.get('/')).body, 'form[action="/logout"]');
    const other = await signedIn();
    const otherCsrf = readForm((await other.get('/')).body, 'form[action="/logout"]').hidden.csrf ?? '';
    expect((await browser.post('/logout', { csrf: otherCsrf })).status).toBe(403);
    expect((await browser.post('/logout', hidden, { origin: 'https://evil.example' })).status).toBe(403);
    expect((await browser.post('/logout', hidden, { 'sec-fetch-site': 'cross-site' })).status).toBe(403);
    expect((await browser.request('POST', '/logout', `csrf=${hidden.csrf ?? ''}`, { 'content-type': 'text/plain' })).status).toBe(400);
    // GET /logout without a valid id_token_hint only asks for confirmation: no state change.
    const confirm = await browser.get('/logout');
    expect(confirm.status).toBe(200);
    expect(confirm.body).toContain('Sign out of Latchkey?');
    expect((await browser.get('/')).body).toContain('Signed in as');
  });

  it('SEC-57: signing out answers 303 to the home page, clears the cookie, and ends the session on the server', async () => {
    const browser = await signedIn();
    const cookie = browser.cookies.get(SESSION_COOKIE) ?? '';
    const { hidden } = readForm((await browser.get('/')).body, 'form[action="/logout"]');
    const out = await browser.post('/logout', hidden);
    expect(out.status).toBe(303);
    expect(out.location).toBe(`${server.url}/`);
    const cleared = out.headers.getSetCookie().find((line) => line.startsWith(`${SESSION_COOKIE}=`)) ?? '';
    expect(cleared).toMatch(/^latchkey_session=;/);
    expect(cleared.toLowerCase()).toMatch(/expires=thu, 01 jan 1970|max-age=0/);
    expect(browser.cookies.has(SESSION_COOKIE)).toBe(false);
    expect(await server.store.sessions.find(hashSecret(cookie), server.now())).toBeUndefined();
    expect((await browser.get('/')).body).toContain('Sign in');
  });

  it('SEC-57: after sign-out prompt=none answers login_required, also for a copy of the old cookie', async () => {
    const browser = await signedIn();
    const copy = new Browser(server.url);
    copy.cookies.set(SESSION_COOKIE, browser.cookies.get(SESSION_COOKIE) ?? '');
    expect((await silentAuthorize(server, copy, clientId)).searchParams.get('error')).toBe('consent_required');
    const { hidden } = readForm((await browser.get('/')).body, 'form[action="/logout"]');
    expect((await browser.post('/logout', hidden)).status).toBe(303);
    expect((await silentAuthorize(server, browser, clientId)).searchParams.get('error')).toBe('login_required');
    expect((await silentAuthorize(server, copy, clientId)).searchParams.get('error')).toBe('login_required');
  });
});
