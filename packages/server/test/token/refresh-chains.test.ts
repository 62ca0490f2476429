// Refresh tokens on chains (issue 9, migration 003): a token names its family's chain and its
// generation, so a rotation updates the family's row in one statement. What that must not change:
// RFC 9700 §4.14.2 reuse detection, D-3, D-4, SEC-23 (token characters, entropy), and tokens
// issued before chains keep working.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chainPosition } from '../../src/tokens/refresh-token-format.js';
import { hashSecret, randomToken } from '../../src/tokens/secrets.js';
import { seed, startServer, type TestServer } from '../support/server.js';
import { expectError, expectSuccess, newClient, refresh, tokensFor, type TestClient } from './fixtures.js';

let server: TestServer;
let c1: TestClient;
beforeAll(async () => {
  server = await startServer({ refreshReuseGrace: '2' });
  await seed(server);
  c1 = await newClient(server);
});
afterAll(async () => server.close());

async function next(token: string): Promise<string> {
  const call = await refresh(server, c1, token);
  expectSuccess(call);
  return String(call.json.refresh_token);
}

describe('the chain a refresh token names', () => {
  it('keeps the chain and counts the generation; every token is base64url characters only (SEC-23)', async () => {
    const { refreshToken: rt0 } = await tokensFor(server, c1);
    const rt1 = await next(rt0);
    const rt2 = await next(rt1);
    const positions = [rt0, rt1, rt2].map(chainPosition);
    expect(positions.map((p) => p?.generation)).toEqual([0, 1, 2]);
    expect(new Set(positions.map((p) => p?.chain)).size).toBe(1);
    // 22 characters of chain (128 random bits) + 43 of secret (256 bits) + the generation.
    for (const token of [rt0, rt1, rt2]) expect(token).toMatch(/^[A-Za-z0-9_-]{66,}$/);
    // Another authorization, another chain.
    const { refreshToken: other } = await tokensFor(server, c1);
    expect(chainPosition(other)?.chain).not.toBe(positions[0]?.chain);
  });

  it('is not the grant id that access tokens show (knowing a grant id names no chain)', async () => {
    const { refreshToken, accessToken } = await tokensFor(server, c1);
    const [, payload = ''] = accessToken.split('.');
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { grant_id?: string };
    expect(claims.grant_id).toBeDefined();
    expect(refreshToken.includes(String(claims.grant_id))).toBe(false);
  });

  it('a string naming a live chain that is not its token is reuse: the family is revoked (RFC 9700 §4.14.2)', async () => {
    const { refreshToken: rt0 } = await tokensFor(server, c1);
    const rt1 = await next(rt0);
    const at = chainPosition(rt1);
    // The current generation with another secret: only a holder of one of its tokens knows the chain.
    const forged = `${at?.chain}${randomToken()}${at?.generation}`;
    expectError(await refresh(server, c1, forged), 400, 'invalid_grant', /already used.*revoked/);
    expectError(await refresh(server, c1, rt1), 400, 'invalid_grant', /revoked/);
  });

  it('a token naming no chain is invalid_grant and revokes nothing', async () => {
    const { refreshToken: rt0 } = await tokensFor(server, c1);
    expectError(await refresh(server, c1, `${randomToken(16)}${randomToken()}0`), 400, 'invalid_grant', /not valid/);
    await next(rt0);
  });
});

describe('a refresh token issued before chains (a refresh_tokens row)', () => {
  /** A family with one token stored the way tokens were before migration 003. */
  async function unchainedToken(): Promise<string> {
    const token = randomToken();
    const familyId = randomToken(16);
    const alice = await server.store.users.findByUsernameKey('alice');
    const now = server.now();
    const family = { id: familyId, clientId: c1.id, userId: alice?.id ?? '', scopes: ['openid'], codeHash: null, createdAt: now, revokedAt: null };
    await server.store.refreshTokens.createFamily(family, {
      tokenHash: hashSecret(token), familyId, clientId: c1.id, userId: family.userId, scopes: ['openid'], issuedAt: now, expiresAt: now + 3_600, rotatedAt: null,
    });
    return token;
  }

  it('refreshes once onto a chain that then rotates as usual; within the window, again, the same successor (D-4)', async () => {
    const old = await unchainedToken();
    expect(chainPosition(old)).toBeUndefined();
    const first = await next(old);
    expect(chainPosition(first)?.generation).toBe(1);
    expect(await next(old)).toBe(first);
    const second = await next(first);
    expect(chainPosition(second)).toEqual({ chain: chainPosition(first)?.chain, generation: 2 });
  });

  it('presented again after the window, revokes the family and its chain (D-3)', async () => {
    const old = await unchainedToken();
    const first = await next(old);
    server.advance(3);
    expectError(await refresh(server, c1, old), 400, 'invalid_grant', /already used.*revoked/);
    expectError(await refresh(server, c1, first), 400, 'invalid_grant', /revoked/);
  });
});
