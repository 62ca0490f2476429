// PKCE policy at the authorization endpoint: RFC 7636 §4.2, §4.3, §4.4.1; RFC 9700 §2.1.1.
// S256 is required for every client (SECURITY-CATALOG D-1) unless a confidential client was
// registered with an explicit opt-out; `plain` is never accepted. SECURITY-CATALOG SEC-06.
import { afterAll, beforeAll, describe, it } from 'vitest';
import type { Client } from '../../src/store/repositories.js';
import { addClient } from '../support/server.js';
import { authz, CH, expectCodeRedirect, expectErrorRedirect, first, flow, startFixture, V, type Changes, type Fixture } from './fixtures.js';

let f: Fixture;
let legacy: Client;
beforeAll(async () => {
  f = await startFixture();
  legacy = (await addClient(f.server, { name: 'Legacy', redirectUris: ['https://legacy.example/cb'], scopes: ['openid', 'email'], pkceOptional: true })).client;
});
afterAll(async () => f.server.close());

const B64URL = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_';

const cases: { name: string; changes: Changes; description: RegExp }[] = [
  { name: '(a) no code_challenge and no method', changes: { code_challenge: null, code_challenge_method: null }, description: /PKCE is required/ },
  { name: '(b) code_challenge_method=plain with the verifier as challenge', changes: { code_challenge: V, code_challenge_method: 'plain' }, description: /plain is not supported/ },
  { name: '(c) a challenge without a method (which means plain)', changes: { code_challenge_method: null }, description: /code_challenge_method is required and must be S256/ },
  { name: '(d) code_challenge_method=S256 without a challenge', changes: { code_challenge: null }, description: /code_challenge_method was sent without a code_challenge/ },
  { name: '(e) a 42-character challenge', changes: { code_challenge: CH.slice(0, 42) }, description: /must be 43 base64url characters/ },
  { name: '(e) a 129-character challenge', changes: { code_challenge: B64URL.repeat(3).slice(0, 129) }, description: /must be 43 base64url characters/ },
  { name: '(e) a challenge containing &', changes: { code_challenge: `${CH.slice(0, 42)}&` }, description: /must be 43 base64url characters/ },
  { name: '(e) a challenge containing +', changes: { code_challenge: `${CH.slice(0, 42)}+` }, description: /must be 43 base64url characters/ },
  { name: '(e) a padded challenge ending in =', changes: { code_challenge: `${CH}=` }, description: /must be 43 base64url characters/ },
  { name: '(e) a 43-character verifier-alphabet challenge with . and ~', changes: { code_challenge: `${CH.slice(0, 41)}.~` }, description: /must be 43 base64url characters/ },
  { name: '(f) code_challenge_method=S512', changes: { code_challenge_method: 'S512' }, description: /code_challenge_method S512 is not supported; use S256/ },
  { name: '(f) code_challenge_method=s256 (methods are case-sensitive)', changes: { code_challenge_method: 's256' }, description: /not supported; use S256/ },
];

describe('SEC-06: PKCE for a public client (RFC 7636 §4.4.1; RFC 9700 §2.1.1)', () => {
  for (const c of cases) {
    it(`SEC-06 ${c.name}: p1 gets EREDIR(invalid_request) and no code (RFC 7636 §4.4.1)`, async () => {
      const page = await first(f, authz(f, f.p1, c.changes));
      expectErrorRedirect(f, page, { redirectUri: 'https://p1.example/cb', error: 'invalid_request', description: c.description });
    });
  }

  it('SEC-06: p1 with an S256 challenge completes with a code (RFC 7636 §4.3)', async () => {
    expectCodeRedirect(f, await flow(f, authz(f, f.p1)), { redirectUri: 'https://p1.example/cb' });
  });
});

describe('SEC-06, D-1: PKCE is required for a confidential client too (RFC 9700 §2.1.1)', () => {
  for (const c of cases) {
    it(`SEC-06 ${c.name}: c1 (confidential) gets EREDIR(invalid_request) (D-1)`, async () => {
      const page = await first(f, authz(f, f.c1, c.changes));
      expectErrorRedirect(f, page, { redirectUri: 'https://c1.example/cb', error: 'invalid_request', description: c.description });
    });
  }
});

describe('SEC-06, D-1: a confidential client registered with pkceOptional (RFC 9700 §2.1.1)', () => {
  it('SEC-06 (a): may omit PKCE and still gets a code (D-1 opt-out)', async () => {
    const page = await flow(f, authz(f, legacy, { code_challenge: null, code_challenge_method: null }));
    expectCodeRedirect(f, page, { redirectUri: 'https://legacy.example/cb' });
  });

  it('SEC-06 (b): may still not use plain (D-1: plain is never accepted)', async () => {
    const page = await first(f, authz(f, legacy, { code_challenge: V, code_challenge_method: 'plain' }));
    expectErrorRedirect(f, page, { redirectUri: 'https://legacy.example/cb', error: 'invalid_request', description: /plain is not supported/ });
  });

  it('SEC-06 (c): a challenge without a method is refused, not silently treated as plain (RFC 7636 §4.3)', async () => {
    const page = await first(f, authz(f, legacy, { code_challenge_method: null }));
    expectErrorRedirect(f, page, { redirectUri: 'https://legacy.example/cb', error: 'invalid_request' });
  });

  it('SEC-06 (d): a method without a challenge is refused (RFC 7636 §4.4.1)', async () => {
    const page = await first(f, authz(f, legacy, { code_challenge: null }));
    expectErrorRedirect(f, page, { redirectUri: 'https://legacy.example/cb', error: 'invalid_request' });
  });
});
