// The access-token checks behind introspection and userinfo (RFC 7009 §2, RFC 7662 §2.2, D-3):
// a listed token, and for a user's token its grant, in one query.
import { describe, expect, it } from 'vitest';
import { seedParties, useStore } from './temp-store.js';

const store = useStore('revocations');

describe('revocations', () => {
  it('answers checks asked at once each on its own (SQLite: one read transaction; PostgreSQL: one statement)', async () => {
    await seedParties(store(), ['u2'], ['c2']);
    const family = (id: string) => ({ id, clientId: 'c2', userId: 'u2', scopes: ['openid'], codeHash: null, createdAt: 1_000, revokedAt: null });
    await store().refreshTokens.createFamily(family('b-live'), null);
    await store().refreshTokens.createFamily(family('b-gone'), null);
    await store().refreshTokens.revokeFamily('b-gone', 1_500);
    await store().revocations.revokeAccessToken('b-listed', 9_000);
    await store().revocations.revokeAccessToken('b-ending', 1_500);
    const answers = await Promise.all([
      store().revocations.isAccessTokenRevoked('b-listed', 2_000),
      store().revocations.isAccessTokenRevoked('b-fine', 2_000),
      // Each check with its own time: the entry counts before its end and not after.
      store().revocations.isAccessTokenRevoked('b-ending', 1_400),
      store().revocations.isAccessTokenRevoked('b-ending', 2_000),
      store().revocations.isAccessTokenOrGrantRevoked('b-fine', 'b-live', 2_000),
      store().revocations.isAccessTokenOrGrantRevoked('b-listed', 'b-live', 2_000),
      store().revocations.isAccessTokenOrGrantRevoked('b-fine', 'b-gone', 2_000),
      store().revocations.isAccessTokenOrGrantRevoked('b-fine', 'b-never', 2_000),
      store().revocations.isAccessTokenOrGrantRevoked('b-ending', 'b-live', 1_400),
    ]);
    expect(answers).toEqual([true, false, true, false, false, true, true, true, true]);
  });

  it("isAccessTokenOrGrantRevoked: a live grant and an unlisted token pass; a listed token, a revoked or an unknown grant do not", async () => {
    await seedParties(store(), ['u1'], ['c1']);
    const family = (id: string) => ({ id, clientId: 'c1', userId: 'u1', scopes: ['openid'], codeHash: null, createdAt: 1_000, revokedAt: null });
    await store().refreshTokens.createFamily(family('g-live'), null);
    await store().refreshTokens.createFamily(family('g-gone'), null);
    await store().refreshTokens.revokeFamily('g-gone', 1_500);
    await store().revocations.revokeAccessToken('j-listed', 9_000);
    await store().revocations.revokeAccessToken('j-expired-entry', 1_500);

    expect(await store().revocations.isAccessTokenOrGrantRevoked('j-fine', 'g-live', 2_000)).toBe(false);
    expect(await store().revocations.isAccessTokenOrGrantRevoked('j-listed', 'g-live', 2_000)).toBe(true);
    expect(await store().revocations.isAccessTokenOrGrantRevoked('j-fine', 'g-gone', 2_000)).toBe(true);
    expect(await store().revocations.isAccessTokenOrGrantRevoked('j-fine', 'g-never', 2_000)).toBe(true);
    // A list entry past its token's expiry no longer counts (the token has expired anyway).
    expect(await store().revocations.isAccessTokenOrGrantRevoked('j-expired-entry', 'g-live', 2_000)).toBe(false);
    expect(await store().revocations.isAccessTokenRevoked('j-listed', 2_000)).toBe(true);
    expect(await store().revocations.isAccessTokenRevoked('j-fine', 2_000)).toBe(false);
  });
});
