// The consent page (CONTRACTS.md "Pages"; RFC 6749 §3.3, §4.1.2.1, §10.12; SEC-48): the client
// named, each requested scope a checked box with a plain-words label, allow and deny buttons.
// The scopes posted are the scopes granted; none is a denial; granted scopes are not asked for
// again; new ones are asked for alone; declined ones are asked for again.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browser } from '../support/browser.js';
import { codeFrom } from '../support/oauth.js';
import { addClient, seed, startServer, type TestServer } from '../support/server.js';
import { askedScopes, drive, exchange, reachConsent, REDIRECT, userId, type Form } from './pages.js';

describe('the consent page', () => {
  let server: TestServer;
  let alice: string;
  beforeAll(async () => {
    server = await startServer();
    await seed(server);
    alice = await userId(server, 'alice');
  });
  afterAll(async () => server.close());

  /** A new client for each test, so grants from other tests do not interfere. */
  async function newClient(name = 'Photo Printer'): Promise<{ id: string; secret: string | null }> {
    const { client, secret } = await addClient(server, { name });
    return { id: client.id, secret };
  }

  function submit(browser: Browser, form: Form, decision: string, scope: string[]) {
    return browser.post(form.action, { ...form.hidden, scope, decision });
  }

  /** The client-side redirect: exactly the registered URI plus the response parameters. */
  function expectClientRedirect(page: { status: number; location: string | null }): URL {
    expect(page.status).toBe(303);
    const location = new URL(page.location ?? '');
    expect(`${location.origin}${location.pathname}`).toBe(REDIRECT);
    return location;
  }

  it('names the client and lists each requested scope as a checked box with a plain-words label, and allow/deny buttons (CONTRACTS.md "Pages")', async () => {
    const client = await newClient();
    const { page, form } = await reachConsent(server, new Browser(server.url), client.id, { scope: 'openid email api.read api.write' });
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(form.root.querySelector('h1')?.text).toContain('Photo Printer');
    expect(form.root.querySelector('form')?.getAttribute('method')).toBe('post');
    expect(Object.keys(form.hidden).sort()).toEqual(['csrf', 'interaction']);
    const plain: Record<string, string> = { openid: 'Know who you are', email: 'See your email address', 'api.read': 'See your things', 'api.write': 'Change your things' };
    expect(askedScopes(form).sort()).toEqual(Object.keys(plain).sort());
    for (const [scope, words] of Object.entries(plain)) {
      const box = form.root.querySelector(`input[type=checkbox][name=scope][value="${scope}"]`);
      expect(box?.hasAttribute('checked')).toBe(true);
      const label = form.root.querySelector(`label[for="${box?.getAttribute('id') ?? ''}"]`);
      expect(label?.text).toContain(words);
    }
    const buttons = form.root.querySelectorAll('button[name=decision]').map((b) => b.getAttribute('value'));
    expect(buttons.sort()).toEqual(['allow', 'deny']);
    expect(page.body).toContain('https://app.example'); // where the user will be sent
  });

  it('SEC-48 (a): posting a subset grants exactly that subset; the token scope equals it (RFC 6749 §3.3, §5.1)', async () => {
    const client = await newClient();
    const browser = new Browser(server.url);
    const { form, verifier } = await reachConsent(server, browser, client.id, { scope: 'openid email api.read api.write', state: 'S1' });
    const back = await submit(browser, form, 'allow', ['openid', 'api.read']);
    const location = expectClientRedirect(back);
    expect(location.searchParams.get('state')).toBe('S1');
    expect(location.searchParams.get('iss')).toBe(server.url);
    const token = await exchange(server, client, codeFrom(location), verifier);
    expect(token.status).toBe(200);
    expect(token.json.scope).toBe('openid api.read');
    expect((await server.store.grants.find(alice, client.id))?.scopes.sort()).toEqual(['api.read', 'openid']);
  });

  it('SEC-48: granting none is a denial: access_denied with state and iss, no code (RFC 6749 §4.1.2.1, RFC 9207)', async () => {
    const client = await newClient();
    const browser = new Browser(server.url);
    const { form } = await reachConsent(server, browser, client.id, { scope: 'openid api.read', state: 'none-granted' });
    const location = expectClientRedirect(await submit(browser, form, 'allow', []));
    expect(location.searchParams.get('error')).toBe('access_denied');
    expect(location.searchParams.get('state')).toBe('none-granted');
    expect(location.searchParams.get('iss')).toBe(server.url);
    expect(location.searchParams.has('code')).toBe(false);
    expect(await server.store.grants.find(alice, client.id)).toBeUndefined();
  });

  it('SEC-48 (b): deny answers access_denied with state and iss, no code and no grant (fapi2 user-rejects-authentication)', async () => {
    const client = await newClient();
    const browser = new Browser(server.url);
    const { form } = await reachConsent(server, browser, client.id, { scope: 'openid api.read', state: 'say-no' });
    const location = expectClientRedirect(await submit(browser, form, 'deny', ['openid', 'api.read']));
    expect(location.searchParams.get('error')).toBe('access_denied');
    expect(location.searchParams.get('state')).toBe('say-no');
    expect(location.searchParams.get('iss')).toBe(server.url);
    expect(location.searchParams.has('code')).toBe(false);
    expect(await server.store.grants.find(alice, client.id)).toBeUndefined();
  });

  it('a user who granted every requested scope is not asked again: 303 straight to the client with a code (CONTRACTS.md "Pages")', async () => {
    const client = await newClient();
    const browser = new Browser(server.url);
    const { form } = await reachConsent(server, browser, client.id, { scope: 'openid api.read' });
    expectClientRedirect(await submit(browser, form, 'allow', ['openid', 'api.read']));
    for (const scope of ['openid api.read', 'api.read']) {
      const again = await drive(server, browser, client.id, { scope, state: 'again' });
      if (again.kind !== 'client') throw new Error('asked for consent again');
      expectClientRedirect(again.page);
      expect(again.location.searchParams.get('state')).toBe('again');
      const token = await exchange(server, client, codeFrom(again.location), again.verifier);
      expect(token.json.scope).toBe(scope);
    }
  });

  it('prompt=consent asks again for every requested scope (OIDC Core §3.1.2.1)', async () => {
    const client = await newClient();
    const browser = new Browser(server.url);
    const first = await reachConsent(server, browser, client.id, { scope: 'openid api.read' });
    expectClientRedirect(await submit(browser, first.form, 'allow', ['openid', 'api.read']));
    const again = await reachConsent(server, browser, client.id, { scope: 'openid api.read', extra: { prompt: 'consent' } });
    expect(askedScopes(again.form).sort()).toEqual(['api.read', 'openid']);
    // Unchecking one now limits this authorization to what was approved now.
    const location = expectClientRedirect(await submit(browser, again.form, 'allow', ['openid']));
    expect((await exchange(server, client, codeFrom(location), again.verifier)).json.scope).toBe('openid');
  });

  it('SEC-48 (d): one more scope later asks only for the new one, lists earlier ones as already allowed, and the code carries the union', async () => {
    const client = await newClient();
    const browser = new Browser(server.url);
    const first = await reachConsent(server, browser, client.id, { scope: 'openid api.read' });
    expectClientRedirect(await submit(browser, first.form, 'allow', ['openid', 'api.read']));
    const more = await reachConsent(server, browser, client.id, { scope: 'openid api.read api.write' });
    expect(askedScopes(more.form)).toEqual(['api.write']);
    const granted = more.form.root.querySelector('.granted')?.text ?? '';
    expect(granted).toContain('Already allowed');
    expect(granted).toContain('See your things');
    expect(granted).toContain('Know who you are');
    expect(granted).not.toContain('Change your things');
    const location = expectClientRedirect(await submit(browser, more.form, 'allow', ['api.write']));
    const token = await exchange(server, client, codeFrom(location), more.verifier);
    expect(String(token.json.scope).split(' ').sort()).toEqual(['api.read', 'api.write', 'openid']);
    expect((await server.store.grants.find(alice, client.id))?.scopes.sort()).toEqual(['api.read', 'api.write', 'openid']);
  });

  it('declining the new scope keeps the earlier ones for this authorization', async () => {
    const client = await newClient();
    const browser = new Browser(server.url);
    const first = await reachConsent(server, browser, client.id, { scope: 'openid api.read' });
    expectClientRedirect(await submit(browser, first.form, 'allow', ['openid', 'api.read']));
    const more = await reachConsent(server, browser, client.id, { scope: 'openid api.read api.write' });
    const declined = expectClientRedirect(await submit(browser, more.form, 'deny', ['api.write']));
    expect(declined.searchParams.get('error')).toBe('access_denied');
    expect((await server.store.grants.find(alice, client.id))?.scopes.sort()).toEqual(['api.read', 'openid']);
  });

  it('a scope declined earlier is asked for again when requested again (CONTRACTS.md "Pages")', async () => {
    const client = await newClient();
    const browser = new Browser(server.url);
    const first = await reachConsent(server, browser, client.id, { scope: 'openid api.read api.write' });
    expectClientRedirect(await submit(browser, first.form, 'allow', ['openid', 'api.read']));
    const again = await reachConsent(server, browser, client.id, { scope: 'openid api.read api.write' });
    expect(askedScopes(again.form)).toEqual(['api.write']);
    // A request within what was granted is not asked again.
    expect((await drive(server, browser, client.id, { scope: 'openid api.read' })).kind).toBe('client');
  });

  it('SEC-48 (c): tampered extra scopes in the consent POST (api.admin, api.write, unknown) are ignored, never granted', async () => {
    const client = await newClient();
    const browser = new Browser(server.url);
    const { form, verifier } = await reachConsent(server, browser, client.id, { scope: 'openid api.read' });
    const location = expectClientRedirect(await submit(browser, form, 'allow', ['openid', 'api.read', 'api.admin', 'api.write', 'made.up']));
    const token = await exchange(server, client, codeFrom(location), verifier);
    expect(token.json.scope).toBe('openid api.read');
    expect((await server.store.grants.find(alice, client.id))?.scopes.sort()).toEqual(['api.read', 'openid']);
  });

  it('SEC-48 (c): only tampered scopes posted, none of those asked: a denial, nothing granted', async () => {
    const client = await newClient();
    const browser = new Browser(server.url);
    const { form } = await reachConsent(server, browser, client.id, { scope: 'openid api.read' });
    const location = expectClientRedirect(await submit(browser, form, 'allow', ['api.admin']));
    expect(location.searchParams.get('error')).toBe('access_denied');
    expect(await server.store.grants.find(alice, client.id)).toBeUndefined();
  });

  it('SEC-54 (a): the consent POST answers 303, never 307/308 (RFC 9700 §4.12)', async () => {
    const client = await newClient();
    const browser = new Browser(server.url);
    const { form } = await reachConsent(server, browser, client.id, { scope: 'openid' });
    const back = await submit(browser, form, 'allow', ['openid']);
    expect(back.status).toBe(303);
    expect(back.headers.get('cache-control')).toBe('no-store');
  });
});
