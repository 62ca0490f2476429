// The developer console (CONTRACTS.md "The authorization server's own pages"; issue 8): register
// an app as `latchkey client add` would (the same validation, the reason shown on the form), the
// secret shown once, rotation that ends the old secret at once (RFC 6749 §2.3.1: a client
// authenticates with its current secret), redirect URIs added and removed (RFC 6749 §3.1.2), the
// failed authorization attempts with their reasons, deletion, and another user's app as 404.
import { parse } from 'node-html-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browser } from '../support/browser.js';
import { authorizeFlow, authorizeUrl, codeFrom, pkce, tokenRequest } from '../support/oauth.js';
import { ALICE, BOB, seed, startServer, type TestServer } from '../support/server.js';
import { alertOn, credentialsOn, csrfOf, formAt, REDIRECT, register, signIn, type Registration } from './console-steps.js';

describe('the developer console', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer();
    await seed(server);
  });
  afterAll(async () => server.close());

  it('sends a signed-out visitor to the login page and back to the console', async () => {
    const browser = new Browser(server.url);
    const page = await browser.get('/console');
    expect(page.status).toBe(303);
    expect(page.location).toBe(`${server.url}/login?return_to=%2Fconsole`);
    const login = await browser.get(page.location ?? '');
    const form = formAt(login, '/login');
    expect(form.hidden.return_to).toBe('/console');
    const after = await browser.post('/login', { ...form.hidden, username: ALICE.username, password: ALICE.password });
    expect(after.status).toBe(303);
    expect(after.location).toBe(`${server.url}/console`);
    // SEC-54 b: a return_to outside the console and account pages is ignored.
    const other = new Browser(server.url);
    const evil = formAt(await other.get('/login?return_to=//evil.example/console'), '/login');
    expect(evil.hidden.return_to).toBeUndefined();
    const home = await other.post('/login', { ...evil.hidden, return_to: 'https://evil.example/console', username: ALICE.username, password: ALICE.password });
    expect(home.location).toBe(`${server.url}/`);
  });

  it('has the labelled register form: Name, Redirect URIs, a checkbox per scope, Confidential or Public', async () => {
    const browser = await signIn(server);
    const page = await browser.get('/console');
    expect(page.status).toBe(200);
    expect(page.headers.get('cache-control')).toBe('no-store');
    expect(page.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    const root = parse(page.body);
    const labelFor = (text: string) => root.querySelectorAll('label').find((l) => l.childNodes[0]?.text.trim() === text)?.getAttribute('for');
    expect(root.querySelector(`#${labelFor('Name') ?? 'x'}`)?.getAttribute('name')).toBe('name');
    expect(root.querySelector(`#${labelFor('Redirect URIs') ?? 'x'}`)?.tagName).toBe('TEXTAREA');
    const boxes = root.querySelectorAll('input[type=checkbox][name=scope]').map((i) => i.getAttribute('value'));
    expect(boxes.sort()).toEqual(['api.admin', 'api.read', 'api.write', 'email', 'offline_access', 'openid', 'profile']);
    expect(root.querySelector(`#${labelFor('Confidential') ?? 'x'}`)?.getAttribute('type')).toBe('radio');
    expect(root.querySelector(`#${labelFor('Public') ?? 'x'}`)?.getAttribute('type')).toBe('radio');
    expect(formAt(page, '/console').hidden.csrf).toBe(csrfOf(page));
  });

  it('registers a confidential app: the client id, and the secret once, which then works at /token', async () => {
    const browser = await signIn(server);
    const page = await register(browser, { name: 'Mine', redirectUris: `${REDIRECT}\r\nhttp://127.0.0.1:9999/cb\r\n` });
    expect(page.status).toBe(201);
    expect(page.headers.get('cache-control')).toBe('no-store');
    const { clientId, secret } = credentialsOn(page);
    expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const client = await server.store.clients.findById(clientId);
    expect(client?.redirectUris).toEqual([REDIRECT, 'http://127.0.0.1:9999/cb']);
    expect(client?.scopes).toEqual(['openid', 'offline_access', 'api.read']);
    expect(client?.ownerUserId).toBe((await server.store.users.findByUsernameKey('alice'))?.id);
    // Shown once: the app's page never shows it again.
    const again = await browser.get(`/console/apps/${clientId}`);
    expect(again.status).toBe(200);
    expect(credentialsOn(again)).toEqual({ clientId, secret: null });
    expect(again.body).not.toContain(secret);
    // Listed in the console.
    const list = parse((await browser.get('/console')).body);
    expect(list.querySelector(`a[href="/console/apps/${clientId}"]`)?.text).toBe('Mine');
    // The copy button is progressive: hidden until the same-origin script shows it.
    expect(parse(page.body).querySelector('button[data-copy=client-secret]')?.hasAttribute('hidden')).toBe(true);
    expect(parse(page.body).querySelector('script')?.getAttribute('src')).toBe('/assets/console.js');
    const script = await browser.get('/assets/console.js');
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toMatch(/^text\/javascript/);

    const { location } = await authorizeFlow(server, browser, { clientId, redirectUri: REDIRECT, scope: 'openid api.read', challenge: pkce().challenge });
    expect(location.searchParams.get('code')).not.toBeNull();
    const wrong = await tokenRequest(server, { grant_type: 'refresh_token', refresh_token: 'x' }, { clientId, secret: 'not-the-secret' });
    expect(wrong.status).toBe(401);
    const right = await tokenRequest(server, { grant_type: 'refresh_token', refresh_token: 'x' }, { clientId, secret: secret ?? '' });
    expect(right.json.error).toBe('invalid_grant');
  });

  it('registers a public app without a secret', async () => {
    const browser = await signIn(server);
    const page = await register(browser, { name: 'Phone', kind: 'public', redirectUris: 'com.example.phone:/cb' });
    expect(page.status).toBe(201);
    const { clientId, secret } = credentialsOn(page);
    expect(secret).toBeNull();
    expect((await server.store.clients.findById(clientId))?.tokenEndpointAuthMethod).toBe('none');
    expect(parse(page.body).querySelectorAll('button').some((b) => b.text.trim() === 'Rotate secret')).toBe(false);
  });

  it.each([
    [{ name: '' }, 'the client name must be 1 to 100 characters'],
    [{ redirectUris: 'http://app.example/cb' }, 'redirect URI "http://app.example/cb" must use https (http is allowed only on localhost, 127.0.0.1 or [::1])'],
    [{ redirectUris: 'https://app.example/cb#frag' }, 'redirect URI "https://app.example/cb#frag" must not contain a fragment (RFC 6749 section 3.1.2)'],
    [{ redirectUris: 'javascript:alert(1)' }, 'redirect URI "javascript:alert(1)" must not use the javascript: scheme'],
    [{ redirectUris: '' }, 'at least one --redirect-uri is needed for the authorization_code grant'],
    [{ scopes: ['openid', 'nope'] }, 'unknown scope: nope (define it first with latchkey scope add)'],
    [{ kind: 'both' }, 'choose Confidential or Public'],
  ])('refuses %j with the reason on the form, keeping what was typed', async (input: Registration, reason) => {
    const browser = await signIn(server);
    const before = (await server.store.clientAdmin.listByOwner((await server.store.users.findByUsernameKey('alice'))?.id ?? '')).length;
    const page = await register(browser, { name: 'Typed <b>name</b>', ...input });
    expect(page.status).toBe(400);
    expect(alertOn(page)).toBe(`The app was not registered: ${reason}.`);
    const root = parse(page.body);
    expect(root.querySelector('#app-name')?.getAttribute('value')).toBe(input.name ?? 'Typed <b>name</b>');
    expect(page.body).not.toContain('<b>name</b>');
    const after = (await server.store.clientAdmin.listByOwner((await server.store.users.findByUsernameKey('alice'))?.id ?? '')).length;
    expect(after).toBe(before);
  });

  it('rotates the secret: shown once, the old one is refused with 401 invalid_client at once, the new one works', async () => {
    const browser = await signIn(server);
    const registered = credentialsOn(await register(browser, { name: 'Rotating' }));
    const appPage = await browser.get(`/console/apps/${registered.clientId}`);
    const form = formAt(appPage, `/console/apps/${registered.clientId}/secret`);
    const rotated = await browser.post(form.action, form.hidden);
    expect(rotated.status).toBe(200);
    const { secret } = credentialsOn(rotated);
    expect(secret).not.toBeNull();
    expect(secret).not.toBe(registered.secret);

    const flow = await authorizeFlow(server, browser, { clientId: registered.clientId, redirectUri: REDIRECT, scope: 'openid api.read', challenge: 'c'.repeat(43) });
    const code = codeFrom(flow.location);
    const old = await tokenRequest(server, { grant_type: 'authorization_code', code, redirect_uri: REDIRECT, code_verifier: 'v'.repeat(43) }, { clientId: registered.clientId, secret: registered.secret ?? '' });
    expect(old.status).toBe(401);
    expect(old.json.error).toBe('invalid_client');

    const { verifier, challenge } = pkce();
    const second = await authorizeFlow(server, browser, { clientId: registered.clientId, redirectUri: REDIRECT, scope: 'openid api.read', challenge });
    const fresh = await tokenRequest(server, { grant_type: 'authorization_code', code: codeFrom(second.location), redirect_uri: REDIRECT, code_verifier: verifier }, { clientId: registered.clientId, secret: secret ?? '' });
    expect(fresh.status).toBe(200);
    expect(typeof fresh.json.access_token).toBe('string');
    expect((await browser.get(`/console/apps/${registered.clientId}`)).body).not.toContain(secret);
  });

  it('adds and removes redirect URIs, refusing an invalid one with the reason and the last one', async () => {
    const browser = await signIn(server);
    const { clientId } = credentialsOn(await register(browser, { name: 'Uris' }));
    const path = `/console/apps/${clientId}`;
    let page = await browser.get(path);
    const add = formAt(page, `${path}/redirect-uris`);
    const added = await browser.post(add.action, { ...add.hidden, redirect_uri: 'https://app.example/other' });
    expect(added.status).toBe(303);
    expect(added.location).toBe(`${server.url}${path}`);
    expect((await server.store.clients.findById(clientId))?.redirectUris).toEqual([REDIRECT, 'https://app.example/other']);

    const bad = await browser.post(add.action, { ...add.hidden, redirect_uri: 'http://app.example/cb' });
    expect(bad.status).toBe(400);
    expect(alertOn(bad)).toBe('The redirect URI was not added: redirect URI "http://app.example/cb" must use https (http is allowed only on localhost, 127.0.0.1 or [::1]).');
    const duplicate = await browser.post(add.action, { ...add.hidden, redirect_uri: REDIRECT });
    expect(alertOn(duplicate)).toBe(`The redirect URI was not added: ${REDIRECT} is already registered.`);

    page = await browser.get(path);
    const removeForms = parse(page.body).querySelectorAll(`form[action="${path}/redirect-uris/remove"]`);
    expect(removeForms).toHaveLength(2);
    const removed = await browser.post(`${path}/redirect-uris/remove`, { csrf: csrfOf(page), redirect_uri: REDIRECT });
    expect(removed.status).toBe(303);
    expect((await server.store.clients.findById(clientId))?.redirectUris).toEqual(['https://app.example/other']);
    const last = await browser.post(`${path}/redirect-uris/remove`, { csrf: csrfOf(page), redirect_uri: 'https://app.example/other' });
    expect(last.status).toBe(400);
    expect(alertOn(last)).toBe('The redirect URI was not removed: at least one redirect URI is needed for the authorization_code grant; add the new one first.');
  });

  it('lists failed authorization attempts with the exact reason, newest first, for its own app only', async () => {
    const browser = await signIn(server);
    const { clientId } = credentialsOn(await register(browser, { name: 'Debugging', redirectUris: 'https://a/cb' }));
    const wrongUri = await new Browser(server.url).get(authorizeUrl(server, { clientId, redirectUri: 'https://a/cb/', challenge: pkce().challenge }));
    expect(wrongUri.status).toBe(400);
    const noPkce = await browser.get(authorizeUrl(server, { clientId, redirectUri: 'https://a/cb', challenge: null }));
    expect(noPkce.status).toBe(303);
    const page = await browser.get(`/console/apps/${clientId}`);
    const reasons = parse(page.body).querySelectorAll('td.reason').map((td) => td.text);
    expect(reasons).toHaveLength(2);
    expect(reasons[1]).toBe('redirect_uri https://a/cb/ is not registered; registered: https://a/cb');
    expect(reasons[0]).toMatch(/^invalid_request: .*code_challenge/);
  });

  it('SEC-09, D-9 (RFC 9700 §4.11.2): a console app\'s errors are redirected only to a signed-in visitor', async () => {
    const browser = await signIn(server);
    const { clientId } = credentialsOn(await register(browser, { name: 'Phish', redirectUris: 'https://phish.example/cb' }));
    const bad = authorizeUrl(server, { clientId, redirectUri: 'https://phish.example/cb', scope: 'bogus', challenge: pkce().challenge });
    const anonymous = await new Browser(server.url).get(bad);
    expect(anonymous.status).toBe(400);
    expect(anonymous.location).toBeNull();
    expect(anonymous.body).toContain('invalid_scope');
    const signedIn = await browser.get(bad);
    expect(signedIn.status).toBe(303);
    expect(new URL(signedIn.location ?? '').searchParams.get('error')).toBe('invalid_scope');
  });

  it('keeps the last 50 failed attempts per app', async () => {
    const browser = await signIn(server);
    const { clientId } = credentialsOn(await register(browser, { name: 'Noisy', redirectUris: 'https://a/cb' }));
    for (let i = 0; i < 53; i += 1) {
      await server.store.authorizationFailures.record({ clientId, reason: `failure ${i}`, createdAt: server.now() }, 50);
    }
    const failures = await server.store.authorizationFailures.listRecent(clientId, 100);
    expect(failures).toHaveLength(50);
    expect(failures[0]?.reason).toBe('failure 52');
    expect(failures[49]?.reason).toBe('failure 3');
  });

  it('deletes an app: its grants and refresh tokens go with it, and its page is gone', async () => {
    const browser = await signIn(server);
    const registered = credentialsOn(await register(browser, { name: 'Doomed' }));
    const { verifier, challenge } = pkce();
    const flow = await authorizeFlow(server, browser, { clientId: registered.clientId, redirectUri: REDIRECT, scope: 'openid offline_access', challenge });
    const tokens = await tokenRequest(server, { grant_type: 'authorization_code', code: codeFrom(flow.location), redirect_uri: REDIRECT, code_verifier: verifier }, { clientId: registered.clientId, secret: registered.secret ?? '' });
    expect(tokens.status).toBe(200);
    const path = `/console/apps/${registered.clientId}`;
    const page = await browser.get(path);
    const unconfirmed = await browser.post(`${path}/delete`, { csrf: csrfOf(page) });
    expect(unconfirmed.status).toBe(400);
    const deleted = await browser.post(`${path}/delete`, { csrf: csrfOf(page), confirm: 'yes' });
    expect(deleted.status).toBe(303);
    expect(deleted.location).toBe(`${server.url}/console`);
    expect(await server.store.clients.findById(registered.clientId)).toBeUndefined();
    const alice = await server.store.users.findByUsernameKey('alice');
    expect(await server.store.grants.find(alice?.id ?? '', registered.clientId)).toBeUndefined();
    expect((await browser.get(path)).status).toBe(404);
    const refresh = await tokenRequest(server, { grant_type: 'refresh_token', refresh_token: String(tokens.json.refresh_token) }, { clientId: registered.clientId, secret: registered.secret ?? '' });
    expect(refresh.status).toBe(401);
    // The access token's grant is gone, so verification calls it revoked (tokens/verify.ts).
    const claims = JSON.parse(Buffer.from(String(tokens.json.access_token).split('.')[1] ?? '', 'base64url').toString()) as { grant_id?: string };
    expect(typeof claims.grant_id).toBe('string');
    expect(await server.store.refreshTokens.findFamily(claims.grant_id ?? '')).toBeUndefined();
  });

  it("answers 404 to another user's app page and to every POST to it, changing nothing", async () => {
    const alice = await signIn(server);
    const registered = credentialsOn(await register(alice, { name: 'Private' }));
    const bob = await signIn(server, BOB);
    const path = `/console/apps/${registered.clientId}`;
    const page = await bob.get(path);
    expect(page.status).toBe(404);
    expect(page.body).not.toContain('Private');
    const csrf = csrfOf(await bob.get('/console'));
    for (const [action, form] of [
      ['redirect-uris', { redirect_uri: 'https://evil.example/cb' }],
      ['redirect-uris/remove', { redirect_uri: REDIRECT }],
      ['secret', {}],
      ['delete', { confirm: 'yes' }],
    ] as const) {
      const answer = await bob.post(`${path}/${action}`, { csrf, ...form });
      expect(answer.status, action).toBe(404);
    }
    const client = await server.store.clients.findById(registered.clientId);
    expect(client?.redirectUris).toEqual([REDIRECT]);
    // The secret still works: it was not rotated.
    const check = await tokenRequest(server, { grant_type: 'refresh_token', refresh_token: 'x' }, { clientId: registered.clientId, secret: registered.secret ?? '' });
    expect(check.json.error).toBe('invalid_grant');
    expect(parse((await bob.get('/console')).body).querySelector(`a[href="${path}"]`)).toBeNull();
    expect((await bob.get('/console/apps/no-such-app')).status).toBe(404);
  });

  it('refuses forms without the CSRF token, with another session\'s token, or from another site (403)', async () => {
    const browser = await signIn(server);
    const registered = credentialsOn(await register(browser, { name: 'Guarded' }));
    const path = `/console/apps/${registered.clientId}`;
    const csrf = csrfOf(await browser.get(path));
    const otherCsrf = csrfOf(await (await signIn(server)).get('/console'));
    expect((await browser.post(`${path}/secret`, {})).status).toBe(403);
    expect((await browser.post(`${path}/secret`, { csrf: otherCsrf })).status).toBe(403);
    expect((await browser.post(`${path}/secret`, { csrf }, { origin: 'https://evil.example' })).status).toBe(403);
    expect((await browser.post(`${path}/delete`, { confirm: 'yes' })).status).toBe(403);
    expect((await browser.post('/console', { name: 'Forged', redirect_uris: REDIRECT, kind: 'public' })).status).toBe(403);
    expect((await browser.request('POST', `${path}/secret`, `csrf=${csrf}`, { 'content-type': 'text/plain' })).status).toBe(400);
    // A signed-out browser's POST is refused too.
    const anonymous = new Browser(server.url);
    const anonCsrf = csrfOf(await anonymous.get('/login'));
    expect((await anonymous.post(`${path}/secret`, { csrf: anonCsrf })).status).toBe(403);
    const check = await tokenRequest(server, { grant_type: 'refresh_token', refresh_token: 'x' }, { clientId: registered.clientId, secret: registered.secret ?? '' });
    expect(check.json.error).toBe('invalid_grant');
  });

  it('escapes an app name everywhere it is shown (SEC-51)', async () => {
    const browser = await signIn(server);
    const name = '<script>alert(1)</script>"\'><img src=x onerror=alert(2)>';
    const page = await register(browser, { name });
    expect(page.status).toBe(201);
    expect(page.body).not.toContain('<script>alert');
    expect(page.body).not.toContain('<img src=x');
    expect(parse(page.body).querySelector('h1')?.text).toBe(name);
    expect((await browser.get('/console')).body).not.toContain('<img src=x');
  });
});
