// The ecosystem's standard relying-party library, openid-client v6 (panva), completes sign-in
// against a running Latchkey and validates everything with its own checks: discovery (OpenID
// Connect Discovery 1.0 §4), the authorization response (RFC 9207 `iss`, `state`), PKCE (RFC
// 7636), the ID token (OIDC Core §3.1.3.7: signature, iss, aud, exp, iat, nonce), userinfo
// (§5.3.2: sub matches), refresh (RFC 6749 §6), revocation (RFC 7009), introspection (RFC 7662)
// and RP-initiated logout (RP-Initiated Logout 1.0 §2). Issue 4's "Tests" section.
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browser } from '../support/browser.js';
import { consent, login } from '../support/oauth.js';
import { seed, startServer, type TestServer } from '../support/server.js';
import { newClient, type TestClient } from '../token/fixtures.js';
import { userId } from './fixtures.js';

const BACK = 'https://app.example/signed-out';
let server: TestServer;
let c1: TestClient;
let config: oidc.Configuration;
beforeAll(async () => {
  server = await startServer();
  await seed(server);
  c1 = await newClient(server, { postLogoutRedirectUris: [BACK] });
  config = await configure(c1);
});
afterAll(async () => server.close());

/** Discovery §4 from the issuer URL; the test issuer is http, hence allowInsecureRequests. */
function configure(c: TestClient): Promise<oidc.Configuration> {
  return oidc.discovery(new URL(server.url), c.id, c.secret ?? undefined, undefined, { execute: [oidc.allowInsecureRequests] });
}

interface Started {
  url: URL;
  verifier: string;
  nonce: string;
  state: string;
}

async function start(cfg: oidc.Configuration, redirectUri: string, scope = 'openid profile email'): Promise<Started> {
  const verifier = oidc.randomPKCECodeVerifier();
  const nonce = oidc.randomNonce();
  const state = oidc.randomState();
  const url = oidc.buildAuthorizationUrl(cfg, {
    redirect_uri: redirectUri,
    scope,
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    nonce,
    state,
  });
  return { url, verifier, nonce, state };
}

/** The user's part: follow the server's redirects, log in and consent, stop at the client. */
async function drive(browser: Browser, url: URL): Promise<URL> {
  let page = await browser.get(url.href);
  for (let step = 0; step < 6; step += 1) {
    if (page.status !== 303 || page.location === null) break;
    const target = new URL(page.location);
    if (target.origin !== server.url) return target;
    page = await browser.get(target.href);
    if (target.pathname === '/login') page = await login(browser, page);
    else if (target.pathname === '/consent') page = await consent(browser, page);
  }
  throw new Error(`the flow did not reach the client: ${page.status} ${page.body.slice(0, 300)}`);
}

async function signIn(cfg: oidc.Configuration, c: TestClient, browser = new Browser(server.url)) {
  const started = await start(cfg, c.redirectUri);
  const callback = await drive(browser, started.url);
  const tokens = await oidc.authorizationCodeGrant(cfg, callback, { pkceCodeVerifier: started.verifier, expectedNonce: started.nonce, expectedState: started.state });
  return { started, callback, tokens, browser };
}

/** The messages of a rejection and its causes (openid-client wraps oauth4webapi's errors). */
async function rejection(promise: Promise<unknown>): Promise<string> {
  const messages: string[] = [];
  try {
    await promise;
  } catch (error) {
    for (let e: unknown = error; e instanceof Error; e = e.cause) messages.push(e.message);
  }
  expect(messages.length, 'the promise should have been rejected').toBeGreaterThan(0);
  return messages.join(' <- ');
}

