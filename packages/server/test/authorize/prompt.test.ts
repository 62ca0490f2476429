// The prompt parameter: OIDC Core §3.1.2.1 (none, login, consent), §3.1.2.6 (login_required,
// consent_required); RFC 9700 §4.11.2 (silent authentication never shows a page). CONTRACTS.md:
// a user who granted every scope is not asked again unless prompt=consent. SECURITY-CATALOG SEC-08.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browser } from '../support/browser.js';
import { consent, follow, login } from '../support/oauth.js';
import { BOB } from '../support/server.js';
import { authz, expectCodeRedirect, expectErrorRedirect, first, flow, signedIn, startFixture, type Fixture } from './fixtures.js';

const CB = 'https://c1.example/cb';
let f: Fixture;
/** Alice, signed in, having granted c1 `openid email`. */
let consented: Browser;
beforeAll(async () => {
  f = await startFixture();
  consented = await signedIn(f);
  expectCodeRedirect(f, await flow(f, authz(f, f.c1), consented), { redirectUri: CB });
});
afterAll(async () => f.server.close());

function path(page: { location: string | null }): string {
  return new URL(page.location ?? 'about:blank').pathname;
}

describe('SEC-08: prompt=none never shows a page (OIDC Core §3.1.2.1, §3.1.2.6)', () => {
  it('SEC-08 (a): prompt=none without a session is EREDIR(login_required), with no HTML and no cookie (OIDC Core §3.1.2.6)', async () => {
    const page = await first(f, authz(f, f.c1, { prompt: 'none', state: 'silent' }));
    expectErrorRedirect(f, page, { redirectUri: CB, error: 'login_required', state: 'silent' });
    expect(page.body).toBe('');
    expect(page.headers.get('content-type') ?? '').not.toMatch(/html/);
    expect(page.headers.get('set-cookie')).toBeNull();
  });

  it('SEC-08 (a): prompt=none with only an anonymous session (login page seen, no login) is EREDIR(login_required)', async () => {
    const browser = new Browser(f.server.url);
    await browser.get('/login');
    expect(browser.cookies.size).toBeGreaterThan(0);
    expectErrorRedirect(f, await browser.get(authz(f, f.c1, { prompt: 'none' })), { redirectUri: CB, error: 'login_required' });
  });

  it('SEC-08 (c): prompt=none, signed in but never consented, is EREDIR(consent_required) (OIDC Core §3.1.2.6)', async () => {
    const browser = await signedIn(f, BOB);
    const page = await browser.get(authz(f, f.c1, { prompt: 'none' }));
    expectErrorRedirect(f, page, { redirectUri: CB, error: 'consent_required', description: /not granted: openid email/ });
    expect(page.body).toBe('');
  });

  it('SEC-08 (c): prompt=none asking for one more scope than was granted is EREDIR(consent_required) naming it', async () => {
    const page = await consented.get(authz(f, f.c1, { prompt: 'none', scope: 'openid email profile' }));
    expectErrorRedirect(f, page, { redirectUri: CB, error: 'consent_required', description: /not granted: profile$/ });
  });

  it('SEC-08 (b): prompt=none after consent answers at once with a code (OIDC Core §3.1.2.1)', async () => {
    expectCodeRedirect(f, await consented.get(authz(f, f.c1, { prompt: 'none', state: 'again' })), { redirectUri: CB, state: 'again' });
  });

  it('SEC-08 (b): prompt=none for a subset of the granted scopes answers with a code', async () => {
    expectCodeRedirect(f, await consented.get(authz(f, f.c1, { prompt: 'none', scope: 'email' })), { redirectUri: CB });
  });

  for (const prompt of ['none login', 'login none', 'none consent']) {
    it(`SEC-08 (d): prompt=${prompt} is EREDIR(invalid_request): none may not be combined (OIDC Core §3.1.2.1)`, async () => {
      const page = await consented.get(authz(f, f.c1, { prompt }));
      expectErrorRedirect(f, page, { redirectUri: CB, error: 'invalid_request', description: /prompt=none cannot be combined/ });
    });
  }
});

