// Token introspection over real HTTP: RFC 7662 §2.1 (the caller authenticates), §2.2 (the active
// response; exactly {"active":false} otherwise), §4 (no token scanning); RFC 6749 §4.1.2 (code
// replay revokes what the code gave). SECURITY-CATALOG SEC-30, SEC-31, SEC-32, SEC-12, SEC-44.
import { generateKeyPair, SignJWT, decodeJwt, decodeProtectedHeader } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browser } from '../support/browser.js';
import { tokenRequest } from '../support/oauth.js';
import { API, seed, startServer, type TestServer } from '../support/server.js';
import { expectActive, expectInactive, introspect, postForm, signIn, userId, type Answer } from '../oidc/fixtures.js';
import { expectError, expectSuccess, freshCode, newClient, redeem, refresh, type TestClient } from './fixtures.js';

let server: TestServer;
let c1: TestClient;
/** A resource server registered as a confidential client allowed client_credentials only. */
let rs: { clientId: string; secret: string };
beforeAll(async () => {
  server = await startServer({ refreshReuseGrace: '0' });
  await seed(server);
  c1 = await newClient(server);
  const r = await newClient(server, { grantTypes: ['client_credentials'], redirectUris: [], scopes: ['api.read'] });
  rs = { clientId: r.id, secret: r.secret ?? '' };
});
afterAll(async () => server.close());

const tokens = () => signIn(server, c1, { browser: new Browser(server.url), scope: 'openid api.read' });

function expectJsonError(call: Answer, status: number, error: string): void {
  expect({ status: call.status, error: call.json.error }, call.body).toEqual({ status, error });
  expect(call.json).not.toHaveProperty('active');
}

describe('active tokens (RFC 7662 §2.2; SEC-31)', () => {
  it('SEC-31: an access token is active with scope, client_id, sub, aud, iss, exp, iat and token_type; no-store', async () => {
    const s = await tokens();
    const call = await introspect(server, rs, s.accessToken, { token_type_hint: 'access_token' });
    expect(call.status).toBe(200);
    expect(call.headers.get('content-type')).toMatch(/^application\/json/);
    expect(call.headers.get('cache-control')).toBe('no-store');
    expect(call.json).toMatchObject({ active: true, scope: 'openid api.read', client_id: c1.id, sub: await userId(server), aud: API, iss: server.url, token_type: 'Bearer' });
    expect(call.json.exp).toBe(Number(call.json.iat) + Number(s.json.expires_in));
    expect(call.json.iat).toBe(decodeJwt(s.accessToken).iat);
  });

  it('§2.2: a refresh token is active with its scope, client_id, sub, iss, exp and iat', async () => {
    const s = await tokens();
    const json = await expectActive(server, rs, s.refreshToken);
    expect(json).toMatchObject({ scope: 'openid api.read', client_id: c1.id, sub: await userId(server), iss: server.url, token_type: 'refresh_token' });
    expect(Number(json.exp) - Number(json.iat)).toBe(2592000);
  });

  it('RFC 6749 §4.4: a client_credentials token is active with the client as sub, and inactive once its client revokes it', async () => {
    const cc = await tokenRequest(server, { grant_type: 'client_credentials' }, rs);
    expectSuccess(cc);
    const token = String(cc.json.access_token);
    expect(await expectActive(server, rs, token)).toMatchObject({ client_id: rs.clientId, sub: rs.clientId, scope: 'api.read', aud: API });
    expect((await postForm(server, '/revoke', { token }, rs)).status).toBe(200);
    await expectInactive(server, rs, token);
  });

  it('§2.1: the token_type_hint is advisory: a wrong hint still finds the token', async () => {
    const s = await tokens();
    expect((await introspect(server, rs, s.refreshToken, { token_type_hint: 'access_token' })).json.active).toBe(true);
    expect((await introspect(server, rs, s.accessToken, { token_type_hint: 'refresh_token' })).json.active).toBe(true);
  });

  it('§2.1: the token owner (a confidential client) may introspect too', async () => {
    const s = await tokens();
    await expectActive(server, c1.auth, s.accessToken);
  });
});

