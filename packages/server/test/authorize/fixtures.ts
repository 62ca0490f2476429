// Shared steps for the authorization-endpoint tests: the catalog's fixture clients (c1..c4, p1,
// n1), the AUTHZ request with changes, and the three outcomes every row asserts (SECURITY-CATALOG
// §0): NOREDIR (an error page), EREDIR (an error redirect) and a code redirect (RFC 6749
// §4.1.2, §4.1.2.1; RFC 9207 §2).
import { expect } from 'vitest';
import type { Client } from '../../src/store/repositories.js';
import { Browser, type Page } from '../support/browser.js';
import { consent, login } from '../support/oauth.js';
import { addClient, ALICE, seed, startServer, type ClientOptions, type TestServer } from '../support/server.js';

/** RFC 7636 Appendix B: a verifier and its S256 challenge. */
export const V = 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk';
export const CH = 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM';
export const C1_SCOPES = ['openid', 'profile', 'email', 'offline_access', 'api.read'];

export interface Fixture {
  server: TestServer;
  /** The metadata `issuer` (RFC 8414), which every `iss` must equal (RFC 9207 §2). */
  issuer: string;
  c1: Client;
  c2: Client;
  c3: Client;
  c4: Client;
  p1: Client;
  n1: Client;
}

export async function startFixture(): Promise<Fixture> {
  const server = await startServer();
  await seed(server);
  const add = async (options: ClientOptions) => (await addClient(server, { scopes: C1_SCOPES, ...options })).client;
  const metadata = (await (await fetch(`${server.url}/.well-known/oauth-authorization-server`)).json()) as { issuer: string };
  return {
    server,
    issuer: metadata.issuer,
    c1: await add({ name: 'Client One', redirectUris: ['https://c1.example/cb'] }),
    c2: await add({ name: 'Client Two', redirectUris: ['https://c2.example/cb'] }),
    c3: await add({ name: 'Client Three', redirectUris: ['https://c3.example/a', 'https://c3.example/b'] }),
    c4: await add({ name: 'Client Four', redirectUris: ['https://c4.example/cb?tenant=1'] }),
    p1: await add({ name: 'Public SPA', redirectUris: ['https://p1.example/cb'], public: true }),
    n1: await add({ name: 'Native App', redirectUris: ['http://127.0.0.1/cb'], public: true }),
  };
}

/** A parameter set to null is left out; an array is sent once per value, in order. */
export type Changes = Record<string, string | string[] | null>;

/** `AUTHZ` (SECURITY-CATALOG §0) for `client`, with `changes` applied. */
export function authz(f: Fixture, client: Client, changes: Changes = {}): string {
  const base: Changes = {
    response_type: 'code',
    client_id: client.id,
    redirect_uri: client.redirectUris[0] ?? null,
    scope: 'openid email',
    state: 'S1',
    nonce: 'N1',
    code_challenge: CH,
    code_challenge_method: 'S256',
  };
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries({ ...base, ...changes })) {
    for (const v of value === null ? [] : Array.isArray(value) ? value : [value]) query.append(name, v);
  }
  return `${f.server.url}/authorize?${query.toString()}`;
}

/** The raw Location header, as sent (Page.location is normalised by URL). */
export function rawLocation(page: Page): string {
  return page.headers.get('location') ?? '';
}

/** RFC 9700 §4.12: a redirect from the authorization endpoint is 303, never 307 or 308. */
function expectSeeOther(page: Page): void {
  expect(page.status, page.body.slice(0, 300)).toBe(303);
  expect(page.headers.get('cache-control')).toBe('no-store');
  expect(rawLocation(page)).not.toMatch(/[\r\n]/);
}

/** The response parameters appended to `redirectUri`, after checking it is kept exactly. */
function responseParams(page: Page, redirectUri: string): URLSearchParams {
  const raw = rawLocation(page);
  const prefix = `${redirectUri}${redirectUri.includes('?') ? '&' : '?'}`;
  expect(raw.startsWith(prefix), `${raw} should start with ${prefix}`).toBe(true);
  return new URLSearchParams(raw.slice(prefix.length));
}

