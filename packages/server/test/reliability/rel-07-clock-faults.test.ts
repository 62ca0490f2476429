// REL-07 (SECURITY-CATALOG §13): clock faults. The server's clock is stepped 5 minutes forward
// and back (TestServer.advance moves the clock the app reads, as an NTP step would): code,
// access-token and refresh-token expiry stay enforced against the stored times, `iat`/`exp` of
// new tokens follow the clock, refresh-token reuse is still detected, and a change made by another
// process still applies within its bound. Then two server processes on one database whose clocks
// are 30 s apart (built in-process: `latchkey serve` has no clock-offset setting): tokens from
// either verify on both, and a code is refused by both once both clocks are past its expiry.
// Runs on SQLite and, in the PostgreSQL pass, on PostgreSQL.
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { hashSecret } from '../../src/tokens/secrets.js';
import { expectActive, expectInactive, userinfo } from '../oidc/fixtures.js';
import { tokenRequest } from '../support/oauth.js';
import { seed, startServer, type TestServer } from '../support/server.js';
import { expectError, expectSuccess, freshCode, newClient, redeem, refresh, tokensFor, type TestClient } from '../token/fixtures.js';

const FIVE_MINUTES = 300;
const ACCESS_TTL = 600;
const REFRESH_TTL = 900;

/** iat is the server's clock when the token was issued, exp is iat + the configured lifetime. */
function expectTimes(jwt: string, server: TestServer, ttl: number): void {
  const { iat, exp } = decodeJwt(jwt);
  expect(Math.abs(Number(iat) - server.now())).toBeLessThanOrEqual(2);
  expect(Number(exp) - Number(iat)).toBe(ttl);
}

describe('REL-07: the server clock steps 5 minutes forward', () => {
  let server: TestServer;
  let c1: TestClient;
  let auth: { clientId: string; secret: string };
  beforeAll(async () => {
    server = await startServer({ refreshTokenTtl: String(REFRESH_TTL) });
    await seed(server);
    c1 = await newClient(server);
    auth = { clientId: c1.id, secret: c1.secret ?? '' };
  });
  afterAll(async () => server.close());

  it('codes issued before the step have expired; access and refresh tokens expire at their stored times; new tokens carry the new time', async () => {
    const pending = await freshCode(server, c1);
    const before = await tokensFor(server, c1);
    const idle = await tokensFor(server, c1);
    expectTimes(before.accessToken, server, ACCESS_TTL);

    server.advance(FIVE_MINUTES);
    expectError(await redeem(server, c1, pending.code, pending.verifier), 400, 'invalid_grant', /expired/);
    // The 10-minute access token and the 15-minute refresh token are still within their lives.
    await expectActive(server, auth, before.accessToken);
    await expectActive(server, auth, before.refreshToken);
    const after = await tokensFor(server, c1);
    expectTimes(after.accessToken, server, ACCESS_TTL);
    expectTimes(String(after.json.id_token), server, ACCESS_TTL);

    server.advance(FIVE_MINUTES);
    // 10 minutes after it was issued, the first access token is dead everywhere.
    await expectInactive(server, auth, before.accessToken);
    expect((await userinfo(server, before.accessToken)).status).toBe(401);
    await expectActive(server, auth, after.accessToken);
    const rotated = await refresh(server, c1, before.refreshToken);
    expectSuccess(rotated);
    expectTimes(String(rotated.json.access_token), server, ACCESS_TTL);

    server.advance(FIVE_MINUTES + 1);
    // 15 minutes and a second: the refresh token left idle has expired.
    await expectInactive(server, auth, idle.refreshToken);
    expectError(await refresh(server, c1, idle.refreshToken), 400, 'invalid_grant', /expired/);
  });
});

