// Key rotation on the authorization server is followed without restarting the API: a token signed
// with a new `kid` makes the API fetch the key set again (at most once per cooldown).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALICE, headerOf, startIssuer, type Issuer } from '../../../packages/resource/test/support/issuer.js';
import { call, startApi, type RunningApi } from './support.js';

let issuer: Issuer;
let api: RunningApi;

beforeAll(async () => {
  issuer = await startIssuer();
  // A short cooldown keeps the test short; the default is 30 s.
  api = await startApi(issuer, { verifier: { jwksCooldown: 1 } });
});
afterAll(async () => {
  await api.close();
  await issuer.close();
});

describe('signing key rotation', () => {
  it('verifies a token signed with the new key, with no restart of the API', { timeout: 20_000 }, async () => {
    const before = await issuer.token(ALICE, 'calendar.read');
    expect((await call(api, 'GET', '/calendar/events', { token: before })).status).toBe(200);

    const kid = await issuer.rotateKeys();
    // The authorization server reads its keys from the database at most every 5 s.
    await new Promise((resolve) => setTimeout(resolve, 5_500));
    const after = await issuer.token(ALICE, 'calendar.read');
    expect(headerOf(after).kid).toBe(kid);
    expect(headerOf(after).kid).not.toBe(headerOf(before).kid);

    const response = await call(api, 'GET', '/calendar/events', { token: after });
    expect(response.status).toBe(200);
    expect(response.json).toEqual({ events: [] });
  });
});
