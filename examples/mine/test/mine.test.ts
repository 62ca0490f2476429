// Mine against a real Latchkey and Calendar API over HTTP: sign in with partial consent,
// incremental authorization for calendar.write, refresh on 401 invalid_token, sign-out when the
// refresh is refused, Disconnect, RP-initiated logout, readable errors, CSRF on Mine's forms.
import { afterEach, describe, expect, it } from 'vitest';
import { Browser, readForm, type Page } from '../../../packages/server/test/support/browser.js';
import { ALICE } from '../../../packages/server/test/support/users.js';
import { startDemo, type Demo } from './support.js';

let demo: Demo | undefined;
afterEach(async () => {
  await demo?.close();
  demo = undefined;
});

/** Follows redirects from `page`, logging in and consenting (granting `grant`, or deciding `decision`) at Latchkey. */
async function walk(browser: Browser, d: Demo, page: Page, options: { grant?: string[]; decision?: 'allow' | 'deny' } = {}): Promise<Page> {
  for (let step = 0; step < 12; step += 1) {
    if (page.status === 303 || page.status === 302) {
      page = await browser.get(page.location ?? '');
      continue;
    }
    if (page.status !== 200) return page;
    if (page.body.includes('name="password"')) page = await submit(browser, d, page, { username: ALICE.username, password: ALICE.password });
    else if (page.body.includes('name="decision"')) page = await decide(browser, d, page, options.decision ?? 'allow', options.grant);
    else return page;
  }
  throw new Error('too many redirects');
}

/** Posts Latchkey's form (its action is relative to Latchkey, not to Mine). */
async function submit(browser: Browser, d: Demo, page: Page, fields: Record<string, string | string[]>): Promise<Page> {
  const form = readForm(page.body);
  return browser.post(new URL(form.action, d.server.url).href, { ...form.hidden, ...fields });
}

async function decide(browser: Browser, d: Demo, page: Page, decision: 'allow' | 'deny', grant?: string[]): Promise<Page> {
  const form = readForm(page.body);
  const offered = form.root.querySelectorAll('input[type=checkbox][name=scope]').map((i) => i.getAttribute('value') ?? '');
  return submit(browser, d, page, { scope: grant === undefined ? offered : offered.filter((s) => grant.includes(s)), decision });
}

async function signIn(grant?: string[]): Promise<{ d: Demo; browser: Browser; page: Page }> {
  demo = await startDemo({ accessTokenTtl: '2' });
  const browser = new Browser(demo.mineUrl);
  const home = await browser.get('/');
  expect(home.body).toContain('Sign in with Latchkey');
  const start = await browser.get('/signin?return_to=/calendar');
  expect(start.status).toBe(303);
  const authorize = new URL(start.location ?? '');
  expect(authorize.origin).toBe(demo.server.url);
  expect(authorize.searchParams.get('code_challenge_method')).toBe('S256');
  expect(authorize.searchParams.get('state')).not.toBeNull();
  expect(authorize.searchParams.get('nonce')).not.toBeNull();
  const page = await walk(browser, demo, start, grant === undefined ? {} : { grant });
  return { d: demo, browser, page };
}

const csrfOf = (page: Page, selector = 'form'): string => readForm(page.body, selector).hidden.csrf ?? '';

