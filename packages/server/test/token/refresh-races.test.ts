// SEC-60: the same refresh token used concurrently (RFC 9700 §4.14.2; RFC 6819 §5.2.2.3).
// With the grace window (D-4) every request gets the one successor; without it exactly one
// rotates and the rest are reuse, which ends the family. Never two active tokens in a family.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chainPosition } from '../../src/tokens/refresh-token-format.js';
import { hashSecret } from '../../src/tokens/secrets.js';
import type { TokenCall } from '../support/oauth.js';
import { seed, startServer, type TestServer } from '../support/server.js';
import { expectError, expectSuccess, newClient, refresh, tokensFor, type TestClient } from './fixtures.js';

const PARALLEL = 20;
const ROUNDS = 5;

function expectNo5xx(calls: readonly TokenCall[]): void {
  expect(calls.filter((c) => c.status >= 500).map((c) => c.json)).toEqual([]);
}

describe('SEC-60 with the grace window (LATCHKEY_REFRESH_REUSE_GRACE=2)', () => {
  let server: TestServer;
  let c1: TestClient;
  beforeAll(async () => {
    server = await startServer({ refreshReuseGrace: '2' });
    await seed(server);
    c1 = await newClient(server);
  });
  afterAll(async () => server.close());

  it('20 concurrent refreshes of one token all succeed with one identical successor, which then works', { timeout: 30_000 }, async () => {
    for (let round = 0; round < ROUNDS; round += 1) {
      const { refreshToken } = await tokensFor(server, c1);
      const calls = await Promise.all(Array.from({ length: PARALLEL }, () => refresh(server, c1, refreshToken)));
      expectNo5xx(calls);
      for (const call of calls) expectSuccess(call);
      const successors = new Set(calls.map((c) => c.json.refresh_token));
      expect(successors.size).toBe(1);
      const [successor] = [...successors];
      expect(successor).not.toBe(refreshToken);
      expectSuccess(await refresh(server, c1, String(successor)));
    }
  });
});

describe('SEC-60 without a grace window (LATCHKEY_REFRESH_REUSE_GRACE=0)', () => {
  let server: TestServer;
  let c1: TestClient;
  beforeAll(async () => {
    server = await startServer({ refreshReuseGrace: '0' });
    await seed(server);
    c1 = await newClient(server);
  });
  afterAll(async () => server.close());

  it('a token presented again, even in the same second, is reuse: invalid_grant and the family is revoked', async () => {
    const { refreshToken } = await tokensFor(server, c1);
    const first = await refresh(server, c1, refreshToken);
    expectSuccess(first);
    expectError(await refresh(server, c1, refreshToken), 400, 'invalid_grant', /already used/);
    expectError(await refresh(server, c1, String(first.json.refresh_token)), 400, 'invalid_grant', /revoked/);
  });

  it('20 concurrent refreshes: exactly one 200, the rest invalid_grant, and never two active tokens', { timeout: 30_000 }, async () => {
    for (let round = 0; round < ROUNDS; round += 1) {
      const { refreshToken } = await tokensFor(server, c1);
      const calls = await Promise.all(Array.from({ length: PARALLEL }, () => refresh(server, c1, refreshToken)));
      expectNo5xx(calls);
      const winners = calls.filter((c) => c.status === 200);
      expect(winners).toHaveLength(1);
      for (const loser of calls.filter((c) => c.status !== 200)) expectError(loser, 400, 'invalid_grant');

      const successor = String(winners[0]?.json.refresh_token);
      const stored = await server.store.refreshTokens.find(hashSecret(successor), chainPosition(successor));
      const family = await server.store.refreshTokens.findFamily(stored?.familyId ?? '');
      expect(family).toBeDefined();
      // The presented token is spent either way; the successor works only if the family survived.
      expect((await server.store.refreshTokens.find(hashSecret(refreshToken), chainPosition(refreshToken)))?.rotatedAt).not.toBeNull();
      const after = await refresh(server, c1, successor);
      if (family?.revokedAt === null) expectSuccess(after);
      else expectError(after, 400, 'invalid_grant', /revoked/);
    }
  });
});
