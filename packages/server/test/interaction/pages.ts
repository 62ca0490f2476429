// Steps shared by the login, consent and session tests: open a form, post it, drive an
// authorization request to the consent page or back to the client, and send raw HTTP where
// fetch would not let a test choose the Host header.
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { expect } from 'vitest';
import { Browser, readForm, type Page } from '../support/browser.js';
import { authorizeUrl, login, pkce, tokenRequest, type TokenCall } from '../support/oauth.js';
import type { TestServer } from '../support/server.js';
import { ALICE } from '../support/users.js';

export const REDIRECT = 'https://app.example/cb';
/** The session cookie's name on an http issuer (`__Host-` needs https). */
export const SESSION_COOKIE = 'latchkey_session';

export type Form = ReturnType<typeof readForm>;

/** GET /login without a pending request: the page and its form. */
export async function openLogin(browser: Browser, path = '/login'): Promise<{ page: Page; form: Form }> {
  const page = await browser.get(path);
  expect(page.status).toBe(200);
  return { page, form: readForm(page.body) };
}

/** Posts a login form as a browser would, with every hidden input sent back as is. */
export function postLogin(browser: Browser, form: Form, username: string, password: string, headers: Record<string, string> = {}): Promise<Page> {
  return browser.post(form.action, { ...form.hidden, username, password }, headers);
}

/** A prompt=none request (OIDC Core §3.1.2.1): where the server sends the browser, never a page. */
export async function silentAuthorize(server: TestServer, browser: Browser, clientId: string, scope = 'openid api.read'): Promise<URL> {
  const page = await browser.get(authorizeUrl(server, { clientId, redirectUri: REDIRECT, scope, challenge: pkce().challenge, extra: { prompt: 'none' } }));
  expect(page.status).toBe(303);
  const location = new URL(page.location ?? '');
  expect(location.origin).toBe(new URL(REDIRECT).origin);
  return location;
}

export type Outcome = { kind: 'consent'; page: Page; verifier: string } | { kind: 'client'; location: URL; page: Page; verifier: string };

/**
 * Sends an authorization request and follows it, logging in as `user` when asked, until the
 * consent page or the redirect back to the client.
 */
export async function drive(
  server: TestServer,
  browser: Browser,
  clientId: string,
  options: { scope?: string; state?: string; extra?: Record<string, string>; user?: typeof ALICE } = {},
): Promise<Outcome> {
  const { verifier, challenge } = pkce();
  const url = authorizeUrl(server, { clientId, redirectUri: REDIRECT, scope: options.scope ?? 'openid api.read', challenge, ...(options.state === undefined ? {} : { state: options.state }), ...(options.extra === undefined ? {} : { extra: options.extra }) });
  let page = await browser.get(url);
  for (let step = 0; step < 4; step += 1) {
    expect(page.status).toBe(303);
    const target = new URL(page.location ?? '');
    if (target.origin !== server.url) return { kind: 'client', location: target, page, verifier };
    page = await browser.get(target.href);
    if (target.pathname === '/consent') return { kind: 'consent', page, verifier };
    if (target.pathname === '/login') page = await login(browser, page, options.user ?? ALICE);
  }
  throw new Error(`no consent page and no redirect to the client: ${page.status}`);
}

/** The consent page of a fresh request; fails the test when the server skipped it. */
export async function reachConsent(...args: Parameters<typeof drive>): Promise<{ page: Page; form: Form; verifier: string }> {
  const outcome = await drive(...args);
  if (outcome.kind !== 'consent') throw new Error(`expected the consent page, went to ${outcome.location.href}`);
  expect(outcome.page.status).toBe(200);
  return { page: outcome.page, form: readForm(outcome.page.body), verifier: outcome.verifier };
}

/** The scopes a consent page asks for (its checkboxes). */
export function askedScopes(form: Form): string[] {
  return form.root.querySelectorAll('input[type=checkbox][name=scope]').map((input) => input.getAttribute('value') ?? '');
}

/** Redeems a code at the token endpoint as a confidential client. */
export function exchange(server: TestServer, client: { id: string; secret: string | null }, code: string, verifier: string): Promise<TokenCall> {
  return tokenRequest(server, { grant_type: 'authorization_code', code, redirect_uri: REDIRECT, code_verifier: verifier }, { clientId: client.id, secret: client.secret ?? '' });
}

export interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** One HTTP/1.1 request with exactly these headers (fetch does not let a caller set Host). */
export function rawRequest(server: TestServer, target: string, headers: Record<string, string>, method = 'GET', body?: string): Promise<RawResponse> {
  const { hostname, port } = new URL(server.url);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: hostname, port, method, path: target, headers, setHost: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** The user id behind a username, for looking at what the store holds. */
export async function userId(server: TestServer, username: string): Promise<string> {
  const user = await server.store.users.findByUsernameKey(username);
  if (user === undefined) throw new Error(`no user ${username}`);
  return user.id;
}
