// SEC-44 (c): an access token is refused once it expires, and the answer says so, so the client
// knows to refresh. The server issues one-second tokens (LATCHKEY_ACCESS_TOKEN_TTL=1).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALICE, startIssuer, type Issuer } from '../../../packages/resource/test/support/issuer.js';
import { call, startApi, type RunningApi } from './support.js';

let issuer: Issuer;
let api: RunningApi;

beforeAll(async () => {
  issuer = await startIssuer({ accessTokenTtl: '1' });
  // One second of clock skew allowed here (the default is 5), so the test waits only briefly.
  api = await startApi(issuer, { verifier: { clockTolerance: 1 } });
});
afterAll(async () => {
  await api.close();
  await issuer.close();
});

describe('an expired access token', () => {
  it('is accepted while fresh and refused with "expired" once its second (and the skew) is over', async () => {
    const token = await issuer.token(ALICE, 'calendar.read');
    const { exp, iat } = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString()) as { exp: number; iat: number };
    expect(exp - iat).toBe(1);
    expect((await call(api, 'GET', '/calendar/events', { token })).status).toBe(200);
    // Past exp plus the tolerance.
    await new Promise((resolve) => setTimeout(resolve, (exp + 1) * 1000 - Date.now() + 100));
    const response = await call(api, 'GET', '/calendar/events', { token });
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toMatch(/error="invalid_token", error_description="the access token expired at [^"]+; get a new one \(refresh it\)"$/);
  });
});
