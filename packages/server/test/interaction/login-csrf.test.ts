// SEC-46 login CSRF (OWASP CSRF Prevention CS; RFC 6749 §10.12): a login form posted without
// this browser session's token, from another site, or as a type a form cannot send is refused
// with an HTML page, and no signed-in session comes of it (a later prompt=none still answers
// login_required).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browser, toSearchParams } from '../support/browser.js';
import { addClient, ALICE, seed, startServer, type TestServer } from '../support/server.js';
import { openLogin, postLogin, SESSION_COOKIE, silentAuthorize, type Form } from './pages.js';

describe('SEC-46: login CSRF', () => {
  let server: TestServer;
  let clientId: string;
  beforeAll(async () => {
    server = await startServer();
    await seed(server);
    clientId = (await addClient(server)).client.id;
  });
  afterAll(async () => server.close());

  /** A refused login: 403/400 as an HTML error page, no cookie set, and still signed out. */
  async function expectRefused(browser: Browser, page: { status: number; headers: Headers; body: string }, status: number): Promise<void> {
    expect(page.status).toBe(status);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(page.headers.get('location')).toBeNull();
    expect(page.headers.getSetCookie()).toEqual([]);
    expect(page.body).not.toContain('name="password"');
    const silent = await silentAuthorize(server, browser, clientId);
    expect(silent.searchParams.get('error')).toBe('login_required');
    expect(silent.searchParams.get('code')).toBeNull();
  }

  async function fresh(): Promise<{ browser: Browser; form: Form }> {
    const browser = new Browser(server.url);
    return { browser, form: (await openLogin(browser)).form };
  }

  it('control: the form posted with its own token and cookie answers 303 and signs in', async () => {
    const { browser, form } = await fresh();
    const after = await postLogin(browser, form, ALICE.username, ALICE.password, { origin: server.url, 'sec-fetch-site': 'same-origin' });
    expect(after.status).toBe(303);
    const silent = await silentAuthorize(server, browser, clientId);
    expect(silent.searchParams.get('error')).not.toBe('login_required');
  });

  it('(a) no CSRF field: 403', async () => {
    const { browser, form } = await fresh();
    const { csrf: _dropped, ...rest } = form.hidden;
    const page = await browser.post('/login', { ...rest, username: ALICE.username, password: ALICE.password });
    await expectRefused(browser, page, 403);
    expect(page.body).toContain('This form has expired or was sent from another site.');
  });

  it('(a) an empty CSRF field: 403', async () => {
    const { browser, form } = await fresh();
    const page = await browser.post('/login', { ...form.hidden, csrf: '', username: ALICE.username, password: ALICE.password });
    await expectRefused(browser, page, 403);
  });

  it("(b) the CSRF value of another browser session: 403", async () => {
    const { browser } = await fresh();
    const other = await fresh();
    const page = await postLogin(browser, other.form, ALICE.username, ALICE.password);
    await expectRefused(browser, page, 403);
  });

  it("(c) a valid CSRF value sent with another session's cookie: 403", async () => {
    const victim = await fresh();
    const attacker = await fresh();
    // The attacker's page posts the victim's form with the attacker's own cookie jar.
    const page = await postLogin(attacker.browser, victim.form, ALICE.username, ALICE.password);
    await expectRefused(attacker.browser, page, 403);
  });

  it('(c) a valid CSRF value with no session cookie at all: 403', async () => {
    const { form } = await fresh();
    const cookieless = new Browser(server.url);
    const page = await postLogin(cookieless, form, ALICE.username, ALICE.password);
    expect(page.status).toBe(403);
    expect(page.headers.getSetCookie()).toEqual([]);
  });

  it('(d) a valid CSRF value with Origin: https://evil.example: 403', async () => {
    const { browser, form } = await fresh();
    const page = await postLogin(browser, form, ALICE.username, ALICE.password, { origin: 'https://evil.example' });
    await expectRefused(browser, page, 403);
  });

  it('(d) Origin: null (a sandboxed or data: page) and a cross-site Sec-Fetch-Site: 403', async () => {
    const crossSite: Record<string, string>[] = [{ origin: 'null' }, { 'sec-fetch-site': 'cross-site' }, { 'sec-fetch-site': 'same-site' }, { origin: server.url.replace('127.0.0.1', 'localhost') }];
    for (const headers of crossSite) {
      const { browser, form } = await fresh();
      const page = await postLogin(browser, form, ALICE.username, ALICE.password, headers);
      await expectRefused(browser, page, 403);
    }
  });

  it('(e) Content-Type: text/plain (a form a cross-site page can send without preflight): 400', async () => {
    const { browser, form } = await fresh();
    const body = toSearchParams({ ...form.hidden, username: ALICE.username, password: ALICE.password }).toString();
    const page = await browser.request('POST', '/login', body, { 'content-type': 'text/plain' });
    await expectRefused(browser, page, 400);
  });

  it('(e) multipart/form-data and JSON bodies: 400', async () => {
    const { browser, form } = await fresh();
    const fields = { ...form.hidden, username: ALICE.username, password: ALICE.password };
    const json = await browser.request('POST', '/login', JSON.stringify(fields), { 'content-type': 'application/json' });
    await expectRefused(browser, json, 400);
    const boundary = 'x-boundary';
    const multipart = Object.entries(fields).map(([k, v]) => `--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`).join('') + `--${boundary}--\r\n`;
    const page = await browser.request('POST', '/login', multipart, { 'content-type': `multipart/form-data; boundary=${boundary}` });
    expect([400, 415]).toContain(page.status);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
  });

  it('a refused login leaves the anonymous session as it was: the same cookie, and its own form still works', async () => {
    const { browser, form } = await fresh();
    const before = browser.cookies.get(SESSION_COOKIE);
    await postLogin(browser, form, ALICE.username, ALICE.password, { origin: 'https://evil.example' });
    expect(browser.cookies.get(SESSION_COOKIE)).toBe(before);
    expect((await postLogin(browser, form, ALICE.username, ALICE.password)).status).toBe(303);
  });
});