describe('prompt=login and prompt=consent (OIDC Core §3.1.2.1)', () => {
  it('prompt=login sends a signed-in user to the login page again, then answers with a code (no consent asked twice)', async () => {
    const browser = await signedIn(f);
    expectCodeRedirect(f, await flow(f, authz(f, f.c1), browser), { redirectUri: CB });
    const before = [...browser.cookies.values()].join();

    const start = await browser.get(authz(f, f.c1, { prompt: 'login', state: 'relogin' }));
    expect(start.status).toBe(303);
    expect(path(start)).toBe('/login');
    const loginPage = await follow(browser, start);
    expect(loginPage.body).toContain('type="password"');
    expect(loginPage.body).toContain('Client One');
    const back = await login(browser, loginPage);
    expectCodeRedirect(f, back, { redirectUri: CB, state: 'relogin' });
    // A fresh session id at the new login (SEC-56).
    expect([...browser.cookies.values()].join()).not.toBe(before);
  });

  it('SEC-58 (b): max_age older than the login sends the user to the login page again (OIDC Core §3.1.2.1)', async () => {
    const browser = await signedIn(f);
    expectCodeRedirect(f, await flow(f, authz(f, f.c1), browser), { redirectUri: CB });
    f.server.advance(5);
    const start = await browser.get(authz(f, f.c1, { max_age: '2', state: 'fresh' }));
    expect(path(start)).toBe('/login');
    expectCodeRedirect(f, await login(browser, await follow(browser, start)), { redirectUri: CB, state: 'fresh' });
  });

  it('SEC-58 (c): max_age longer than the time since login asks nothing', async () => {
    const browser = await signedIn(f);
    expectCodeRedirect(f, await flow(f, authz(f, f.c1), browser), { redirectUri: CB });
    expectCodeRedirect(f, await browser.get(authz(f, f.c1, { max_age: '10000' })), { redirectUri: CB });
  });

  it('max_age with prompt=none and an old login is EREDIR(login_required)', async () => {
    const browser = await signedIn(f);
    expectCodeRedirect(f, await flow(f, authz(f, f.c1), browser), { redirectUri: CB });
    f.server.advance(5);
    expectErrorRedirect(f, await browser.get(authz(f, f.c1, { max_age: '1', prompt: 'none' })), { error: 'login_required', redirectUri: CB });
  });

  it('prompt=login may sign in a different user, whose own consent is then asked', async () => {
    const browser = await signedIn(f);
    const loginPage = await follow(browser, await browser.get(authz(f, f.c1, { prompt: 'login' })));
    const afterLogin = await login(browser, loginPage, BOB);
    expect(path(afterLogin)).toBe('/consent');
  });

  it('prompt=consent shows the consent page again after consent, with every requested scope (CONTRACTS.md)', async () => {
    const start = await consented.get(authz(f, f.c1, { prompt: 'consent', state: 'ask again' }));
    expect(start.status).toBe(303);
    expect(path(start)).toBe('/consent');
    const page = await follow(consented, start);
    expect(page.status).toBe(200);
    for (const scope of ['openid', 'email']) expect(page.body).toContain(`value="${scope}"`);
    expectCodeRedirect(f, await consent(consented, page), { redirectUri: CB, state: 'ask again' });
  });

  it('prompt=consent then Deny is EREDIR(access_denied), and the earlier grant still answers prompt=none', async () => {
    const page = await follow(consented, await consented.get(authz(f, f.c1, { prompt: 'consent' })));
    expectErrorRedirect(f, await consent(consented, page, 'deny'), { redirectUri: CB, error: 'access_denied' });
    expectCodeRedirect(f, await consented.get(authz(f, f.c1, { prompt: 'none' })), { redirectUri: CB });
  });

  it('prompt=login consent: login, then the consent page although consent was given (OIDC Core §3.1.2.1)', async () => {
    const start = await consented.get(authz(f, f.c1, { prompt: 'login consent' }));
    expect(path(start)).toBe('/login');
    const afterLogin = await login(consented, await follow(consented, start));
    expect(path(afterLogin)).toBe('/consent');
    expectCodeRedirect(f, await consent(consented, await follow(consented, afterLogin)), { redirectUri: CB });
  });

  it('prompt=select_account is accepted and behaves like no prompt for a consented user', async () => {
    expectCodeRedirect(f, await consented.get(authz(f, f.c1, { prompt: 'select_account' })), { redirectUri: CB });
  });
});
