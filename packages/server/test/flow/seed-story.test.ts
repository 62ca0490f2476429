// The seed's story, step by step over real HTTP (RFC 6749 §4.1, §6): register an app, send the
// user to authorize, log in, grant two of three scopes, exchange the code with the secret,
// refresh, and see the old refresh token refused.
import { createLocalJWKSet, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browser } from '../support/browser.js';
import { authorizeUrl, codeFrom, consent, follow, login, pkce, tokenRequest } from '../support/oauth.js';
import { addClient, API, seed, startServer, type TestServer } from '../support/server.js';

describe('the seed story: A, B and C requested, B and C allowed', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer({ refreshReuseGrace: '0' });
    await seed(server);
  });
  afterAll(async () => server.close());

  it('walks the whole authorization code flow', async () => {
    const { client, secret } = await addClient(server, { redirectUris: ['https://mine.example/callback'] });
    expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const browser = new Browser(server.url);
    const { verifier, challenge } = pkce();

    const start = await browser.get(
      authorizeUrl(server, { clientId: client.id, redirectUri: 'https://mine.example/callback', scope: 'openid api.read api.write', state: 'xyz', challenge }),
    );
    expect(start.status).toBe(303);
    expect(new URL(start.location ?? '').pathname).toBe('/login');

    const loginPage = await follow(browser, start);
    expect(loginPage.body).toContain('name="username"');
    expect(loginPage.body).toContain('type="password"');
    const afterLogin = await login(browser, loginPage);
    expect(afterLogin.status).toBe(303);

    const consentPage = await follow(browser, afterLogin);
    expect(consentPage.body).toContain('Test App');
    for (const scope of ['openid', 'api.read', 'api.write']) {
      expect(consentPage.body).toContain(`value="${scope}"`);
    }
    // The user allows B and C, not A (api.write).
    const back = await consent(browser, consentPage, 'allow', ['openid', 'api.read']);
    expect(back.status).toBe(303);
    const location = new URL(back.location ?? '');
    expect(`${location.origin}${location.pathname}`).toBe('https://mine.example/callback');
    expect(location.searchParams.get('state')).toBe('xyz');
    expect(location.searchParams.get('iss')).toBe(server.url);
    const code = codeFrom(location);

    const exchanged = await tokenRequest(
      server,
      { grant_type: 'authorization_code', code, redirect_uri: 'https://mine.example/callback', code_verifier: verifier },
      { clientId: client.id, secret: secret ?? '' },
    );
    expect(exchanged.status).toBe(200);
    expect(exchanged.headers.get('cache-control')).toBe('no-store');
    expect(exchanged.json).toMatchObject({ token_type: 'Bearer', expires_in: 600, scope: 'openid api.read' });
    const accessToken = String(exchanged.json.access_token);
    const firstRefresh = String(exchanged.json.refresh_token);

    // RFC 9068: a JWT the resource server verifies with the published keys alone.
    const jwks = (await (await fetch(`${server.url}/jwks`)).json()) as { keys: [] };
    const { payload, protectedHeader } = await jwtVerify(accessToken, createLocalJWKSet(jwks), { issuer: server.url, audience: API, typ: 'at+jwt' });
    expect(protectedHeader.alg).toBe('ES256');
    expect(payload).toMatchObject({ client_id: client.id, scope: 'openid api.read' });
    expect(typeof payload.sub).toBe('string');
    expect(typeof payload.jti).toBe('string');

    const refreshed = await tokenRequest(server, { grant_type: 'refresh_token', refresh_token: firstRefresh }, { clientId: client.id, secret: secret ?? '' });
    expect(refreshed.status).toBe(200);
    expect(refreshed.json.refresh_token).not.toBe(firstRefresh);
    expect(refreshed.json.scope).toBe('openid api.read');

    const replay = await tokenRequest(server, { grant_type: 'refresh_token', refresh_token: firstRefresh }, { clientId: client.id, secret: secret ?? '' });
    expect(replay.status).toBe(400);
    expect(replay.json.error).toBe('invalid_grant');
  });
});
