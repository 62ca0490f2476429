// What every HTML page must carry and must never contain: no framing (SEC-49, RFC 9700 §4.16,
// OWASP Clickjacking Defense CS), no referrer, no caching, no third-party resources (SEC-50,
// RFC 9700 §4.2.4), request input and client metadata only escaped (SEC-51, OWASP XSS
// Prevention CS); and the issuer's host is the only one pages and metadata use (SEC-41,
// RFC 9700 §4.13).
import { parse } from 'node-html-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browser, type Page } from '../support/browser.js';
import { authorizeUrl, pkce } from '../support/oauth.js';
import { addClient, seed, startServer, type TestServer } from '../support/server.js';
import { openLogin, postLogin, rawRequest, reachConsent, REDIRECT } from './pages.js';

const XSS_NAME = `<script>alert(1)</script>"'><img src=x onerror=alert(2)>`;

describe('HTML pages: headers, resources and escaping', () => {
  let server: TestServer;
  let clientId: string;
  let evilClientId: string;
  const pages = new Map<string, Page>();
  beforeAll(async () => {
    server = await startServer();
    await seed(server);
    clientId = (await addClient(server)).client.id;
    evilClientId = (await addClient(server, { name: XSS_NAME })).client.id;
    const browser = new Browser(server.url);
    pages.set('home (signed out)', await browser.get('/'));
    pages.set('login', await browser.get('/login'));
    const start = await browser.get(authorizeUrl(server, { clientId: evilClientId, redirectUri: REDIRECT, state: '<x>', challenge: pkce().challenge, extra: { login_hint: '"><svg onload=alert(4)>', ui_locales: '<x>' } }));
    pages.set('authorization redirect', start);
    pages.set('login for a client', await browser.get(start.location ?? ''));
    const consent = await reachConsent(server, new Browser(server.url), evilClientId, { state: '<x>', extra: { login_hint: '"><svg onload=alert(4)>' } });
    pages.set('consent', consent.page);
    pages.set('error: unknown client', await browser.get('/authorize?response_type=code&client_id=%3Cscript%3Ealert(5)%3C%2Fscript%3E'));
    pages.set('error: unregistered redirect', await browser.get(`/authorize?response_type=code&client_id=${clientId}&redirect_uri=${encodeURIComponent('https://evil.example/"><svg onload=alert(6)>')}`));
    pages.set('error: csrf refused', await browser.post('/login', { username: 'alice', password: 'x' }));
    const form = (await openLogin(browser)).form;
    pages.set('login failed', await postLogin(browser, form, '<x>"', 'wrong-password'));
    pages.set('error: expired interaction', await browser.get('/consent?interaction=%3Cx%3E'));
    const signedIn = new Browser(server.url);
    await postLogin(signedIn, (await openLogin(signedIn)).form, 'alice', 'wonderland');
    pages.set('home (signed in)', await signedIn.get('/'));
  });
  afterAll(async () => server.close());

  const html = () => [...pages].filter(([name]) => name !== 'authorization redirect');

  it('the pages answer with what each should be', () => {
    expect(Object.fromEntries([...pages].map(([name, page]) => [name, page.status]))).toEqual({
      'home (signed out)': 200,
      login: 200,
      'authorization redirect': 303,
      'login for a client': 200,
      consent: 200,
      'error: unknown client': 400,
      'error: unregistered redirect': 400,
      'error: csrf refused': 403,
      'login failed': 401,
      'error: expired interaction': 400,
      'home (signed in)': 200,
    });
    for (const [, page] of html()) expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
  });

  it("SEC-49: every HTML page has CSP frame-ancestors 'none' and X-Frame-Options: DENY (RFC 9700 §4.16, OWASP Clickjacking CS)", () => {
    for (const [name, page] of html()) {
      const csp = page.headers.get('content-security-policy') ?? '';
      expect(csp, name).toMatch(/(^|;)\s*frame-ancestors 'none'\s*(;|$)/);
      expect(page.headers.get('x-frame-options'), name).toBe('DENY');
    }
  });

  it("SEC-51: the CSP allows no inline script: script-src 'self', no 'unsafe-inline' or 'unsafe-eval'", () => {
    for (const [name, page] of html()) {
      const csp = page.headers.get('content-security-policy') ?? '';
      expect(csp, name).toMatch(/script-src 'self'/);
      expect(csp, name).not.toContain('unsafe-inline');
      expect(csp, name).not.toContain('unsafe-eval');
      expect(csp, name).toMatch(/default-src 'none'/);
    }
  });

  it('SEC-50: Referrer-Policy: no-referrer and Cache-Control: no-store on every page and on the authorization redirect (RFC 9700 §4.2.4)', () => {
    for (const [name, page] of pages) {
      expect(page.headers.get('referrer-policy'), name).toBe('no-referrer');
      expect(page.headers.get('cache-control'), name).toBe('no-store');
    }
  });

  it('SEC-50: no script, image, stylesheet, frame or form target from another origin, and no inline script', () => {
    for (const [name, page] of html()) {
      const root = parse(page.body);
      const urls = [
        ...root.querySelectorAll('script[src], img[src], iframe[src], embed[src], source[src], audio[src], video[src]').map((e) => e.getAttribute('src') ?? ''),
        ...root.querySelectorAll('link[href], form[action]').map((e) => e.getAttribute('href') ?? e.getAttribute('action') ?? ''),
        ...root.querySelectorAll('object[data]').map((e) => e.getAttribute('data') ?? ''),
      ];
      for (const url of urls) expect(new URL(url, server.url).origin, `${name}: ${url}`).toBe(server.url);
      expect(root.querySelectorAll('script'), name).toHaveLength(0);
      expect(root.querySelectorAll('[style]'), name).toHaveLength(0);
    }
  });

  it('SEC-51: a client named with markup appears only escaped on the login and consent pages', () => {
    for (const name of ['login for a client', 'consent']) {
      const body = pages.get(name)?.body ?? '';
      expect(body, name).toContain('&lt;script>alert(1)&lt;/script>');
      const root = parse(body);
      expect(root.querySelectorAll('script, img, svg'), name).toHaveLength(0);
      expect(root.querySelectorAll('[onerror], [onload]'), name).toHaveLength(0);
      expect(root.querySelector('bdi')?.text, name).toBe(XSS_NAME);
    }
  });

  it('SEC-51: state, login_hint, ui_locales, client_id and redirect_uri never appear unescaped', () => {
    for (const [name, page] of html()) {
      expect(page.body, name).not.toContain('<x>');
      expect(page.body, name).not.toContain('<svg');
      expect(page.body, name).not.toContain('<script');
      const root = parse(page.body);
      expect(root.querySelectorAll('svg, script, [onload], [onerror]'), name).toHaveLength(0);
    }
    expect(pages.get('error: unknown client')?.body).toContain('&lt;script>alert(5)&lt;/script>');
    expect(pages.get('login failed')?.body).toContain('value="&lt;x>&quot;"');
  });

  it('SEC-51: state is echoed in the redirect only percent-encoded', async () => {
    const browser = new Browser(server.url);
    const page = await browser.get(authorizeUrl(server, { clientId, redirectUri: REDIRECT, scope: '<script>', state: '<x>', challenge: pkce().challenge }));
    expect(page.status).toBe(303);
    const location = page.headers.get('location') ?? '';
    expect(location).not.toMatch(/[<>"]/);
    expect(new URL(location).searchParams.get('state')).toBe('<x>');
    expect(new URL(location).searchParams.get('error')).toBe('invalid_scope');
  });
});

describe('the issuer host', () => {
  let server: TestServer;
  let port: string;
  let query: string;
  beforeAll(async () => {
    server = await startServer();
    await seed(server);
    port = new URL(server.url).port;
    const { client } = await addClient(server);
    query = `?response_type=code&client_id=${client.id}&redirect_uri=${encodeURIComponent(REDIRECT)}&scope=openid&state=a%20b&code_challenge=${pkce().challenge}&code_challenge_method=S256`;
  });
  afterAll(async () => server.close());

  it('a GET of /authorize, /login or / under another host name gets a 303 to the issuer origin with the same path and query, and no cookie', async () => {
    for (const host of [`localhost:${port}`, 'evil.example', `127.0.0.1:${Number(port) + 1}`]) {
      for (const target of [`/authorize${query}`, '/login?interaction=abc', '/']) {
        const response = await rawRequest(server, target, { host });
        expect(response.status, `${host} ${target}`).toBe(303);
        expect(response.headers.location).toBe(`${server.url}${target}`);
        expect(response.headers['set-cookie']).toBeUndefined();
        expect(response.headers['cache-control']).toBe('no-store');
      }
    }
  });

  it('the redirect to the issuer host never leads off the issuer origin, whatever the request target', async () => {
    // An absolute-form request target (RFC 9112 §3.2.2) names a host of its own; only its path counts.
    for (const target of ['http://evil.example/login', 'https://evil.example:8443/login?interaction=x']) {
      const response = await rawRequest(server, target, { host: `localhost:${port}` });
      expect(response.status).toBe(303);
      expect(response.headers.location).toBe(`${server.url}${new URL(target).pathname}${new URL(target).search}`);
      expect(response.headers['set-cookie']).toBeUndefined();
    }
  });

  it('SEC-41 (a), (b): discovery under Host: evil.example or forwarded headers never names evil.example (RFC 9700 §4.13, RFC 8414 §3.3)', async () => {
    const variants: Record<string, string>[] = [
      { host: 'evil.example' },
      { host: `127.0.0.1:${port}`, 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'http' },
      { host: `127.0.0.1:${port}`, forwarded: 'host=evil.example;proto=http' },
    ];
    for (const path of ['/.well-known/oauth-authorization-server', '/.well-known/openid-configuration']) {
      for (const headers of variants) {
        const response = await rawRequest(server, path, headers);
        expect([200, 400, 421]).toContain(response.status);
        expect(response.body).not.toContain('evil.example');
        if (response.status === 200) expect((JSON.parse(response.body) as { issuer: string }).issuer).toBe(server.url);
      }
    }
  });

  it('SEC-41 (c): /login and /authorize with forwarded headers keep their form action, links and iss', async () => {
    const headers = { host: `127.0.0.1:${port}`, 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'https', forwarded: 'host=evil.example' };
    const loginPage = await rawRequest(server, '/login', headers);
    expect(loginPage.status).toBe(200);
    expect(loginPage.body).not.toContain('evil.example');
    expect(parse(loginPage.body).querySelector('form')?.getAttribute('action')).toBe('/login');
    const denied = await rawRequest(server, `/authorize${query}&prompt=none`, headers);
    expect(denied.status).toBe(303);
    const location = new URL(denied.headers.location ?? '');
    expect(location.searchParams.get('iss')).toBe(server.url);
    expect(location.searchParams.get('error')).toBe('login_required');
  });
});
