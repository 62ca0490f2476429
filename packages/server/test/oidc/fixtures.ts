// Shared steps for the OpenID Connect tests: a sign-in that ends in a token response with an ID
// token (OIDC Core §3.1.2-§3.1.3), the user ids behind the test users, and the endpoints that
// resource servers and relying parties call with a token (userinfo, revocation, introspection).
import { decodeJwt, decodeProtectedHeader, type JWTPayload, type ProtectedHeaderParameters } from 'jose';
import { expect } from 'vitest';
import type { Browser } from '../support/browser.js';
import { authorizeFlow, codeFrom, pkce } from '../support/oauth.js';
import { ALICE, type TestServer } from '../support/server.js';
import { basic, expectSuccess, redeem, type TestClient } from '../token/fixtures.js';

export interface SignIn {
  json: Record<string, unknown>;
  accessToken: string;
  refreshToken: string;
  idToken: string;
  header: ProtectedHeaderParameters;
  claims: JWTPayload;
  /** The server clock just before and just after the flow, to bound auth_time and iat. */
  before: number;
  after: number;
}

export interface SignInOptions {
  scope?: string;
  nonce?: string | null;
  user?: typeof ALICE;
  browser?: Browser;
  extra?: Record<string, string>;
}

/** Authorize (logging in and consenting when asked), redeem the code, decode the ID token. */
export async function signIn(server: TestServer, c: TestClient, options: SignInOptions = {}): Promise<SignIn> {
  const before = server.now();
  const { verifier, challenge } = pkce();
  const nonce = options.nonce === undefined ? 'n-0S6_WzA2Mj' : options.nonce;
  const extra = { ...(nonce === null ? {} : { nonce }), ...options.extra };
  const { location } = await authorizeFlow(
    server,
    options.browser ?? c.browser,
    { clientId: c.id, redirectUri: c.redirectUri, scope: options.scope ?? 'openid profile email api.read', challenge, extra },
    options.user === undefined ? {} : { user: options.user },
  );
  const call = await redeem(server, c, codeFrom(location), verifier);
  expectSuccess(call);
  const after = server.now();
  const idToken = typeof call.json.id_token === 'string' ? call.json.id_token : '';
  return {
    json: call.json,
    accessToken: String(call.json.access_token),
    refreshToken: String(call.json.refresh_token),
    idToken,
    header: idToken === '' ? {} : decodeProtectedHeader(idToken),
    claims: idToken === '' ? {} : decodeJwt(idToken),
    before,
    after,
  };
}

/** The database id of a test user: what `sub` must be. */
export async function userId(server: TestServer, user = ALICE): Promise<string> {
  const found = await server.store.users.findByUsernameKey(user.username.toLowerCase());
  if (found === undefined) throw new Error(`no user ${user.username}`);
  return found.id;
}

export interface Answer {
  status: number;
  headers: Headers;
  body: string;
  json: Record<string, unknown>;
}

async function answer(response: Response): Promise<Answer> {
  const body = await response.text();
  let json: Record<string, unknown> = {};
  try {
    json = JSON.parse(body) as Record<string, unknown>;
  } catch {
    // an empty or non-JSON body: the test asserts on `body`
  }
  return { status: response.status, headers: response.headers, body, json };
}

export type Credentials = { clientId: string; secret: string } | null;

/** POST a form to a back-channel endpoint, with Basic credentials when given. */
export async function postForm(server: TestServer, path: string, form: Record<string, string>, auth: Credentials = null, headers: Record<string, string> = {}): Promise<Answer> {
  const h: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded', ...headers };
  if (auth !== null) h.authorization = basic(auth.clientId, auth.secret);
  return answer(await fetch(`${server.url}${path}`, { method: 'POST', headers: h, body: new URLSearchParams(form).toString() }));
}

export function revoke(server: TestServer, auth: Credentials, form: Record<string, string>): Promise<Answer> {
  return postForm(server, '/revoke', form, auth);
}

export function introspect(server: TestServer, auth: Credentials, token: string, extra: Record<string, string> = {}): Promise<Answer> {
  return postForm(server, '/introspect', { token, ...extra }, auth);
}

/** RFC 7662 §2.2: exactly `{"active":false}`, nothing else. */
export async function expectInactive(server: TestServer, auth: Credentials, token: string): Promise<void> {
  const call = await introspect(server, auth, token);
  expect(call.status, call.body).toBe(200);
  expect(call.json).toStrictEqual({ active: false });
}

export async function expectActive(server: TestServer, auth: Credentials, token: string): Promise<Record<string, unknown>> {
  const call = await introspect(server, auth, token);
  expect(call.status, call.body).toBe(200);
  expect(call.json.active, call.body).toBe(true);
  return call.json;
}

/** GET /userinfo with the token as a Bearer header. */
export async function userinfo(server: TestServer, token: string | null, init: RequestInit = {}, query = ''): Promise<Answer> {
  const headers: Record<string, string> = token === null ? {} : { authorization: `Bearer ${token}` };
  return answer(await fetch(`${server.url}/userinfo${query}`, { ...init, headers: { ...headers, ...(init.headers as Record<string, string> | undefined) } }));
}
