// Token revocation over real HTTP: RFC 7009 §2.1 (client authentication, the hint is advisory,
// a refresh token revokes its grant), §2.2 (200 for unknown and already revoked tokens), §2.2.1;
// SECURITY-CATALOG SEC-27, SEC-28, SEC-29, SEC-61 and decisions D-2 (another client's token:
// 400 invalid_request, token stays active), D-3 (the whole family goes).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browser } from '../support/browser.js';
import { seed, startServer, type TestServer } from '../support/server.js';
import { expectActive, expectInactive, postForm, revoke, signIn, userinfo, type Answer } from '../oidc/fixtures.js';
import { basic, expectError, expectSuccess, newClient, refresh, type TestClient } from './fixtures.js';

let server: TestServer;
let c1: TestClient;
let c2: TestClient;
/** The resource server that introspects (a confidential client_credentials client). */
let rs: { clientId: string; secret: string };
beforeAll(async () => {
  server = await startServer({ refreshReuseGrace: '0' });
  await seed(server);
  c1 = await newClient(server);
  c2 = await newClient(server);
  const r = await newClient(server, { grantTypes: ['client_credentials'], redirectUris: [], scopes: ['api.read'] });
  rs = { clientId: r.id, secret: r.secret ?? '' };
});
afterAll(async () => server.close());

const tokens = (c: TestClient = c1) => signIn(server, c, { browser: new Browser(server.url), scope: 'openid api.read' });

function expectOk(call: Answer): void {
  expect(call.status, call.body).toBe(200);
  expect(call.headers.get('cache-control')).toBe('no-store');
}

function expectJsonError(call: Answer, status: number, error: string): void {
  expect({ status: call.status, error: call.json.error }, call.body).toEqual({ status, error });
  expect(typeof call.json.error_description).toBe('string');
}

describe('a refresh token revokes its family (RFC 7009 §2.1; SEC-27 a, D-3)', () => {
  it('SEC-27 (a): 200, then neither it nor its successor refreshes, and the family access tokens are inactive', async () => {
    const s = await tokens();
    const next = await refresh(server, c1, s.refreshToken);
    expectSuccess(next);
    const rt2 = String(next.json.refresh_token);
    const at2 = String(next.json.access_token);
    expectOk(await revoke(server, c1.auth, { token: rt2, token_type_hint: 'refresh_token' }));
    expectError(await refresh(server, c1, rt2), 400, 'invalid_grant');
    expectError(await refresh(server, c1, s.refreshToken), 400, 'invalid_grant');
    await expectInactive(server, rs, s.accessToken);
    await expectInactive(server, rs, at2);
    await expectInactive(server, rs, rt2);
    expect((await userinfo(server, at2)).status).toBe(401);
  });

  it('D-3: revoking a rotated-out refresh token also revokes the family', async () => {
    const s = await tokens();
    const next = await refresh(server, c1, s.refreshToken);
    expectSuccess(next);
    expectOk(await revoke(server, c1.auth, { token: s.refreshToken }));
    expectError(await refresh(server, c1, String(next.json.refresh_token)), 400, 'invalid_grant');
  });

  it('another grant of the same user and client is untouched', async () => {
    const one = await tokens();
    const two = await tokens();
    expectOk(await revoke(server, c1.auth, { token: one.refreshToken }));
    await expectActive(server, rs, two.accessToken);
    expectSuccess(await refresh(server, c1, two.refreshToken));
  });
});

describe('an access token goes on the revocation list (RFC 7009 §2.1; SEC-27 d)', () => {
  it('SEC-27 (d): 200; the token introspects inactive and userinfo answers 401 invalid_token', async () => {
    const s = await tokens();
    await expectActive(server, rs, s.accessToken);
    expectOk(await revoke(server, c1.auth, { token: s.accessToken, token_type_hint: 'access_token' }));
    await expectInactive(server, rs, s.accessToken);
    const call = await userinfo(server, s.accessToken);
    expect(call.status).toBe(401);
    expect(call.headers.get('www-authenticate')).toMatch(/error="invalid_token"/);
  });

  it('SEC-27 (b, c): a wrong or unknown token_type_hint still revokes (the hint is advisory)', async () => {
    const a = await tokens();
    expectOk(await revoke(server, c1.auth, { token: a.refreshToken, token_type_hint: 'access_token' }));
    expectError(await refresh(server, c1, a.refreshToken), 400, 'invalid_grant');
    const b = await tokens();
    expectOk(await revoke(server, c1.auth, { token: b.accessToken, token_type_hint: 'refresh_token' }));
    await expectInactive(server, rs, b.accessToken);
    const c = await tokens();
    expectOk(await revoke(server, c1.auth, { token: c.accessToken, token_type_hint: 'foo' }));
    await expectInactive(server, rs, c.accessToken);
  });
});