describe('openid-client v6 against a running Latchkey', () => {
  it('Discovery §4: reads the provider metadata from the issuer URL', () => {
    const m = config.serverMetadata();
    expect(m.issuer).toBe(server.url);
    expect(m.userinfo_endpoint).toBe(`${server.url}/userinfo`);
    expect(m.supportsPKCE()).toBe(true);
  });

  it('OIDC Core §3.1.3.7: completes the sign-in and validates the ID token (signature, iss, aud, exp, iat, nonce, state, PKCE)', async () => {
    const { tokens, started } = await signIn(config, c1);
    expect(tokens.token_type.toLowerCase()).toBe('bearer');
    const claims = tokens.claims();
    expect(claims).toMatchObject({ iss: server.url, aud: c1.id, sub: await userId(server), nonce: started.nonce });
    expect(typeof claims?.auth_time).toBe('number');
    expect(tokens.expiresIn()).toBeGreaterThan(0);
  });

  it('OIDC Core §5.3.2: fetchUserInfo returns the claims for the ID token subject', async () => {
    const { tokens } = await signIn(config, c1);
    const sub = tokens.claims()?.sub ?? '';
    const info = await oidc.fetchUserInfo(config, tokens.access_token, sub);
    expect(info).toMatchObject({ sub, preferred_username: 'alice', name: 'Alice', email: 'alice@example.com', email_verified: false });
  });

  it('OIDC Core §3.1.3.7 step 11: a wrong expectedNonce is rejected by openid-client', async () => {
    const started = await start(config, c1.redirectUri);
    const callback = await drive(new Browser(server.url), started.url);
    const error = await rejection(oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: started.verifier, expectedNonce: 'not-the-nonce', expectedState: started.state }));
    expect(error).toMatch(/unexpected ID Token "nonce" claim value/);
  });

  it('RFC 6749 §10.12: a wrong expectedState is rejected by openid-client', async () => {
    const started = await start(config, c1.redirectUri);
    const callback = await drive(new Browser(server.url), started.url);
    const error = await rejection(oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: started.verifier, expectedNonce: started.nonce, expectedState: 'other' }));
    expect(error).toMatch(/unexpected "state" response parameter value/);
  });

  it('RFC 6749 §6: refreshTokenGrant gives a new access token and a rotated refresh token', async () => {
    const { tokens } = await signIn(config, c1);
    const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token ?? '');
    expect(refreshed.access_token).not.toBe(tokens.access_token);
    expect(refreshed.refresh_token).not.toBe(tokens.refresh_token);
    expect((await oidc.fetchUserInfo(config, refreshed.access_token, tokens.claims()?.sub ?? '')).sub).toBe(tokens.claims()?.sub);
  });

  it('Registration §2: an ES256 client validates its ES256 ID token too', async () => {
    const ec = await newClient(server, { idTokenSignedResponseAlg: 'ES256' });
    const ecConfig = await configure(ec);
    const { tokens } = await signIn(ecConfig, ec);
    expect(tokens.claims()?.aud).toBe(ec.id);
    expect(JSON.parse(Buffer.from(tokens.id_token?.split('.')[0] ?? '', 'base64url').toString()) as unknown).toMatchObject({ alg: 'ES256' });
  });

  it('RFC 7009, RFC 7662: tokenRevocation revokes, and a resource server sees it with tokenIntrospection', async () => {
    const rs = await newClient(server, { grantTypes: ['client_credentials'], redirectUris: [], scopes: ['api.read'] });
    const rsConfig = await configure(rs);
    const { tokens } = await signIn(config, c1);
    expect(await oidc.tokenIntrospection(rsConfig, tokens.access_token)).toMatchObject({ active: true, client_id: c1.id });
    await oidc.tokenRevocation(config, tokens.refresh_token ?? '');
    expect(await oidc.tokenIntrospection(rsConfig, tokens.access_token)).toStrictEqual({ active: false });
    await expect(oidc.refreshTokenGrant(config, tokens.refresh_token ?? '')).rejects.toThrow();
  });

  it('RP-Initiated Logout §2: buildEndSessionUrl signs the user out and returns with state', async () => {
    const { tokens, browser } = await signIn(config, c1);
    const url = oidc.buildEndSessionUrl(config, { id_token_hint: tokens.id_token ?? '', post_logout_redirect_uri: BACK, state: 'bye' });
    const page = await browser.get(url.href);
    expect(page.status).toBe(303);
    expect(page.location).toBe(`${BACK}?state=bye`);
  });
});
