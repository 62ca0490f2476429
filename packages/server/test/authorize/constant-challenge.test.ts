// SEC-06 (g), RFC 9700 §2.1.1: "detect constant challenges" is encouraged. A client that sends
// the same code_challenge again reuses its code_verifier, which then protects nothing once it
// leaks. Latchkey flags it in the log for the operator (and still completes the sign-in, so a
// user retrying never gets stuck); a fresh challenge per request is never flagged.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pkce } from '../support/oauth.js';
import { authz, expectCodeRedirect, flow, startFixture, type Fixture } from './fixtures.js';

let f: Fixture;
beforeAll(async () => {
  f = await startFixture();
});
afterAll(async () => f.server.close());

const flagged = (clientId: string): string[] => f.server.logs.filter((line) => line.includes('code_challenge reused') && line.includes(clientId));

describe('SEC-06 (g): a constant PKCE challenge', () => {
  it('is flagged from its second use by the same client; fresh challenges are not', async () => {
    for (let i = 0; i < 3; i += 1) {
      const page = await flow(f, authz(f, f.p1, { code_challenge: pkce().challenge }));
      expectCodeRedirect(f, page, { redirectUri: 'https://p1.example/cb', state: 'S1' });
    }
    expect(flagged(f.p1.id)).toEqual([]);

    const constant = pkce().challenge;
    for (let i = 0; i < 3; i += 1) {
      const page = await flow(f, authz(f, f.p1, { code_challenge: constant }));
      expectCodeRedirect(f, page, { redirectUri: 'https://p1.example/cb', state: 'S1' });
    }
    expect(flagged(f.p1.id)).toHaveLength(2);
  });

  it('is per client: another client using the same challenge once is not flagged', async () => {
    const shared = pkce().challenge;
    expectCodeRedirect(f, await flow(f, authz(f, f.c1, { code_challenge: shared })), { redirectUri: 'https://c1.example/cb', state: 'S1' });
    expectCodeRedirect(f, await flow(f, authz(f, f.c2, { code_challenge: shared })), { redirectUri: 'https://c2.example/cb', state: 'S1' });
    expect(flagged(f.c1.id)).toEqual([]);
    expect(flagged(f.c2.id)).toEqual([]);
  });
});
