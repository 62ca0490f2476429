// Shared steps for the token-endpoint tests: clients, fresh codes, redemptions, raw requests,
// and the assertions every token-endpoint answer must pass (RFC 6749 §5.1, §5.2; SEC-23).
import { request as httpRequest } from 'node:http';
import { expect } from 'vitest';
import type { Client } from '../../src/store/repositories.js';
import { Browser } from '../support/browser.js';
import { authorizeFlow, codeFrom, pkce, tokenRequest, type TokenCall } from '../support/oauth.js';
import { addClient, ALICE, type ClientOptions, type TestServer } from '../support/server.js';

export const CB = 'https://app.example/cb';

export interface TestClient {
  client: Client;
  id: string;
  secret: string | null;
  /** Basic credentials for a confidential client, null for a public one. */
  auth: { clientId: string; secret: string } | null;
  redirectUri: string;
  /** Signed in as alice, so later authorizations skip login and consent. */
  browser: Browser;
}

export async function newClient(server: TestServer, options: ClientOptions = {}): Promise<TestClient> {
  const { client, secret } = await addClient(server, { redirectUris: [CB], ...options });
  return {
    client,
    id: client.id,
    secret,
    auth: secret === null ? null : { clientId: client.id, secret },
    redirectUri: client.redirectUris[0] ?? CB,
    browser: new Browser(server.url),
  };
}

export interface CodeOptions {
  scope?: string;
  redirectUri?: string;
  /** False: authorize without a code_challenge (only for a pkceOptional client). */
  pkce?: boolean;
  user?: typeof ALICE;
}

/** A fresh authorization code for `c`, with the verifier that redeems it. */
export async function freshCode(server: TestServer, c: TestClient, options: CodeOptions = {}): Promise<{ code: string; verifier: string; challenge: string }> {
  const { verifier, challenge } = pkce();
  const { location } = await authorizeFlow(
    server,
    c.browser,
    {
      clientId: c.id,
      redirectUri: options.redirectUri ?? c.redirectUri,
      scope: options.scope ?? 'openid api.read',
      challenge: options.pkce === false ? null : challenge,
    },
    options.user === undefined ? {} : { user: options.user },
  );
  return { code: codeFrom(location), verifier, challenge };
}

/** POST /token authenticated as `c`: Basic for a confidential client, client_id for a public one. */
export function asClient(server: TestServer, c: TestClient, form: Record<string, string>): Promise<TokenCall> {
  return c.auth === null ? tokenRequest(server, { ...form, client_id: c.id }) : tokenRequest(server, form, c.auth);
}

/** TOKEN(code) as `c`; `overrides` replace body fields, a field set to undefined is left out. */
export function redeem(server: TestServer, c: TestClient, code: string, verifier: string | undefined, overrides: Record<string, string | undefined> = {}): Promise<TokenCall> {
  const form: Record<string, string | undefined> = { grant_type: 'authorization_code', code, redirect_uri: c.redirectUri, code_verifier: verifier, ...overrides };
  const defined = Object.fromEntries(Object.entries(form).filter((e): e is [string, string] => e[1] !== undefined));
  return asClient(server, c, defined);
}

/** A code redeemed: the token response of a 200. */
export async function tokensFor(server: TestServer, c: TestClient, options: CodeOptions = {}): Promise<{ accessToken: string; refreshToken: string; json: Record<string, unknown> }> {
  const { code, verifier } = await freshCode(server, c, options);
  const call = await redeem(server, c, code, verifier, options.redirectUri === undefined ? {} : { redirect_uri: options.redirectUri });
  expectSuccess(call);
  return { accessToken: String(call.json.access_token), refreshToken: String(call.json.refresh_token), json: call.json };
}

export function refresh(server: TestServer, c: TestClient, refreshToken: string, extra: Record<string, string> = {}): Promise<TokenCall> {
  return asClient(server, c, { grant_type: 'refresh_token', refresh_token: refreshToken, ...extra });
}

/** RFC 6749 §5.1: a JSON token response that no cache keeps. */
export function expectSuccess(call: TokenCall): void {
  expect(call.status, JSON.stringify(call.json)).toBe(200);
  expectTokenHeaders(call.headers);
  expect(call.json).toMatchObject({ token_type: 'Bearer' });
  expect(typeof call.json.access_token).toBe('string');
  expect(call.json.expires_in).toBeGreaterThan(0);
}

/** RFC 6749 §5.2 (JERR): the status, the error code, and a description that teaches. */
export function expectError(call: TokenCall, status: number, error: string, description?: RegExp | string): void {
  expect({ status: call.status, error: call.json.error }, JSON.stringify(call.json)).toEqual({ status, error });
  expectTokenHeaders(call.headers);
  expect(call.json).not.toHaveProperty('access_token');
  expect(call.json).not.toHaveProperty('refresh_token');
  expect(typeof call.json.error_description).toBe('string');
  const text = String(call.json.error_description);
  if (description !== undefined) expect(text).toMatch(description);
  expectNoLeak(JSON.stringify(call.json));
}

export function expectTokenHeaders(headers: Headers): void {
  expect(headers.get('content-type')).toMatch(/^application\/json\b/);
  expect(headers.get('cache-control')).toBe('no-store');
  expect(headers.get('pragma')).toBe('no-cache');
}

/** SEC-66: nothing internal in a body: no stack trace, exception banner or file path. */
export function expectNoLeak(body: string): void {
  expect(body).not.toMatch(/\bError:|\bat .+:\d+:\d+|\/(work|home|tmp|usr)\/|node_modules|\.[jt]s:\d+|SQLITE|sqlite3/i);
}

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/**
 * A request over node:http, for what fetch will not send (a forged Host header, a body far over
 * the limit): resolves on the first response even if the server stops reading the body early.
 */
export function rawRequest(server: TestServer, method: string, path: string, headers: Record<string, string>, body?: string | Buffer): Promise<RawResponse> {
  const url = new URL(path, server.url);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: url.hostname, port: url.port, path: `${url.pathname}${url.search}`, method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    // The server may answer and close before the whole body is sent: that is the answer.
    req.on('error', (error) => setTimeout(() => reject(error), 200));
    req.end(body);
  });
}

export const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

export function basic(clientId: string, secret: string): string {
  return `Basic ${Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(secret)}`).toString('base64')}`;
}
