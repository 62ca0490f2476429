// Valid but unusual requests must succeed (no over-rejection): RFC 6749 §3.1 (unknown parameters
// MUST be ignored; POST may be supported), §3.3 (scope order is irrelevant); OIDC Core §3.1.2.1,
// §15.1. SECURITY-CATALOG SEC-69.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browser } from '../support/browser.js';
import { hashSecret } from '../../src/tokens/secrets.js';
import { authz, complete, expectCodeRedirect, flow, startFixture, type Changes, type Fixture } from './fixtures.js';

const CB = 'https://c1.example/cb';
let f: Fixture;
beforeAll(async () => {
  f = await startFixture();
});
afterAll(async () => f.server.close());

const variants: { name: string; source: string; changes: Changes }[] = [
  { name: 'an unknown parameter extra=foobar', source: 'oidcc-ensure-request-with-unknown-parameter-succeeds', changes: { extra: 'foobar' } },
  { name: 'unknown parameters with odd names and empty values', source: 'RFC 6749 §3.1', changes: { 'x-vendor': '1', foo: '', 'a[b]': 'c' } },
  { name: 'the scope in reversed order', source: 'fapi2-security-profile-final-ensure-other-scope-order-succeeds', changes: { scope: 'email openid' } },
  { name: 'extra spaces around and between scopes', source: 'RFC 6749 §3.3', changes: { scope: ' openid  email ' } },
  { name: 'no nonce', source: 'oidcc-ensure-request-without-nonce-succeeds-for-code-flow', changes: { nonce: null } },
  { name: 'display=popup', source: 'oidcc-display-popup', changes: { display: 'popup' } },
  { name: 'display=page', source: 'oidcc-display-page', changes: { display: 'page' } },
  { name: 'ui_locales=se', source: 'oidcc-ui-locales', changes: { ui_locales: 'se' } },
  { name: 'claims_locales=se', source: 'oidcc-claims-locales', changes: { claims_locales: 'se' } },
  { name: 'acr_values=1 2', source: 'oidcc-ensure-request-with-acr-values-succeeds', changes: { acr_values: '1 2' } },
  { name: 'login_hint=alice@example', source: 'oidcc-login-hint', changes: { login_hint: 'alice@example' } },
  { name: 'max_age=3600', source: 'OIDC Core §3.1.2.1', changes: { max_age: '3600' } },
  { name: 'response_mode=query', source: 'OAuth 2.0 Multiple Response Types §2.1', changes: { response_mode: 'query' } },
  { name: 'empty optional parameters (treated as omitted)', source: 'RFC 6749 §3.1', changes: { state: '', prompt: '', nonce: '' } },
];

describe('SEC-69: valid but unusual requests complete with 303 and a code (RFC 6749 §3.1)', () => {
  for (const v of variants) {
    it(`SEC-69: ${v.name} completes (${v.source})`, async () => {
      const page = await flow(f, authz(f, f.c1, v.changes));
      const state = v.changes.state === '' ? null : 'S1';
      const code = expectCodeRedirect(f, page, { redirectUri: CB, state });
      const found = await f.server.store.codes.consume(hashSecret(code), f.server.now());
      expect(found.outcome).toBe('consumed');
      if (found.outcome !== 'consumed') return;
      // Scope order is irrelevant; unknown parameters leave no trace; no nonce when none was sent.
      expect([...found.code.scopes].sort()).toEqual(['email', 'openid']);
      expect(found.code.nonce).toBe(v.changes.nonce === undefined ? 'N1' : null);
    });
  }

  it('SEC-69: shuffled parameter order completes (oidcc-alternate-happy-flow)', async () => {
    const url = new URL(authz(f, f.c1));
    const shuffled = new URLSearchParams([...url.searchParams].reverse());
    expectCodeRedirect(f, await flow(f, `${url.origin}${url.pathname}?${shuffled.toString()}`), { redirectUri: CB });
  });

  it('SEC-69: the whole request as POST /authorize with a form body completes (RFC 6749 §3.1; oidcc-ensure-post-request-succeeds)', async () => {
    const browser = new Browser(f.server.url);
    const form = new URL(authz(f, f.c1, { state: 'posted state' })).searchParams;
    const start = await browser.post('/authorize', form);
    expect(start.status).toBe(303);
    expect(new URL(start.location ?? '').pathname).toBe('/login');
    expectCodeRedirect(f, await complete(f, browser, start), { redirectUri: CB, state: 'posted state' });
  });

  it('SEC-69: POST /authorize errors are redirects too, with the posted state (RFC 6749 §4.1.2.1)', async () => {
    const form = new URL(authz(f, f.c1, { scope: 'nosuch', state: 'posted' })).searchParams;
    const page = await new Browser(f.server.url).post('/authorize', form);
    expect(page.status).toBe(303);
    const location = new URL(page.location ?? '');
    expect(location.searchParams.get('error')).toBe('invalid_scope');
    expect(location.searchParams.get('state')).toBe('posted');
    expect(location.searchParams.get('iss')).toBe(f.issuer);
  });

  it('SEC-69: parameters in both query and POST body are read from the body only (RFC 6749 §3.1)', async () => {
    const form = new URL(authz(f, f.c1)).searchParams;
    const page = await new Browser(f.server.url).post(`/authorize?redirect_uri=${encodeURIComponent('https://evil.example/cb')}`, form);
    expect(page.status).toBe(303);
    expect(new URL(page.location ?? '').origin).toBe(f.server.url);
  });
});
