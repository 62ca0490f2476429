// The refresh_token grant over real HTTP: RFC 6749 §6, §10.4; RFC 9700 §4.14.2 (rotation and
// reuse detection); SECURITY-CATALOG SEC-21, SEC-22, D-3 (reuse revokes the family) and D-4
// (a grace window in which the same token gets the same successor).
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API, seed, startServer, type TestServer } from '../support/server.js';
import { expectError, expectSuccess, newClient, refresh, tokensFor, type TestClient } from './fixtures.js';

const FULL = 'openid api.read api.write';

let server: TestServer;
let c1: TestClient;
beforeAll(async () => {
  server = await startServer({ refreshReuseGrace: '2' });
  await seed(server);
  c1 = await newClient(server);
});
afterAll(async () => server.close());

async function rotated(c: TestClient, token: string, extra: Record<string, string> = {}): Promise<{ refreshToken: string; json: Record<string, unknown> }> {
  const call = await refresh(server, c, token, extra);
  expectSuccess(call);
  expect(typeof call.json.refresh_token).toBe('string');
  return { refreshToken: String(call.json.refresh_token), json: call.json };
}

describe('rotation (RFC 9700 §4.14.2; SEC-22)', () => {
  it('issues a new refresh token on every use, with a new access token of the same scope', async () => {
    const { refreshToken: rt1, accessToken: at1 } = await tokensFor(server, c1, { scope: FULL });
    const second = await rotated(c1, rt1);
    const third = await rotated(c1, second.refreshToken);
    expect(new Set([rt1, second.refreshToken, third.refreshToken]).size).toBe(3);
    expect(second.json.access_token).not.toBe(at1);
    expect(third.json).toMatchObject({ scope: FULL, expires_in: 600 });
  });

  it('within the grace window, the same token presented again gets the SAME successor (D-4)', async () => {
    const { refreshToken: rt1 } = await tokensFor(server, c1);
    const first = await rotated(c1, rt1);
    const again = await rotated(c1, rt1);
    expect(again.refreshToken).toBe(first.refreshToken);
    expect(again.json.access_token).not.toBe(first.json.access_token);
    // The successor is the one active token of the family and keeps working.
    await rotated(c1, first.refreshToken);
  });

  it('after the grace window, reuse is invalid_grant and revokes the family: the newest token stops working too (D-3)', async () => {
    const { refreshToken: rt1 } = await tokensFor(server, c1);
    const rt2 = (await rotated(c1, rt1)).refreshToken;
    const rt3 = (await rotated(c1, rt2)).refreshToken;
    server.advance(3);
    expectError(await refresh(server, c1, rt1), 400, 'invalid_grant', /already used.*revoked/);
    expectError(await refresh(server, c1, rt3), 400, 'invalid_grant', /revoked/);
    expectError(await refresh(server, c1, rt2), 400, 'invalid_grant', /revoked/);
  });
});

describe('scope at refresh (RFC 6749 §6; SEC-21 b, c)', () => {
  it('may narrow: the access token carries the narrowed scope and the refresh token keeps the original', async () => {
    const { refreshToken } = await tokensFor(server, c1, { scope: FULL });
    const narrowed = await rotated(c1, refreshToken, { scope: 'api.read' });
    expect(narrowed.json.scope).toBe('api.read');
    const claims = decodeJwt(String(narrowed.json.access_token));
    expect(claims).toMatchObject({ scope: 'api.read', aud: API });
    const next = await rotated(c1, narrowed.refreshToken);
    expect(next.json.scope).toBe(FULL);
  });

  it('may not widen: invalid_scope naming the scope, and the token is not spent', async () => {
    const { refreshToken } = await tokensFor(server, c1, { scope: 'openid api.read' });
    expectError(await refresh(server, c1, refreshToken, { scope: 'api.read api.write' }), 400, 'invalid_scope', /not in the original grant: api\.write$/);
    expectError(await refresh(server, c1, refreshToken, { scope: 'api.admin' }), 400, 'invalid_scope', /api\.admin/);
    await rotated(c1, refreshToken);
  });
});