export interface ExpectedError {
  redirectUri: string;
  error: string;
  /** The state sent (default S1); null when none may be echoed. */
  state?: string | null;
  description?: RegExp;
}

/** EREDIR(e): 303 to the registered URI with error, state, iss; no code; a safe description. */
export function expectErrorRedirect(f: Fixture, page: Page, expected: ExpectedError): URLSearchParams {
  expectSeeOther(page);
  const params = responseParams(page, expected.redirectUri);
  expect(params.get('error')).toBe(expected.error);
  if (expected.state === null) expect(params.has('state')).toBe(false);
  else expect(params.get('state')).toBe(expected.state ?? 'S1');
  expect(params.get('iss')).toBe(f.issuer);
  expect(params.has('code')).toBe(false);
  const description = params.get('error_description');
  // RFC 6749 §4.1.2.1: %x20-21 / %x23-5B / %x5D-7E only.
  if (description !== null) expect(description).toMatch(/^[\x20\x21\x23-\x5B\x5D-\x7E]*$/);
  if (expected.description !== undefined) expect(description ?? '').toMatch(expected.description);
  return params;
}

/** RFC 6749 §4.1.2, RFC 9207 §2: 303 with a fresh code, the exact state and iss. */
export function expectCodeRedirect(f: Fixture, page: Page, expected: { redirectUri: string; state?: string | null }): string {
  expectSeeOther(page);
  const params = responseParams(page, expected.redirectUri);
  const code = params.get('code') ?? '';
  expect(code).toMatch(/^[A-Za-z0-9_-]{43,}$/);
  if (expected.state === null) expect(params.has('state')).toBe(false);
  else expect(params.get('state')).toBe(expected.state ?? 'S1');
  expect(params.get('iss')).toBe(f.issuer);
  expect(params.has('error')).toBe(false);
  expect([...params.keys()].sort()).toEqual(expected.state === null ? ['code', 'iss'] : ['code', 'iss', 'state']);
  return code;
}

/** NOREDIR: a 400 HTML page, no Location, nothing that navigates, and no login form. */
export function expectErrorPage(page: Page, ...texts: (string | RegExp)[]): void {
  expect(page.status, page.body.slice(0, 300)).toBe(400);
  expect(page.headers.get('location')).toBeNull();
  expect(page.headers.get('content-type')).toMatch(/^text\/html\b/);
  expect(page.headers.get('cache-control')).toBe('no-store');
  expect(page.body).not.toMatch(/http-equiv|<script|name="password"|<form/i);
  for (const text of texts) expect(page.body).toMatch(text);
}

/** A browser with alice signed in (no consent given to anyone yet). */
export async function signedIn(f: Fixture, user = ALICE): Promise<Browser> {
  const browser = new Browser(f.server.url);
  const done = await login(browser, await browser.get('/login'), user);
  expect(done.status).toBe(303);
  return browser;
}

/**
 * Follows a started request through login and consent (allowing every box) and returns the
 * first response that leaves the server: the redirect to the client, or an error page.
 */
export async function complete(f: Fixture, browser: Browser, first: Page): Promise<Page> {
  let page = first;
  for (let step = 0; step < 5; step += 1) {
    if (page.status !== 303 || page.location === null) return page;
    const target = new URL(page.location);
    if (target.origin !== f.server.url) return page;
    page = await browser.get(page.location);
    if (target.pathname === '/login') page = await login(browser, page);
    else if (target.pathname === '/consent') page = await consent(browser, page);
  }
  return page;
}

/** The authorization endpoint's first answer to `url`, in a fresh browser. */
export async function first(f: Fixture, url: string): Promise<Page> {
  return new Browser(f.server.url).get(url);
}

/** GET `url` in `browser` (a new one by default) and complete the flow. */
export async function flow(f: Fixture, url: string, browser = new Browser(f.server.url)): Promise<Page> {
  return complete(f, browser, await browser.get(url));
}
