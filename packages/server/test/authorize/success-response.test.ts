// The successful authorization response: RFC 6749 §4.1.2, §10.10 (codes guessed with probability
// at most 2^-128); RFC 9207 §2 (iss); RFC 9700 §4.12 (303). SECURITY-CATALOG SEC-07, SEC-67 (a).
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_PARAMETER_LENGTH } from '../../src/http/params.js';
import { hashSecret } from '../../src/tokens/secrets.js';
import type { Browser } from '../support/browser.js';
import { authz, expectCodeRedirect, expectErrorRedirect, first, flow, rawLocation, signedIn, startFixture, type Fixture } from './fixtures.js';

const CB = 'https://c1.example/cb';
let f: Fixture;
/** Alice, signed in and having granted c1 `openid email`: each request answers at once. */
let alice: Browser;
beforeAll(async () => {
  f = await startFixture();
  alice = await signedIn(f);
  await flow(f, authz(f, f.c1), alice);
});
afterAll(async () => f.server.close());

/** A random string of `length` characters from [A-Za-z0-9-._~] (the catalog's state alphabet). */
function unreserved(length: number): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~';
  return [...randomBytes(length)].map((b) => alphabet[b % alphabet.length]).join('');
}

describe('SEC-07: the success response carries code, the exact state, and iss (RFC 6749 §4.1.2; RFC 9207 §2)', () => {
  it('SEC-07: a full flow ends in 303 to exactly https://c1.example/cb?code=…&state=S1&iss=<issuer>', async () => {
    const page = await flow(f, authz(f, f.c1));
    const code = expectCodeRedirect(f, page, { redirectUri: CB });
    expect(rawLocation(page)).toBe(`${CB}?code=${code}&state=S1&iss=${encodeURIComponent(f.issuer)}`);
  });

  it('SEC-07: a signed-in user who already consented is answered at once, with the same shape (RFC 6749 §4.1.2)', async () => {
    expectCodeRedirect(f, await alice.get(authz(f, f.c1)), { redirectUri: CB });
  });

  it('SEC-07: codes are 43+ base64url characters, all distinct, with no shared prefix over 40 flows (RFC 6749 §10.10)', async () => {
    const codes: string[] = [];
    for (let i = 0; i < 40; i += 1) codes.push(expectCodeRedirect(f, await alice.get(authz(f, f.c1, { state: `s${i}` })), { redirectUri: CB, state: `s${i}` }));
    expect(new Set(codes).size).toBe(codes.length);
    // No sequential or timestamp structure: no two codes share even their first 6 characters.
    expect(new Set(codes.map((c) => c.slice(0, 6))).size).toBe(codes.length);
    for (const code of codes) {
      expect(code.length).toBeGreaterThanOrEqual(43);
      expect(code).not.toMatch(/alice/i);
    }
  });

  it('SEC-07: the code is stored only as its hash, bound to the client, redirect URI and challenge (RFC 6749 §4.1.3)', async () => {
    const code = expectCodeRedirect(f, await alice.get(authz(f, f.c1)), { redirectUri: CB });
    const consumed = await f.server.store.codes.consume(code, f.server.now());
    expect(consumed.outcome).toBe('unknown');
    const found = await f.server.store.codes.consume(hashSecret(code), f.server.now());
    expect(found.outcome).toBe('consumed');
    if (found.outcome !== 'consumed') return;
    expect(found.code).toMatchObject({ clientId: f.c1.id, redirectUri: CB, redirectUriSent: true, codeChallengeMethod: 'S256', nonce: 'N1', scopes: ['openid', 'email'] });
  });

  it('SEC-07: no state sent, none returned; the code does not depend on it (RFC 6749 §4.1.2, CONTRACTS.md)', async () => {
    expectCodeRedirect(f, await alice.get(authz(f, f.c1, { state: null })), { redirectUri: CB, state: null });
  });

  it('SEC-07: a 512-character random state is echoed unchanged (fapi2 ensure-authorization-request-with-long-state)', async () => {
    const state = unreserved(512);
    expectCodeRedirect(f, await alice.get(authz(f, f.c1, { state })), { redirectUri: CB, state });
  });

  it('SEC-07: a state with spaces, quotes and reserved characters is echoed byte-for-byte (RFC 6749 §4.1.2)', async () => {
    const state = `a b+c&d=e?f/g#h%20i"j'k<l>\\m`;
    expectCodeRedirect(f, await alice.get(authz(f, f.c1, { state })), { redirectUri: CB, state });
  });

  it('SEC-07: no token ever appears in the front channel (RFC 9700 §2.1.2)', async () => {
    const location = rawLocation(await alice.get(authz(f, f.c1)));
    expect(location).not.toMatch(/access_token|id_token|refresh_token|token_type/);
  });
});

describe('SEC-67 (a): long values are echoed unchanged or refused, never truncated', () => {
  it('SEC-67 (a): a 384-character nonce and a 1 KB state succeed, both kept unchanged (fapi2 ensure-authorization-request-with-long-nonce)', async () => {
    const state = unreserved(1024);
    const nonce = unreserved(384);
    const code = expectCodeRedirect(f, await alice.get(authz(f, f.c1, { state, nonce })), { redirectUri: CB, state });
    const found = await f.server.store.codes.consume(hashSecret(code), f.server.now());
    expect(found.outcome === 'consumed' ? found.code.nonce : null).toBe(nonce);
  });

  it('SEC-67 (a): a state at the parameter limit is echoed whole (RFC 6749 §4.1.2)', async () => {
    const state = unreserved(MAX_PARAMETER_LENGTH);
    expectCodeRedirect(f, await alice.get(authz(f, f.c1, { state })), { redirectUri: CB, state });
  });

  it('SEC-67 (a): a state over the parameter limit is EREDIR(invalid_request) without any state, not truncated or dropped (RFC 6749 §4.1.2.1)', async () => {
    const page = await alice.get(authz(f, f.c1, { state: unreserved(MAX_PARAMETER_LENGTH + 1) }));
    expectErrorRedirect(f, page, { redirectUri: CB, error: 'invalid_request', state: null, description: /'state' parameter is longer than/ });
  });

  it('SEC-67 (a): a nonce over the parameter limit is EREDIR(invalid_request) (OIDC Core §3.1.2.1)', async () => {
    const page = await first(f, authz(f, f.c1, { nonce: unreserved(MAX_PARAMETER_LENGTH + 1) }));
    expectErrorRedirect(f, page, { redirectUri: CB, error: 'invalid_request', description: /'nonce' parameter is longer than/ });
  });

  it('SEC-67 (b): a 100 KB state is refused quickly with 414 or 400, never a redirect carrying it (RFC 9126 §2.3)', async () => {
    const page = await first(f, authz(f, f.c1, { state: 'x'.repeat(100 * 1024) }));
    expect([400, 414, 431]).toContain(page.status);
    expect(rawLocation(page)).not.toContain('xxxx');
  });
});