describe('binding to the client and the grant (RFC 6749 §6, §10.4; SEC-21 a, d, f)', () => {
  it("another client's refresh token is invalid_grant and does not rotate: the owner can still use it", async () => {
    const c2 = await newClient(server);
    const { refreshToken } = await tokensFor(server, c1);
    expectError(await refresh(server, c2, refreshToken), 400, 'invalid_grant', /another client/);
    const p2 = await newClient(server, { public: true });
    expectError(await refresh(server, p2, refreshToken), 400, 'invalid_grant', /another client/);
    await rotated(c1, refreshToken);
  });

  it('a confidential client refreshing without its secret is 401 invalid_client', async () => {
    const { refreshToken } = await tokensFor(server, c1);
    expectError(await refresh(server, { ...c1, auth: null }, refreshToken), 401, 'invalid_client');
    await rotated(c1, refreshToken);
  });

  it('a public client refreshes with client_id only (none), with rotation', async () => {
    const p1 = await newClient(server, { public: true });
    const { refreshToken } = await tokensFor(server, p1);
    const next = await rotated(p1, refreshToken);
    expect(next.refreshToken).not.toBe(refreshToken);
  });

  it('after the user removes the grant, refresh is invalid_grant', async () => {
    const c = await newClient(server);
    const { refreshToken } = await tokensFor(server, c);
    const alice = await server.store.users.findByUsernameKey('alice');
    expect(await server.store.grants.remove(alice?.id ?? '', c.id, server.now())).toBe(true);
    expectError(await refresh(server, c, refreshToken), 400, 'invalid_grant', /revoked/);
  });

  it('an unknown refresh token is invalid_grant', async () => {
    expectError(await refresh(server, c1, 'x'.repeat(43)), 400, 'invalid_grant', /not valid/);
  });

  it('a missing refresh_token is invalid_request naming it', async () => {
    expectError(await refresh(server, c1, ''), 400, 'invalid_request', /'refresh_token' parameter is required/);
  });
});

describe('who gets a refresh token (CONTRACTS.md; RFC 6749 §1.5)', () => {
  it('a client without the refresh_token grant gets none, and cannot use the grant', async () => {
    const c = await newClient(server, { grantTypes: ['authorization_code'] });
    const { json } = await tokensFor(server, c);
    expect(json).not.toHaveProperty('refresh_token');
    expectError(await refresh(server, c, 'x'.repeat(43)), 400, 'unauthorized_client', /refresh_token/);
  });

  it('offline_access is accepted but not required', async () => {
    const c = await newClient(server);
    const { json } = await tokensFor(server, c, { scope: 'openid offline_access' });
    expect(json).toMatchObject({ scope: 'openid offline_access' });
    expect(typeof json.refresh_token).toBe('string');
  });
});

describe('refresh token lifetime (LATCHKEY_REFRESH_TOKEN_TTL; D-7)', () => {
  let clock: TestServer;
  let c: TestClient;
  beforeAll(async () => {
    clock = await startServer({ refreshTokenTtl: '120' });
    await seed(clock);
    c = await newClient(clock);
  });
  afterAll(async () => clock.close());

  it('works within its lifetime, and the successor gets a fresh lifetime', async () => {
    const { refreshToken } = await tokensFor(clock, c);
    clock.advance(100);
    const call = await refresh(clock, c, refreshToken);
    expectSuccess(call);
    clock.advance(100);
    expectSuccess(await refresh(clock, c, String(call.json.refresh_token)));
  });

  it('an expired refresh token is invalid_grant saying it expired', async () => {
    const { refreshToken } = await tokensFor(clock, c);
    clock.advance(121);
    expectError(await refresh(clock, c, refreshToken), 400, 'invalid_grant', /expired/);
  });
});

describe('refresh token absolute lifetime (LATCHKEY_REFRESH_TOKEN_MAX_LIFETIME; D-7)', () => {
  let clock: TestServer;
  let c: TestClient;
  beforeAll(async () => {
    clock = await startServer({ refreshTokenTtl: '120', refreshTokenMaxLifetime: '300' });
    await seed(clock);
    c = await newClient(clock);
  });
  afterAll(async () => clock.close());

  it('ends the grant 300 s after the code exchange, however often it is refreshed', async () => {
    const { refreshToken } = await tokensFor(clock, c);
    let current = refreshToken;
    // Refreshed every 100 s, each successor would live 120 s more: the idle limit alone never ends it.
    for (let i = 0; i < 2; i += 1) {
      clock.advance(100);
      const call = await refresh(clock, c, current);
      expectSuccess(call);
      current = String(call.json.refresh_token);
    }
    clock.advance(99);
    const last = await refresh(clock, c, current);
    expectSuccess(last);
    // 299 s in: the successor may live only 1 s more, not 120.
    clock.advance(2);
    expectError(await refresh(clock, c, String(last.json.refresh_token)), 400, 'invalid_grant', /expired/);
  });

  it('a max lifetime shorter than the idle lifetime bounds the first refresh token too', async () => {
    const short = await startServer({ refreshTokenTtl: '600', refreshTokenMaxLifetime: '60' });
    try {
      await seed(short);
      const client = await newClient(short);
      const { refreshToken } = await tokensFor(short, client);
      short.advance(61);
      expectError(await refresh(short, client, refreshToken), 400, 'invalid_grant', /expired/);
    } finally {
      await short.close();
    }
  });
});
