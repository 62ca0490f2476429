// SEC-59: the same authorization code redeemed concurrently (RFC 6749 §4.1.2, §10.5; RFC 9700
// §4.2.4). The code is consumed by one conditional UPDATE, so exactly one request wins whatever
// the interleaving; the others are a replay (D-3).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seed, startServer, type TestServer } from '../support/server.js';
import { expectError, expectSuccess, freshCode, newClient, redeem, refresh, type TestClient } from './fixtures.js';

const CODES = 5;
const PARALLEL = 20;

let server: TestServer;
let c1: TestClient;
let p1: TestClient;
beforeAll(async () => {
  server = await startServer();
  await seed(server);
  c1 = await newClient(server);
  p1 = await newClient(server, { public: true });
});
afterAll(async () => server.close());

describe('SEC-59 one code, 20 redemptions at once', () => {
  for (const kind of ['confidential', 'public'] as const) {
    it(`gives exactly one 200 and 19 invalid_grant per code, never a 5xx, and revokes the winner's tokens (${kind} client, ${CODES} codes)`, { timeout: 30_000 }, async () => {
      const client = kind === 'confidential' ? c1 : p1;
      for (let round = 0; round < CODES; round += 1) {
        const { code, verifier } = await freshCode(server, client);
        const calls = await Promise.all(Array.from({ length: PARALLEL }, () => redeem(server, client, code, verifier)));
        expect(calls.filter((c) => c.status >= 500)).toEqual([]);
        const winners = calls.filter((c) => c.status === 200);
        expect(winners).toHaveLength(1);
        for (const winner of winners) expectSuccess(winner);
        for (const loser of calls.filter((c) => c.status !== 200)) expectError(loser, 400, 'invalid_grant');
        // D-3: the replays revoke what the winner was issued.
        expectError(await refresh(server, client, String(winners[0]?.json.refresh_token)), 400, 'invalid_grant', /revoked/);
      }
    });
  }
});
