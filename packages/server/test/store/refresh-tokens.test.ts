// Refresh token rotation and reuse detection (RFC 6749 §6, RFC 9700 §4.14.2).
import { describe, expect, it } from 'vitest';
import type { RefreshToken, TokenFamily } from '../../src/store/index.js';
import { seedParties, useStore } from './temp-store.js';

const store = useStore('refresh');
const GRACE = 2;

let families = 0;
/** A new family with one live token; returns that token's hash and the family id. */
async function issue(overrides: Partial<RefreshToken> = {}, codeHash: string | null = null): Promise<{ hash: string; familyId: string }> {
  families += 1;
  const family: TokenFamily = {
    id: `f${families}`, clientId: 'c1', userId: 'u1', scopes: ['openid', 'offline_access'], codeHash, createdAt: 1_000, revokedAt: null,
  };
  const token: RefreshToken = {
    tokenHash: `t${families}`, familyId: family.id, clientId: 'c1', userId: 'u1', scopes: family.scopes,
    issuedAt: 1_000, expiresAt: 5_000, rotatedAt: null, ...overrides,
  };
  await store().refreshTokens.createFamily(family, token);
  return { hash: token.tokenHash, familyId: family.id };
}

const rotate = (tokenHash: string, now: number, successor: string, clientId = 'c1') =>
  store().refreshTokens.rotate({ tokenHash, clientId, now, graceSeconds: GRACE, successor: { tokenHash: successor, expiresAt: now + 3_600 } });

describe('refreshTokens.rotate', () => {
  it('rotates to the successor, which inherits family, client, user and scopes', async () => {
    await seedParties(store(), ['u1'], ['c1', 'c2']);
    const { hash, familyId } = await issue();
    const result = await rotate(hash, 2_000, `${hash}-next`);
    const successor: RefreshToken = {
      tokenHash: `${hash}-next`, familyId, clientId: 'c1', userId: 'u1', scopes: ['openid', 'offline_access'],
      issuedAt: 2_000, expiresAt: 5_600, rotatedAt: null,
    };
    expect(result).toMatchObject({ outcome: 'rotated', token: successor, family: { id: familyId, revokedAt: null } });
    expect(await store().refreshTokens.find(`${hash}-next`)).toEqual(successor);
    expect((await store().refreshTokens.find(hash))?.rotatedAt).toBe(2_000);
  });

  it('lets exactly one of 20 concurrent rotations rotate; the others get the same successor', async () => {
    const { hash } = await issue();
    const results = await Promise.all(Array.from({ length: 20 }, () => rotate(hash, 2_000, `${hash}-next`)));
    expect(results.filter((r) => r.outcome === 'rotated')).toHaveLength(1);
    const grace = results.filter((r) => r.outcome === 'grace');
    expect(grace).toHaveLength(19);
    for (const r of grace) expect(r.token.tokenHash).toBe(`${hash}-next`);
  });

  it('revokes the family on reuse after the grace window; the successor is then refused too', async () => {
    const { hash, familyId } = await issue();
    expect((await rotate(hash, 2_000, `${hash}-next`)).outcome).toBe('rotated');
    expect((await rotate(hash, 2_000 + GRACE, `${hash}-next`)).outcome).toBe('grace');
    expect(await rotate(hash, 2_001 + GRACE, `${hash}-next`)).toEqual({ outcome: 'reused', familyId });
    expect((await store().refreshTokens.findFamily(familyId))?.revokedAt).toBe(2_001 + GRACE);
    expect(await rotate(`${hash}-next`, 2_010, `${hash}-next-next`)).toEqual({ outcome: 'invalid', reason: 'revoked' });
  });

  it('refuses another client without rotating or revoking', async () => {
    const { hash, familyId } = await issue();
    expect(await rotate(hash, 2_000, `${hash}-stolen`, 'c2')).toEqual({ outcome: 'invalid', reason: 'wrong_client' });
    expect((await store().refreshTokens.find(hash))?.rotatedAt).toBeNull();
    expect(await store().refreshTokens.find(`${hash}-stolen`)).toBeUndefined();
    expect((await store().refreshTokens.findFamily(familyId))?.revokedAt).toBeNull();
    expect((await rotate(hash, 2_001, `${hash}-next`)).outcome).toBe('rotated');
  });

  it('refuses an unknown or expired token', async () => {
    expect(await rotate('t-never', 2_000, 'x')).toEqual({ outcome: 'invalid', reason: 'unknown' });
    const { hash } = await issue({ expiresAt: 2_000 });
    expect(await rotate(hash, 2_000, `${hash}-next`)).toEqual({ outcome: 'invalid', reason: 'expired' });
    expect((await store().refreshTokens.find(hash))?.rotatedAt).toBeNull();
  });
});

describe('revocation', () => {
  it('revokes the families issued from a replayed code, and only those', async () => {
    const fromCode = await issue({}, 'code-hash-1');
    const other = await issue({}, 'code-hash-2');
    await store().refreshTokens.revokeByCode('code-hash-1', 3_000);
    expect((await store().refreshTokens.findFamily(fromCode.familyId))?.revokedAt).toBe(3_000);
    expect((await store().refreshTokens.findFamily(other.familyId))?.revokedAt).toBeNull();
    expect(await rotate(fromCode.hash, 3_001, 'x')).toEqual({ outcome: 'invalid', reason: 'revoked' });
  });

  it('revokeFamily keeps the first revocation time', async () => {
    const { familyId } = await issue();
    await store().refreshTokens.revokeFamily(familyId, 3_000);
    await store().refreshTokens.revokeFamily(familyId, 4_000);
    expect((await store().refreshTokens.findFamily(familyId))?.revokedAt).toBe(3_000);
  });
});