describe('Mine', () => {
  it('signs in with partial consent, lists events, then allows calendar.write alone and adds an event', async () => {
    const { d, browser, page } = await signIn(['openid', 'profile', 'offline_access', 'calendar.read', 'drive.read']);
    expect(page.status).toBe(200);
    expect(page.body).toContain('Your calendar');
    expect(page.body).toContain('Tea party with the Mad Hatter');
    expect(page.body).toContain('Allow Mine to add events');
    expect(browser.cookies.has('mine_session')).toBe(true);
    // The tokens and the secret never reach the browser.
    expect(page.body).not.toContain(d.credentials.client_secret);
    // Mine's only cookie is a random session id (Latchkey's own cookies are for Latchkey's pages).
    expect(browser.cookies.get('mine_session')).toMatch(/^[\w-]{43}$/);

    const allow = await browser.post('/allow/calendar.write', { csrf: csrfOf(page, 'form[action="/allow/calendar.write"]') });
    const consentPage = await browser.get(allow.location ?? '');
    const afterConsent = await browser.get(consentPage.location ?? '');
    // Latchkey asks about the one missing scope only.
    expect(afterConsent.body).toContain('value="calendar.write"');
    expect(afterConsent.body).not.toContain('value="calendar.read"');
    const calendar = await walk(browser, d, await decide(browser, d, afterConsent, 'allow'));
    expect(calendar.body).not.toContain('Allow Mine to add events');
    const added = await browser.post('/calendar/events', { csrf: csrfOf(calendar, 'form[action="/calendar/events"]'), title: 'Lobster Quadrille rehearsal', start: '2030-01-02T10:00', end: '2030-01-02T11:00' });
    expect(added.status).toBe(303);
    expect((await browser.get('/calendar')).body).toContain('Lobster Quadrille rehearsal');
  });

  it('refreshes an expired access token once and shows it on the Access page', async () => {
    const { browser } = await signIn();
    await new Promise((r) => setTimeout(r, 3100));
    const calendar = await browser.get('/calendar');
    expect(calendar.status).toBe(200);
    expect(calendar.body).toContain('Tea party with the Mad Hatter');
    const access = await browser.get('/access');
    expect(access.body).toContain('Mine refreshed the access token 1 time');
    expect(access.body).toContain('Mine holds a refresh token');
    expect(access.body).toContain('calendar.write');
  });

  it('signs the person out with a message when Latchkey refuses the refresh', async () => {
    const { d, browser } = await signIn();
    // The refresh token is revoked at Latchkey behind Mine's back.
    const disconnectedElsewhere = await fetch(`${d.server.url}/revoke`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`${d.credentials.client_id}:${d.credentials.client_secret}`).toString('base64')}` },
      body: new URLSearchParams({ token: await refreshTokenOf(d, browser) }).toString(),
    });
    expect(disconnectedElsewhere.status).toBe(200);
    await new Promise((r) => setTimeout(r, 3100));
    const calendar = await browser.get('/calendar');
    expect(calendar.status).toBe(303);
    expect(calendar.location).toBe(`${d.mineUrl}/`);
    const back = await browser.get('/');
    expect(back.body).toContain('Please sign in again');
    expect(back.body).toContain('Sign in with Latchkey');
    expect((await browser.get('/calendar')).status).toBe(401);
  });

  it('Disconnect revokes the refresh token at Latchkey and forgets the tokens', async () => {
    const { d, browser, page } = await signIn();
    const refreshToken = await refreshTokenOf(d, browser);
    const done = await browser.post('/disconnect', { csrf: csrfOf(page, 'nav form') });
    expect(done.status).toBe(303);
    const introspect = await fetch(`${d.server.url}/introspect`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`${d.credentials.client_id}:${d.credentials.client_secret}`).toString('base64')}` },
      body: new URLSearchParams({ token: refreshToken }).toString(),
    });
    expect(await introspect.json()).toMatchObject({ active: false });
    const calendar = await browser.get('/calendar');
    expect(calendar.status).toBe(401);
    expect(calendar.body).toContain('Sign in with Latchkey');
  });

  it('signs out of Mine and of Latchkey (RP-initiated logout) and returns home', async () => {
    const { d, browser, page } = await signIn();
    const out = await browser.post('/signout', { csrf: csrfOf(page, 'nav form') });
    const logout = new URL(out.location ?? '');
    expect(logout.origin + logout.pathname).toBe(`${d.server.url}/logout`);
    expect(logout.searchParams.get('post_logout_redirect_uri')).toBe(`${d.mineUrl}/`);
    expect(logout.searchParams.get('id_token_hint')).not.toBeNull();
    const atLatchkey = await browser.get(out.location ?? '');
    expect(atLatchkey.status).toBe(303);
    expect(atLatchkey.location?.startsWith(`${d.mineUrl}/?state=`)).toBe(true);
    const home = await browser.get(atLatchkey.location ?? '');
    expect(home.body).toContain('You signed out of Mine and of Latchkey');
    expect((await browser.get('/calendar')).status).toBe(401);
    // Latchkey's session ended too: signing in asks for the password again.
    const again = await browser.get('/signin');
    const authorize = await browser.get(again.location ?? '');
    expect(authorize.location).toContain('/login');
  });

  it('shows access_denied as a readable page', async () => {
    demo = await startDemo();
    const browser = new Browser(demo.mineUrl);
    const page = await walk(browser, demo, await browser.get('/signin'), { decision: 'deny' });
    expect(page.status).toBe(400);
    expect(page.body).toContain('You did not allow Mine');
    expect(page.body).toContain('access_denied');
    expect(page.body).not.toMatch(/at .*\.js:\d+/);
  });

  it('rejects its own POST forms without the CSRF token, and a callback it did not start', async () => {
    const { browser } = await signIn();
    const forged = await browser.post('/calendar/events', { title: 'Forged', start: '2030-01-02T10:00', end: '2030-01-02T11:00' });
    expect(forged.status).toBe(403);
    expect(forged.body).toContain('This form has expired');
    expect((await browser.post('/disconnect', { csrf: 'wrong' })).status).toBe(403);
    expect((await browser.get('/calendar')).body).not.toContain('Forged');
    const stray = await browser.get('/callback?code=abc&state=xyz');
    expect(stray.status).toBe(400);
    expect(stray.body).toContain('No sign-in in progress');
  });
});

/** The refresh token Mine holds for this browser, read from Mine's database (never from the browser). */
async function refreshTokenOf(d: Demo, browser: Browser): Promise<string> {
  const { createHash } = await import('node:crypto');
  const { openSessionStore, mineDatabasePath } = await import('../src/store/session-store.js');
  const store = await openSessionStore(mineDatabasePath(d.dataDir));
  try {
    const session = await store.find(createHash('sha256').update(browser.cookies.get('mine_session') ?? '').digest('base64url'));
    return session?.tokens?.refreshToken ?? '';
  } finally {
    await store.close();
  }
}