describe('inactive tokens reveal nothing (RFC 7662 §2.2, §4; SEC-32)', () => {
  it('SEC-32 (a): an expired access token is exactly {"active":false}', async () => {
    const s = await tokens();
    server.advance(601);
    await expectInactive(server, rs, s.accessToken);
  });

  it('SEC-32 (b): a revoked access token is exactly {"active":false}', async () => {
    const s = await tokens();
    expect((await postForm(server, '/revoke', { token: s.accessToken }, c1.auth)).status).toBe(200);
    await expectInactive(server, rs, s.accessToken);
  });

  it('SEC-32 (c): a rotated-out refresh token is exactly {"active":false}; its successor is active', async () => {
    const s = await tokens();
    const next = await refresh(server, c1, s.refreshToken);
    expectSuccess(next);
    await expectInactive(server, rs, s.refreshToken);
    await expectActive(server, rs, String(next.json.refresh_token));
  });

  it('SEC-32 (d, e): an authorization code, garbage, a JWT-shaped string and a long string are exactly {"active":false}', async () => {
    const { code } = await freshCode(server, c1);
    await expectInactive(server, rs, code);
    await expectInactive(server, rs, 'garbage');
    await expectInactive(server, rs, 'a.b.c');
    await expectInactive(server, rs, 'x'.repeat(4000));
  });

  it('SEC-32 (g): an ID token is exactly {"active":false}', async () => {
    const s = await tokens();
    await expectInactive(server, rs, s.idToken);
  });

  it('§4: a token with the same claims and kid signed by a foreign key is exactly {"active":false}', async () => {
    const s = await tokens();
    const { privateKey } = await generateKeyPair('ES256');
    const header = decodeProtectedHeader(s.accessToken);
    const forged = await new SignJWT(decodeJwt(s.accessToken)).setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid: header.kid ?? '' }).sign(privateKey);
    await expectInactive(server, rs, forged);
  });

  it('§4: an expired refresh token is exactly {"active":false}', async () => {
    const short = await startServer({ refreshTokenTtl: '60' });
    try {
      await seed(short);
      const c = await newClient(short);
      const r = await newClient(short, { grantTypes: ['client_credentials'], redirectUris: [], scopes: ['api.read'] });
      const s = await signIn(short, c);
      short.advance(61);
      await expectInactive(short, { clientId: r.id, secret: r.secret ?? '' }, s.refreshToken);
    } finally {
      await short.close();
    }
  });
});

describe('the caller must authenticate (RFC 7662 §2.1; SEC-30)', () => {
  it('SEC-30 (a): without authentication: 401 invalid_client, no token data', async () => {
    const s = await tokens();
    const call = await introspect(server, null, s.accessToken);
    expectJsonError(call, 401, 'invalid_client');
  });

  it('SEC-30 (b): a wrong secret: 401 invalid_client with WWW-Authenticate: Basic', async () => {
    const s = await tokens();
    const call = await introspect(server, { clientId: rs.clientId, secret: 'wrong' }, s.accessToken);
    expectJsonError(call, 401, 'invalid_client');
    expect(call.headers.get('www-authenticate')).toMatch(/^Basic/);
  });

  it('SEC-30: a public client (client_id only) cannot introspect: 401 invalid_client', async () => {
    const p1 = await newClient(server, { public: true });
    const s = await tokens();
    expectJsonError(await postForm(server, '/introspect', { token: s.accessToken, client_id: p1.id }), 401, 'invalid_client');
  });

  it('SEC-30 (c): a user access token as the credential is refused (401)', async () => {
    const s = await tokens();
    const call = await postForm(server, '/introspect', { token: s.accessToken }, null, { authorization: `Bearer ${s.accessToken}` });
    expect([401, 403]).toContain(call.status);
    expect(call.json).not.toHaveProperty('active');
  });

  it('§2.1: a missing token is 400 invalid_request; GET is 405', async () => {
    expectJsonError(await postForm(server, '/introspect', {}, rs), 400, 'invalid_request');
    expect((await fetch(`${server.url}/introspect?token=x`)).status).toBe(405);
  });
});

describe('revocation reaches introspection at once (SEC-12, SEC-44)', () => {
  it('SEC-12: after a code replay, the first access token and refresh token are inactive', async () => {
    const { code, verifier } = await freshCode(server, c1);
    const first = await redeem(server, c1, code, verifier);
    expectSuccess(first);
    await expectActive(server, rs, String(first.json.access_token));
    expectError(await redeem(server, c1, code, verifier), 400, 'invalid_grant');
    await expectInactive(server, rs, String(first.json.access_token));
    await expectInactive(server, rs, String(first.json.refresh_token));
  });

  it('SEC-44: after grants.remove (Connected apps: Remove access) the access token is inactive at once', async () => {
    const s = await tokens();
    await expectActive(server, rs, s.accessToken);
    expect(await server.store.grants.remove(await userId(server), c1.id, server.now())).toBe(true);
    await expectInactive(server, rs, s.accessToken);
    await expectInactive(server, rs, s.refreshToken);
  });
});