describe('input handling and idempotency (RFC 7009 §2.2, §2.2.1; SEC-28)', () => {
  it('SEC-28 (a, b): an unknown token, garbage, and an already revoked token all answer 200', async () => {
    const s = await tokens();
    expectOk(await revoke(server, c1.auth, { token: 'garbage' }));
    expectOk(await revoke(server, c1.auth, { token: 'a.b.c' }));
    expectOk(await revoke(server, c1.auth, { token: s.refreshToken }));
    expectOk(await revoke(server, c1.auth, { token: s.refreshToken }));
    expectOk(await revoke(server, c1.auth, { token: s.accessToken }));
  });

  it('SEC-28 (c): a missing token is 400 invalid_request', async () => {
    expectJsonError(await revoke(server, c1.auth, {}), 400, 'invalid_request');
  });

  it('SEC-28 (d): GET is 405 and revokes nothing', async () => {
    const s = await tokens();
    const response = await fetch(`${server.url}/revoke?token=${encodeURIComponent(s.refreshToken)}`);
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('POST');
    expectSuccess(await refresh(server, c1, s.refreshToken));
  });

  it('SEC-28 (e): a JSON body is 400 invalid_request', async () => {
    const s = await tokens();
    const response = await fetch(`${server.url}/revoke`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: basic(c1.id, c1.secret ?? '') },
      body: JSON.stringify({ token: s.refreshToken }),
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: string }).error).toBe('invalid_request');
    expectSuccess(await refresh(server, c1, s.refreshToken));
  });
});

describe('client authentication and ownership (RFC 7009 §2.1; SEC-29, D-2)', () => {
  it("SEC-29 (a), D-2: another client's refresh token is 400 invalid_request and stays active", async () => {
    const s = await tokens();
    expectJsonError(await revoke(server, c2.auth, { token: s.refreshToken }), 400, 'invalid_request');
    await expectActive(server, rs, s.refreshToken);
    expectSuccess(await refresh(server, c1, s.refreshToken));
  });

  it("SEC-29 (a), D-2: another client's access token is 400 invalid_request and stays active", async () => {
    const s = await tokens();
    expectJsonError(await revoke(server, c2.auth, { token: s.accessToken }), 400, 'invalid_request');
    await expectActive(server, rs, s.accessToken);
  });

  it('SEC-29 (c): a wrong secret is 401 invalid_client with WWW-Authenticate: Basic; the token is untouched', async () => {
    const s = await tokens();
    const call = await revoke(server, { clientId: c1.id, secret: 'wrong' }, { token: s.refreshToken });
    expectJsonError(call, 401, 'invalid_client');
    expect(call.headers.get('www-authenticate')).toMatch(/^Basic/);
    await expectActive(server, rs, s.refreshToken);
  });

  it('SEC-29 (d): no client authentication is 401 invalid_client; the token is untouched', async () => {
    const s = await tokens();
    expectJsonError(await revoke(server, null, { token: s.refreshToken }), 401, 'invalid_client');
    await expectActive(server, rs, s.refreshToken);
  });

  it("SEC-29 (b): a public client naming itself cannot revoke a confidential client's token", async () => {
    const p1 = await newClient(server, { public: true });
    const s = await tokens();
    const call = await postForm(server, '/revoke', { token: s.accessToken, client_id: p1.id });
    expect([400, 401]).toContain(call.status);
    await expectActive(server, rs, s.accessToken);
  });
});

describe('SEC-61: revocation racing a refresh (RFC 7009 §2.1; RFC 9700 §4.14.2; D-3)', () => {
  it('20 pairs in parallel: afterwards no token of any family is active', async () => {
    // Signed in one after another: 20 logins of one account at once would meet login throttling
    // (each attempt counts until it succeeds), which on PostgreSQL really runs them in parallel.
    const grants = [];
    for (let i = 0; i < 20; i++) grants.push(await tokens());
    const results = await Promise.all(
      grants.map(async (g) => {
        const [revoked, refreshed] = await Promise.all([revoke(server, c1.auth, { token: g.refreshToken }), refresh(server, c1, g.refreshToken)]);
        return { revoked, refreshed };
      }),
    );
    for (const [i, { revoked, refreshed }] of results.entries()) {
      expectOk(revoked);
      expect([200, 400]).toContain(refreshed.status);
      const g = grants[i];
      if (g === undefined) continue;
      await expectInactive(server, rs, g.refreshToken);
      await expectInactive(server, rs, g.accessToken);
      if (refreshed.status === 200) {
        await expectInactive(server, rs, String(refreshed.json.refresh_token));
        await expectInactive(server, rs, String(refreshed.json.access_token));
        expectError(await refresh(server, c1, String(refreshed.json.refresh_token)), 400, 'invalid_grant');
      }
    }
  });
});
