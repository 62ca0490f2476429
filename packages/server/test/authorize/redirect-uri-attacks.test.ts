// Redirect URI attacks on the authorization endpoint: RFC 6749 §3.1.2.3, §3.1.2.4, §4.1.2.1;
// RFC 9700 §2.1, §4.1; RFC 8252 §7.3; OIDC Core §3.1.2.1. SECURITY-CATALOG SEC-01..04, SEC-68 (a).
// Until the client and the redirect URI are trusted, every error is a page, never a redirect.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addClient } from '../support/server.js';
import { authz, expectCodeRedirect, expectErrorPage, first, flow, signedIn, startFixture, type Fixture } from './fixtures.js';

let f: Fixture;
beforeAll(async () => {
  f = await startFixture();
});
afterAll(async () => f.server.close());

describe('SEC-01: an unregistered redirect_uri (RFC 6749 §3.1.2.4, §4.1.2.1; RFC 9700 §4.1)', () => {
  const evil = `https://c1.example/${Math.random().toString(36).slice(2, 12)}`;

  it('SEC-01: without a session, an unregistered redirect_uri gets an error page, no redirect and no login form (RFC 6749 §4.1.2.1)', async () => {
    const page = await first(f, authz(f, f.c1, { redirect_uri: evil }));
    expectErrorPage(page, /is not registered for Client One/, 'https://c1.example/cb', /must match exactly/);
  });

  it('SEC-01: with alice signed in, an unregistered redirect_uri still gets the error page and no code (RFC 6749 §4.1.2.1)', async () => {
    const browser = await signedIn(f);
    const page = await browser.get(authz(f, f.c1, { redirect_uri: evil }));
    expectErrorPage(page, /is not registered/, 'Registered: https://c1.example/cb');
  });
});

describe('SEC-02: redirect URIs are compared as exact strings (RFC 9700 §2.1, §4.1.3; RFC 3986 §6.2.1)', () => {
  const variants = [
    'https://C1.EXAMPLE/cb',
    'https://c1.example:443/cb',
    'https://c1.example/cb/',
    'https://c1.example/CB',
    'https://c1.example/cb?x=1',
    'https://c1.example/cb/../evil',
    'https://c1.example/cb%2F..%2Fevil',
    'https://c1.example/cb#x',
    'http://c1.example/cb',
    'https://c1.example.evil.example/cb',
    'https://c1.example@evil.example/cb',
    'https://evil.example/.c1.example/cb',
    'https://c1.example/cb%00',
    'https://c1.example/cb\u0000',
    ' https://c1.example/cb',
  ];
  for (const variant of variants) {
    it(`SEC-02: c1 with redirect_uri ${JSON.stringify(variant)} gets an error page (RFC 9700 §4.1.3)`, async () => {
      expectErrorPage(await first(f, authz(f, f.c1, { redirect_uri: variant })), /is not registered/);
    });
  }

  for (const variant of ['https://c4.example/cb?tenant=2', 'https://c4.example/cb?tenant=1&x=1', 'https://c4.example/cb', 'https://c4.example/cb?TENANT=1']) {
    it(`SEC-02: c4 (registered with ?tenant=1) with ${variant} gets an error page (OIDC Core §3.1.2.1)`, async () => {
      expectErrorPage(await first(f, authz(f, f.c4, { redirect_uri: variant })), /is not registered/);
    });
  }

  it('SEC-02: the exact registered https://c4.example/cb?tenant=1 completes: 303 keeping the query and appending code, state, iss (RFC 6749 §3.1.2)', async () => {
    const page = await flow(f, authz(f, f.c4));
    expectCodeRedirect(f, page, { redirectUri: 'https://c4.example/cb?tenant=1' });
    const location = new URL(page.location ?? '');
    expect([...location.searchParams.keys()]).toEqual(['tenant', 'code', 'state', 'iss']);
    expect(location.searchParams.get('tenant')).toBe('1');
  });
});

