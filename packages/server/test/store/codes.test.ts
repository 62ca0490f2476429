// RFC 6749 §4.1.2: an authorization code is single use, whatever the concurrency.
import { describe, expect, it } from 'vitest';
import type { AuthorizationCode } from '../../src/store/index.js';
import { seedParties, useStore } from './temp-store.js';

const store = useStore('codes');

function code(codeHash: string): AuthorizationCode {
  return {
    codeHash,
    clientId: 'c1',
    userId: 'u1',
    redirectUri: 'https://app.example/cb',
    redirectUriSent: true,
    scopes: ['openid', 'profile'],
    codeChallenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
    codeChallengeMethod: 'S256',
    nonce: 'n-0S6_WzA2Mj',
    authTime: 990,
    createdAt: 1_000,
    expiresAt: 1_060,
    consumedAt: null,
  };
}

describe('codes.consume', () => {
  it('consumes once, then reports reuse with the stored code', async () => {
    await seedParties(store(), ['u1'], ['c1']);
    await store().codes.create(code('h-once'));
    expect(await store().codes.consume('h-once', 1_010)).toEqual({ outcome: 'consumed', code: { ...code('h-once'), consumedAt: 1_010 } });
    expect(await store().codes.consume('h-once', 1_020)).toEqual({ outcome: 'reused', code: { ...code('h-once'), consumedAt: 1_010 } });
  });

  it('answers unknown for a code never issued', async () => {
    expect(await store().codes.consume('h-never', 1_010)).toEqual({ outcome: 'unknown' });
  });

  it('gives exactly one of 20 concurrent consumers the code', async () => {
    await store().codes.create(code('h-race'));
    const results = await Promise.all(Array.from({ length: 20 }, () => store().codes.consume('h-race', 1_010)));
    expect(results.filter((r) => r.outcome === 'consumed')).toHaveLength(1);
    expect(results.filter((r) => r.outcome === 'reused')).toHaveLength(19);
  });
});
