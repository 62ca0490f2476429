// Forged, replayed and raced consent (SEC-47, SEC-62 b; RFC 6749 §10.12: the AS MUST prevent
// authorization without the user's awareness and explicit consent; RFC 6819 §4.4.1.10;
// node-oidc-provider "checks the session interaction came from is still the one"). Each refused
// POST must leave no code (no redirect) and no stored grant.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browser, toSearchParams, type Page } from '../support/browser.js';
import { codeFrom } from '../support/oauth.js';
import { addClient, BOB, seed, startServer, type TestServer } from '../support/server.js';
import { exchange, reachConsent, REDIRECT, userId, type Form } from './pages.js';

describe('SEC-47: forged or automatic consent', () => {
  let server: TestServer;
  let alice: string;
  beforeAll(async () => {
    server = await startServer();
    await seed(server);
    alice = await userId(server, 'alice');
  });
  afterAll(async () => server.close());

  async function aliceAtConsent(): Promise<{ browser: Browser; form: Form; client: { id: string; secret: string | null }; verifier: string }> {
    const { client, secret } = await addClient(server);
    const browser = new Browser(server.url);
    const { form, verifier } = await reachConsent(server, browser, client.id, { scope: 'openid api.read', state: 'S' });
    return { browser, form, client: { id: client.id, secret }, verifier };
  }

  const allow = (browser: Browser, hidden: Record<string, string>, headers: Record<string, string> = {}): Promise<Page> =>
    browser.post('/consent', { ...hidden, scope: ['openid', 'api.read'], decision: 'allow' }, headers);

  /** Refused: an HTML page with this status, no redirect (so no code), no grant stored. */
  async function expectRefused(page: Page, status: number, clientId: string, user = alice): Promise<void> {
    expect(page.status).toBe(status);
    expect(page.location).toBeNull();
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(page.body).not.toContain('code=');
    expect(await server.store.grants.find(user, clientId)).toBeUndefined();
  }

  /** After a refused forgery the real user can still decide: the interaction was not used up. */
  async function expectStillPending(browser: Browser, form: Form): Promise<void> {
    const page = await allow(browser, form.hidden);
    expect(page.status).toBe(303);
    expect(new URL(page.location ?? '').searchParams.has('code')).toBe(true);
  }

  it('(a) approve without the CSRF field: 403, no code, no grant', async () => {
    const { browser, form, client } = await aliceAtConsent();
    const { csrf: _dropped, ...rest } = form.hidden;
    await expectRefused(await allow(browser, rest), 403, client.id);
    await expectRefused(await allow(browser, { ...rest, csrf: 'x'.repeat(43) }), 403, client.id);
    await expectStillPending(browser, form);
  });

  it("(b) another session's CSRF value (alice in another browser): 403", async () => {
    const victim = await aliceAtConsent();
    const other = await aliceAtConsent();
    await expectRefused(await allow(victim.browser, { ...victim.form.hidden, csrf: other.form.hidden.csrf ?? '' }), 403, victim.client.id);
    await expectStillPending(victim.browser, victim.form);
  });

  it("(b) another session's interaction id with this session's own CSRF value: the expired page, no code", async () => {
    const victim = await aliceAtConsent();
    const attacker = await aliceAtConsent();
    const page = await allow(attacker.browser, { ...attacker.form.hidden, interaction: victim.form.hidden.interaction ?? '' });
    await expectRefused(page, 400, victim.client.id);
    expect(page.body).toContain('expired or was already completed');
    await expectStillPending(victim.browser, victim.form);
  });

  it("bob cannot see or decide alice's interaction, even with his own valid session and CSRF value", async () => {
    const victim = await aliceAtConsent();
    const bobBrowser = new Browser(server.url);
    const bobForm = (await reachConsent(server, bobBrowser, victim.client.id, { scope: 'openid api.read', user: BOB })).form;
    const view = await bobBrowser.get(`/consent?interaction=${victim.form.hidden.interaction ?? ''}`);
    expect(view.status).toBe(400);
    expect(view.body).not.toContain('api.read');
    const page = await allow(bobBrowser, { csrf: bobForm.hidden.csrf ?? '', interaction: victim.form.hidden.interaction ?? '' });
    await expectRefused(page, 400, victim.client.id);
    expect(await server.store.grants.find(await userId(server, 'bob'), victim.client.id)).toBeUndefined();
    await expectStillPending(victim.browser, victim.form);
  });

  it('(c) a cross-site Origin or Sec-Fetch-Site with valid CSRF and cookie: 403', async () => {
    const { browser, form, client } = await aliceAtConsent();
    const crossSite: Record<string, string>[] = [{ origin: 'https://evil.example' }, { origin: 'null' }, { 'sec-fetch-site': 'cross-site' }];
    for (const headers of crossSite) {
      await expectRefused(await allow(browser, form.hidden, headers), 403, client.id);
    }
    await expectStillPending(browser, form);
  });

  it('(c) a text/plain body (sendable cross-site without preflight): 400', async () => {
    const { browser, form, client } = await aliceAtConsent();
    const body = toSearchParams({ ...form.hidden, scope: ['openid', 'api.read'], decision: 'allow' }).toString();
    await expectRefused(await browser.request('POST', '/consent', body, { 'content-type': 'text/plain' }), 400, client.id);
    await expectStillPending(browser, form);
  });

  it('(d) replaying the completed consent POST: the "expired or already completed" page, no second code', async () => {
    const { browser, form, client, verifier } = await aliceAtConsent();
    const first = await allow(browser, form.hidden);
    expect(first.status).toBe(303);
    const code = codeFrom(new URL(first.location ?? ''));
    for (const decision of ['allow', 'deny']) {
      const replay = await browser.post('/consent', { ...form.hidden, scope: ['openid', 'api.read', 'api.write'], decision });
      expect(replay.status).toBe(400);
      expect(replay.location).toBeNull();
      expect(replay.body).toContain('This sign-in request has expired or was already completed.');
    }
    expect((await exchange(server, client, code, verifier)).status).toBe(200);
    expect((await server.store.grants.find(alice, client.id))?.scopes.sort()).toEqual(['api.read', 'openid']);
  });

  it('(d) a denied interaction cannot be approved afterwards', async () => {
    const { browser, form, client } = await aliceAtConsent();
    const denied = await browser.post('/consent', { ...form.hidden, decision: 'deny' });
    expect(new URL(denied.location ?? '').searchParams.get('error')).toBe('access_denied');
    await expectRefused(await allow(browser, form.hidden), 400, client.id);
  });

  it('(e) GET /consent with approval parameters never changes state (RFC 9700 §2.1, RFC 6749 §10.12)', async () => {
    const { browser, form, client } = await aliceAtConsent();
    const query = toSearchParams({ ...form.hidden, scope: ['openid', 'api.read'], decision: 'allow' }).toString();
    const view = await browser.get(`/consent?${query}`);
    expect(view.status).toBe(200);
    expect(view.location).toBeNull();
    expect(await server.store.grants.find(alice, client.id)).toBeUndefined();
    for (const path of ['/consent/approve', '/consent/allow']) {
      const page = await browser.get(`${path}?${query}`);
      expect(page.status).toBe(404);
      expect(page.location).toBeNull();
    }
    expect(await server.store.grants.find(alice, client.id)).toBeUndefined();
    await expectStillPending(browser, form);
  });

  it('a decision other than allow (missing or made up) is a denial, never an approval', async () => {
    for (const decision of [undefined, 'ALLOW', 'yes']) {
      const { browser, form, client } = await aliceAtConsent();
      const fields = { ...form.hidden, scope: ['openid', 'api.read'], ...(decision === undefined ? {} : { decision }) };
      const page = await browser.post('/consent', fields);
      expect(new URL(page.location ?? '').searchParams.get('error')).toBe('access_denied');
      expect(await server.store.grants.find(alice, client.id)).toBeUndefined();
    }
  });

  it('an interaction expires (30 minutes): deciding afterwards shows the expired page', async () => {
    const { browser, form, client } = await aliceAtConsent();
    server.advance(30 * 60 + 1);
    await expectRefused(await allow(browser, form.hidden), 400, client.id);
  });

  it('a pending interaction cannot be decided before signing in: the login page interaction posted to /consent is refused', async () => {
    const { client } = await addClient(server);
    const browser = new Browser(server.url);
    const start = await browser.get(`/authorize?response_type=code&client_id=${client.id}&redirect_uri=${encodeURIComponent(REDIRECT)}&scope=openid&code_challenge=${'e'.repeat(43)}&code_challenge_method=S256`);
    const loginPage = await browser.get(start.location ?? '');
    const csrf = /name="csrf" value="([^"]+)"/.exec(loginPage.body)?.[1] ?? '';
    const interaction = new URL(start.location ?? '').searchParams.get('interaction') ?? '';
    const page = await allow(browser, { csrf, interaction });
    expect(page.status).toBe(403);
    expect(page.location).toBeNull();
  });
});

describe('SEC-62 (b): one consent form posted 10 times at once', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer();
    await seed(server);
  });
  afterAll(async () => server.close());

  it('exactly one 303 with a code; the others get the expired page; one grant stored (RFC 6749 §10.12)', async () => {
    for (let round = 0; round < 5; round += 1) {
      const { client, secret } = await addClient(server);
      const browser = new Browser(server.url);
      const { form, verifier } = await reachConsent(server, browser, client.id, { scope: 'openid api.read' });
      const pages = await Promise.all(Array.from({ length: 10 }, () => browser.post('/consent', { ...form.hidden, scope: ['openid', 'api.read'], decision: 'allow' })));
      const winners = pages.filter((p) => p.status === 303);
      expect(winners).toHaveLength(1);
      expect(pages.filter((p) => p.status === 400)).toHaveLength(9);
      expect(pages.every((p) => p.status === 303 || p.location === null)).toBe(true);
      const code = codeFrom(new URL(winners[0]?.location ?? ''));
      expect((await exchange(server, { id: client.id, secret }, code, verifier)).status).toBe(200);
      expect((await server.store.grants.find(await userId(server, 'alice'), client.id))?.scopes.sort()).toEqual(['api.read', 'openid']);
    }
  });
});