describe('REL-07: the server clock steps 5 minutes back', () => {
  let server: TestServer;
  let c1: TestClient;
  let auth: { clientId: string; secret: string };
  beforeAll(async () => {
    server = await startServer({ refreshTokenTtl: String(REFRESH_TTL), refreshReuseGrace: '2' });
    await seed(server);
    c1 = await newClient(server);
    auth = { clientId: c1.id, secret: c1.secret ?? '' };
  });
  afterAll(async () => server.close());

  it('tokens issued before the step still verify; expiry is still enforced at the stored times; new tokens carry the new time', async () => {
    const before = await tokensFor(server, c1);
    server.advance(-FIVE_MINUTES);
    // Issued "in the future" as the server now sees it: still this server's valid token.
    await expectActive(server, auth, before.accessToken);
    expect((await userinfo(server, before.accessToken)).status).toBe(200);
    const pending = await freshCode(server, c1);
    const after = await tokensFor(server, c1);
    expectTimes(after.accessToken, server, ACCESS_TTL);

    // The clock catches up: the code issued during the step expires 60 s after its stored time.
    server.advance(61);
    expectError(await redeem(server, c1, pending.code, pending.verifier), 400, 'invalid_grant', /expired/);
    // 10 minutes after its stored iat, each access token is dead: the one issued during the step
    // first, the one issued before it 5 minutes later.
    server.advance(ACCESS_TTL);
    await expectInactive(server, auth, after.accessToken);
    await expectActive(server, auth, before.accessToken);
    server.advance(FIVE_MINUTES - 61);
    await expectInactive(server, auth, before.accessToken);
  });

  it('a refresh token replayed 10 s after its rotation is reuse even when the clock has stepped back meanwhile', async () => {
    // Control, no step: 10 s after the rotation, outside the 2 s grace window, a replay is reuse.
    const control = await tokensFor(server, c1);
    expectSuccess(await refresh(server, c1, control.refreshToken));
    server.advance(10);
    expectError(await refresh(server, c1, control.refreshToken), 400, 'invalid_grant', /already used/);

    // The same 10 s, then the clock steps back 5 minutes before the replay arrives.
    const stolen = await tokensFor(server, c1);
    const first = await refresh(server, c1, stolen.refreshToken);
    expectSuccess(first);
    server.advance(10);
    server.advance(-FIVE_MINUTES);
    const replay = await refresh(server, c1, stolen.refreshToken);
    // RFC 9700 §4.14.2: the old token is refused and the family revoked, not served again.
    expectError(replay, 400, 'invalid_grant', /already used/);
    await expectInactive(server, auth, String(first.json.refresh_token));
  });

  it('a client secret changed by another process stops working within 5 s even when the clock has stepped back meanwhile', async () => {
    /** A client whose secret works, then is replaced in the shared database by another process. */
    const rotatedElsewhere = async () => {
      const c = await newClient(server, { grantTypes: ['client_credentials'], redirectUris: [], scopes: ['api.read'] });
      const old = { clientId: c.id, secret: c.secret ?? '' };
      expectSuccess(await tokenRequest(server, { grant_type: 'client_credentials' }, old));
      // The console or `latchkey` in another process rotates the secret.
      await server.store.clientAdmin.setSecretHash(c.id, hashSecret(`the-new-secret-${c.id}`));
      return old;
    };
    // Control, no step: 5 s later the old secret fails (CONTRACTS.md: within 5 s).
    const control = await rotatedElsewhere();
    server.advance(5);
    expect((await tokenRequest(server, { grant_type: 'client_credentials' }, control)).status).toBe(401);

    // The same 5 s, then the clock steps back 5 minutes.
    const old = await rotatedElsewhere();
    server.advance(5);
    server.advance(-FIVE_MINUTES);
    const call = await tokenRequest(server, { grant_type: 'client_credentials' }, old);
    expect(call.status, JSON.stringify(call.json)).toBe(401);
  });
});

describe('REL-07: two processes on one database with clocks 30 s apart', () => {
  let a: TestServer;
  let b: FastifyInstance;
  let bUrl: string;
  let c1: TestClient;
  let auth: { clientId: string; secret: string };
  beforeAll(async () => {
    a = await startServer();
    await seed(a);
    c1 = await newClient(a);
    auth = { clientId: c1.id, secret: c1.secret ?? '' };
    // Process B: same settings, same database, its clock 30 s ahead of A's.
    b = await buildApp({ config: a.config, store: a.store, now: () => a.now() + 30, sweepIntervalMs: 0 });
    await b.listen({ host: '127.0.0.1', port: 0 });
    bUrl = `http://127.0.0.1:${(b.server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
  });

  /** The same TestServer helpers, talking to B. */
  const onB = (): TestServer => ({ ...a, url: bUrl, now: () => a.now() + 30 });

  it('tokens issued by either process verify on the other, and codes are redeemable across them within their lifetime', async () => {
    const fromA = await tokensFor(a, c1);
    const code = await freshCode(a, c1);
    const redeemedOnB = await redeem(onB(), c1, code.code, code.verifier);
    expectSuccess(redeemedOnB);
    // B's token was issued 30 s "in the future" for A: A accepts it, and B accepts A's.
    await expectActive(a, auth, String(redeemedOnB.json.access_token));
    await expectActive(onB(), auth, fromA.accessToken);
    expectSuccess(await refresh(a, c1, String(redeemedOnB.json.refresh_token)));
  });

  it('once both clocks are past a code’s expiry, both refuse it', async () => {
    const onA = await freshCode(a, c1);
    const forB = await freshCode(a, c1);
    // A's clock: 61 s after issue; B's: 91 s.
    a.advance(61);
    expectError(await redeem(a, c1, onA.code, onA.verifier), 400, 'invalid_grant', /expired/);
    expectError(await redeem(onB(), c1, forB.code, forB.verifier), 400, 'invalid_grant', /expired/);
  });
});