describe('SEC-03: a native loopback redirect may vary only in its port (RFC 8252 §7.3, §8.3; RFC 9700 §2.1)', () => {
  it('SEC-03 (a): n1 (public, http://127.0.0.1/cb) is answered at http://127.0.0.1:51004/cb after login (RFC 8252 §7.3)', async () => {
    const page = await flow(f, authz(f, f.n1, { redirect_uri: 'http://127.0.0.1:51004/cb' }));
    expectCodeRedirect(f, page, { redirectUri: 'http://127.0.0.1:51004/cb' });
  });

  it('SEC-03: n1 accepts any port, and the exact registered URI without a port (RFC 8252 §7.3)', async () => {
    const browser = await signedIn(f);
    for (const uri of ['http://127.0.0.1/cb', 'http://127.0.0.1:1/cb', 'http://127.0.0.1:80/cb', 'http://127.0.0.1:65535/cb']) {
      expectCodeRedirect(f, await flow(f, authz(f, f.n1, { redirect_uri: uri }), browser), { redirectUri: uri });
    }
  });

  const refused = [
    'http://127.0.0.1:51004/other', // (b)
    'http://127.0.0.1.evil.example:51004/cb', // (c)
    'http://localhost:51004/cb', // (d) localhost was not registered
    'http://[::1]:51004/cb', // (e) [::1] was not registered
    'http://127.0.0.1:51004/cb/',
    'http://127.0.0.1:51004/cb?x=1',
    'http://127.0.0.1:65536/cb',
    'http://127.0.0.1:/cb',
    'https://127.0.0.1:51004/cb',
    'http://127.0.0.1:51004@evil.example/cb',
    'http://evil.example@127.0.0.1:51004/cb',
  ];
  for (const uri of refused) {
    it(`SEC-03: n1 with ${uri} gets an error page: only the port may vary (RFC 8252 §7.3)`, async () => {
      expectErrorPage(await first(f, authz(f, f.n1, { redirect_uri: uri })), /is not registered/);
    });
  }

  it('SEC-03 (f): a web client (c1) never gets a loopback redirect (RFC 9700 §4.1.3)', async () => {
    expectErrorPage(await first(f, authz(f, f.c1, { redirect_uri: 'http://127.0.0.1:51004/cb' })), /is not registered/);
  });

  it('SEC-03: a confidential client registered with http://127.0.0.1/cb gets no port flexibility (RFC 8252 §7.3 is for native apps)', async () => {
    const { client } = await addClient(f.server, { redirectUris: ['http://127.0.0.1/cb'], scopes: ['openid', 'email'] });
    expectErrorPage(await first(f, authz(f, client, { redirect_uri: 'http://127.0.0.1:51004/cb' })), /is not registered/);
    expectCodeRedirect(f, await flow(f, authz(f, client)), { redirectUri: 'http://127.0.0.1/cb' });
  });
});

describe('SEC-04: an unverifiable redirect target (RFC 6749 §3.1.2.3, §4.1.2.1; OIDC Core §3.1.2.1)', () => {
  it('SEC-04 (a): no redirect_uri while two are registered gets an error page listing them (RFC 6749 §3.1.2.3)', async () => {
    expectErrorPage(await first(f, authz(f, f.c3, { redirect_uri: null, scope: 'openid' })), /no redirect_uri/, 'https://c3.example/a, https://c3.example/b');
  });

  it('SEC-04 (b): an unknown client_id with an attacker redirect_uri gets an error page (RFC 6749 §4.1.2.1)', async () => {
    const page = await first(f, authz(f, f.c1, { client_id: 'does-not-exist', redirect_uri: 'https://evil.example/cb' }));
    expectErrorPage(page, /Unknown client/);
    expect(page.body).not.toContain('evil.example');
  });

  it('SEC-04 (b): an unknown client_id is echoed escaped, never as markup', async () => {
    const page = await first(f, authz(f, f.c1, { client_id: '<script>alert(1)</script>' }));
    expectErrorPage(page, /Unknown client/, '&lt;script');
  });

  it('SEC-04 (c): no client_id gets an error page (RFC 6749 §4.1.1)', async () => {
    expectErrorPage(await first(f, authz(f, f.c1, { client_id: null })), /no client_id/);
  });

  it("SEC-04 (d): c1 with c2's redirect URI gets an error page (RFC 6749 §3.1.2.4)", async () => {
    expectErrorPage(await first(f, authz(f, f.c1, { redirect_uri: 'https://c2.example/cb' })), /is not registered for Client One/);
  });

  it('SEC-04: with exactly one registered URI and no openid scope, redirect_uri may be omitted (RFC 6749 §3.1.2.3)', async () => {
    const page = await flow(f, authz(f, f.c1, { redirect_uri: null, scope: 'api.read' }));
    expectCodeRedirect(f, page, { redirectUri: 'https://c1.example/cb' });
  });

  it('SEC-04: with scope openid, redirect_uri must be sent even when only one is registered (OIDC Core §3.1.2.1)', async () => {
    expectErrorPage(await first(f, authz(f, f.c1, { redirect_uri: null, scope: 'api.read openid' })), /no redirect_uri/);
  });
});

describe('SEC-68 (a): look-alike hosts (RFC 3986 §6.2.1)', () => {
  for (const uri of ['https://с1.example/cb', 'https://ｃ1.example/cb', 'https://xn--1-vlc.example/cb', 'https://c1.example／cb']) {
    it(`SEC-68 (a): c1 with ${uri} gets an error page (RFC 9700 §4.1.3)`, async () => {
      expectErrorPage(await first(f, authz(f, f.c1, { redirect_uri: uri })), /is not registered/);
    });
  }
});
