// Protocol steps for tests: PKCE pairs, the authorization request, login and consent by form,
// and token requests, each returning what a test asserts on.
import { createHash, randomBytes } from 'node:crypto';
import { expect } from 'vitest';
import { Browser, readForm, type Page } from './browser.js';
import type { TestServer } from './server.js';
import { ALICE } from './users.js';

export function pkce(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

export interface AuthorizeParams {
  clientId: string;
  redirectUri?: string;
  scope?: string;
  state?: string;
  challenge?: string | null;
  extra?: Record<string, string>;
}

export function authorizeUrl(server: TestServer, p: AuthorizeParams): string {
  const q = new URLSearchParams({ response_type: 'code', client_id: p.clientId });
  if (p.redirectUri !== undefined) q.set('redirect_uri', p.redirectUri);
  q.set('scope', p.scope ?? 'openid api.read');
  if (p.state !== undefined) q.set('state', p.state);
  if (p.challenge !== null && p.challenge !== undefined) {
    q.set('code_challenge', p.challenge);
    q.set('code_challenge_method', 'S256');
  }
  for (const [k, v] of Object.entries(p.extra ?? {})) q.set(k, v);
  return `${server.url}/authorize?${q.toString()}`;
}

/** Posts the login form of `page` (which must be the login page) with these credentials. */
export async function login(browser: Browser, page: Page, user = ALICE): Promise<Page> {
  expect(page.status).toBe(200);
  const form = readForm(page.body);
  return browser.post(form.action, { ...form.hidden, username: user.username, password: user.password });
}

/** Posts the consent form, granting `scopes` (default: every box checked). */
export async function consent(browser: Browser, page: Page, decision: 'allow' | 'deny' = 'allow', scopes?: string[]): Promise<Page> {
  expect(page.status).toBe(200);
  const form = readForm(page.body);
  const checked = form.root.querySelectorAll('input[type=checkbox][name=scope]').map((i) => i.getAttribute('value') ?? '');
  return browser.post(form.action, { ...form.hidden, scope: scopes ?? checked, decision });
}

/** Follows one redirect within the server. */
export async function follow(browser: Browser, page: Page): Promise<Page> {
  expect([302, 303]).toContain(page.status);
  if (page.location === null) throw new Error('no Location');
  return browser.get(page.location);
}

/**
 * The whole front-channel flow: authorize, log in if asked, consent if asked (granting `grant`),
 * and return the final redirect to the client.
 */
export async function authorizeFlow(
  server: TestServer,
  browser: Browser,
  p: AuthorizeParams,
  options: { user?: typeof ALICE; grant?: string[] } = {},
): Promise<{ location: URL; page: Page }> {
  let page = await browser.get(authorizeUrl(server, p));
  for (let step = 0; step < 5; step += 1) {
    if (page.status !== 303 || page.location === null) break;
    const target = new URL(page.location);
    if (target.origin !== server.url) return { location: target, page };
    page = await browser.get(page.location);
    if (target.pathname === '/login') page = await login(browser, page, options.user);
    else if (target.pathname === '/consent') page = await consent(browser, page, 'allow', options.grant);
  }
  throw new Error(`the flow did not reach the client: ${page.status} ${page.body.slice(0, 300)}`);
}

export function codeFrom(location: URL): string {
  const code = location.searchParams.get('code');
  if (code === null) throw new Error(`no code in ${location.href}`);
  return code;
}

export interface TokenCall {
  status: number;
  headers: Headers;
  json: Record<string, unknown>;
}

export async function tokenRequest(
  server: TestServer,
  form: Record<string, string>,
  auth?: { clientId: string; secret: string } | null,
  headers: Record<string, string> = {},
): Promise<TokenCall> {
  const h: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded', ...headers };
  if (auth !== null && auth !== undefined) {
    h.authorization = `Basic ${Buffer.from(`${encodeURIComponent(auth.clientId)}:${encodeURIComponent(auth.secret)}`).toString('base64')}`;
  }
  const response = await fetch(`${server.url}/token`, { method: 'POST', headers: h, body: new URLSearchParams(form).toString() });
  const text = await response.text();
  return { status: response.status, headers: response.headers, json: JSON.parse(text) as Record<string, unknown> };
}
