// The account pages (CONTRACTS.md "The authorization server's own pages"; issue 8): the home
// page's links, "Connected apps" listing each grant by app name with its scopes in plain words and
// when it was given, "Remove access" taking effect at once (the refresh token gets invalid_grant,
// RFC 6749 §5.2; the access token introspects inactive, RFC 7662 §2.2), and the user's sessions
// with "Sign out everywhere else" (OWASP Session Management CS).
import { parse } from 'node-html-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browser } from '../support/browser.js';
import { authorizeFlow, codeFrom, pkce, tokenRequest } from '../support/oauth.js';
import { addClient, seed, startServer, type TestServer } from '../support/server.js';
import { csrfOf, formAt, REDIRECT, signIn } from './console-steps.js';

describe('connected apps and sessions', () => {
  let server: TestServer;
  let resourceServer: { id: string; secret: string };
  beforeAll(async () => {
    server = await startServer();
    await seed(server);
    const rs = await addClient(server, { name: 'Calendar API', grantTypes: ['client_credentials'], redirectUris: [], scopes: ['api.read'] });
    resourceServer = { id: rs.client.id, secret: rs.secret ?? '' };
  });
  afterAll(async () => server.close());

  async function connect(browser: Browser, name: string): Promise<{ clientId: string; secret: string; tokens: Record<string, unknown> }> {
    const { client, secret } = await addClient(server, { name });
    const { verifier, challenge } = pkce();
    const flow = await authorizeFlow(server, browser, { clientId: client.id, redirectUri: REDIRECT, scope: 'openid offline_access api.read', challenge });
    const tokens = await tokenRequest(server, { grant_type: 'authorization_code', code: codeFrom(flow.location), redirect_uri: REDIRECT, code_verifier: verifier }, { clientId: client.id, secret: secret ?? '' });
    expect(tokens.status).toBe(200);
    return { clientId: client.id, secret: secret ?? '', tokens: tokens.json };
  }

  async function introspect(token: string): Promise<Record<string, unknown>> {
    const response = await fetch(`${server.url}/introspect`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from(`${resourceServer.id}:${resourceServer.secret}`).toString('base64')}`,
      },
      body: new URLSearchParams({ token }).toString(),
    });
    expect(response.status).toBe(200);
    return (await response.json()) as Record<string, unknown>;
  }

  it('the home page links a signed-in user to "Developer console" and "Connected apps"', async () => {
    const signedOut = parse((await new Browser(server.url).get('/')).body);
    expect(signedOut.querySelectorAll('a').map((a) => a.text.trim())).not.toContain('Connected apps');
    const browser = await signIn(server);
    const links = parse((await browser.get('/')).body).querySelectorAll('a');
    expect(links.find((a) => a.text.trim() === 'Developer console')?.getAttribute('href')).toBe('/console');
    expect(links.find((a) => a.text.trim() === 'Connected apps')?.getAttribute('href')).toBe('/account/apps');
    const page = await new Browser(server.url).get('/account/apps');
    expect(page.status).toBe(303);
    expect(page.location).toBe(`${server.url}/login?return_to=%2Faccount%2Fapps`);
  });

  it('lists each granted app by name, with its scopes (name and description) and when', async () => {
    const browser = await signIn(server);
    await connect(browser, 'Listed App');
    const page = await browser.get('/account/apps');
    expect(page.status).toBe(200);
    expect(page.headers.get('cache-control')).toBe('no-store');
    const section = parse(page.body).querySelectorAll('section.card').find((s) => s.querySelector('h2')?.text === 'Listed App');
    expect(section).toBeDefined();
    const scopes = section?.querySelectorAll('li').map((li) => li.text.replace(/\s+/g, ' ').trim());
    expect(scopes).toEqual([
      'Know who you are on this service (your account id) (openid)',
      'Stay connected when you are not using the app (offline_access)',
      'See your things (api.read)',
    ]);
    expect(section?.querySelector('time')?.getAttribute('datetime')).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(section?.querySelectorAll('button').map((b) => b.text.trim())).toEqual(['Remove access']);
  });

  it('"Remove access" deletes the grant at once: the refresh token gets invalid_grant, the access token is inactive', async () => {
    const browser = await signIn(server);
    const connected = await connect(browser, 'Removed App');
    expect((await introspect(String(connected.tokens.access_token))).active).toBe(true);
    const page = await browser.get('/account/apps');
    const forms = parse(page.body).querySelectorAll('form[action="/account/apps/remove"]');
    const form = forms.find((f) => f.querySelector('input[name=client_id]')?.getAttribute('value') === connected.clientId);
    expect(form).toBeDefined();
    const removed = await browser.post('/account/apps/remove', { csrf: csrfOf(page), client_id: connected.clientId });
    expect(removed.status).toBe(303);
    const after = await browser.get(removed.location ?? '');
    expect(after.body).toContain('Access removed.');
    expect(parse(after.body).querySelectorAll('section.card h2').map((h) => h.text)).not.toContain('Removed App');

    const refresh = await tokenRequest(server, { grant_type: 'refresh_token', refresh_token: String(connected.tokens.refresh_token) }, { clientId: connected.clientId, secret: connected.secret });
    expect(refresh.status).toBe(400);
    expect(refresh.json.error).toBe('invalid_grant');
    expect((await introspect(String(connected.tokens.access_token))).active).toBe(false);
    // The next authorization asks for consent again.
    const again = await browser.get(`/authorize?${new URLSearchParams({ response_type: 'code', client_id: connected.clientId, redirect_uri: REDIRECT, scope: 'openid', code_challenge: pkce().challenge, code_challenge_method: 'S256' }).toString()}`);
    expect(again.location).toMatch(/\/consent\?/);
  });

  it('"Remove access" without the CSRF token or from another site is refused and keeps the grant', async () => {
    const browser = await signIn(server);
    const connected = await connect(browser, 'Kept App');
    const csrf = csrfOf(await browser.get('/account/apps'));
    expect((await browser.post('/account/apps/remove', { client_id: connected.clientId })).status).toBe(403);
    expect((await browser.post('/account/apps/remove', { csrf, client_id: connected.clientId }, { 'sec-fetch-site': 'cross-site' })).status).toBe(403);
    const refresh = await tokenRequest(server, { grant_type: 'refresh_token', refresh_token: String(connected.tokens.refresh_token) }, { clientId: connected.clientId, secret: connected.secret });
    expect(refresh.status).toBe(200);
  });

  it('lists the sessions and "Sign out everywhere else" ends the others, not this one', async () => {
    const here = await signIn(server);
    const elsewhere = await signIn(server);
    const page = await here.get('/account/apps');
    const items = parse(page.body).querySelectorAll('section[aria-labelledby=sessions-heading] li');
    expect(items.length).toBeGreaterThanOrEqual(2);
    expect(items.filter((li) => li.text.includes('This browser'))).toHaveLength(1);
    expect(formAt(page, '/logout').hidden.csrf).toBe(csrfOf(page));
    const form = formAt(page, '/account/sessions/sign-out-others');
    expect(form.root.querySelector('form[action="/account/sessions/sign-out-others"] button')?.text.trim()).toBe('Sign out everywhere else');
    expect((await here.post(form.action, {})).status).toBe(403);
    const done = await here.post(form.action, form.hidden);
    expect(done.status).toBe(303);
    expect((await here.get('/account/apps')).status).toBe(200);
    expect((await elsewhere.get('/account/apps')).status).toBe(303);
    const remaining = parse((await here.get('/account/apps')).body).querySelectorAll('section[aria-labelledby=sessions-heading] li');
    expect(remaining).toHaveLength(1);
  });
});
