// Refresh token rotation and reuse detection (RFC 6749 §6, RFC 9700 §4.14.2), on chains (a
// family's current token in its row, migration 003) and for tokens from before chains.
import { describe, expect, it } from 'vitest';
import type { ChainPosition, RefreshToken, TokenFamily } from '../../src/store/index.js';
import { seedParties, useStore } from './temp-store.js';

const store = useStore('refresh');
const GRACE = 2;

let families = 0;
function newFamily(codeHash: string | null = null): TokenFamily {
  families += 1;
  return { id: `f${families}`, clientId: 'c1', userId: 'u1', scopes: ['openid', 'offline_access'], codeHash, createdAt: 1_000, revokedAt: null };
}

/** A new family whose first token is generation 0 of chain `ch<n>`, hash `t<n>`. */
async function issue(options: { expiresAt?: number; codeHash?: string | null } = {}): Promise<{ hash: string; familyId: string; at: ChainPosition }> {
  const family = newFamily(options.codeHash ?? null);
  const at = { chain: `ch${families}`, generation: 0 };
  await store().refreshTokens.createFamily(family, { chain: at.chain, tokenHash: `t${families}`, issuedAt: 1_000, expiresAt: options.expiresAt ?? 5_000 });
  return { hash: `t${families}`, familyId: family.id, at };
}

const next = (at: ChainPosition): ChainPosition => ({ chain: at.chain, generation: at.generation + 1 });

const rotate = (tokenHash: string, at: ChainPosition, now: number, successor: string, options: { clientId?: string; scopes?: string[]; familyLifetime?: number } = {}) =>
  store().refreshTokens.rotate({
    tokenHash,
    at,
    clientId: options.clientId ?? 'c1',
    now,
    graceSeconds: GRACE,
    successor: { tokenHash: successor, expiresAt: now + 3_600, chain: at.chain },
    ...(options.scopes === undefined ? {} : { scopes: options.scopes }),
    ...(options.familyLifetime === undefined ? {} : { familyLifetime: options.familyLifetime }),
  });

describe('refreshTokens.rotate, on a chain', () => {
  it('rotates to the successor, which inherits family, client, user and scopes', async () => {
    await seedParties(store(), ['u1'], ['c1', 'c2']);
    const { hash, familyId, at } = await issue();
    const result = await rotate(hash, at, 2_000, `${hash}-next`);
    const successor: RefreshToken = {
      tokenHash: `${hash}-next`, familyId, clientId: 'c1', userId: 'u1', scopes: ['openid', 'offline_access'],
      issuedAt: 2_000, expiresAt: 5_600, rotatedAt: null,
    };
    expect(result).toMatchObject({ outcome: 'rotated', token: successor, family: { id: familyId, revokedAt: null } });
    expect(await store().refreshTokens.find(`${hash}-next`, next(at))).toEqual(successor);
    expect(await store().refreshTokens.find(hash, at)).toMatchObject({ familyId, rotatedAt: 2_000 });
    // The successor rotates in turn.
    expect(await rotate(`${hash}-next`, next(at), 2_100, `${hash}-next-next`)).toMatchObject({ outcome: 'rotated', token: { tokenHash: `${hash}-next-next` } });
  });

  it('lets exactly one of 20 concurrent rotations rotate; the others get the same successor', async () => {
    const { hash, at } = await issue();
    const results = await Promise.all(Array.from({ length: 20 }, () => rotate(hash, at, 2_000, `${hash}-next`)));
    expect(results.filter((r) => r.outcome === 'rotated')).toHaveLength(1);
    const grace = results.filter((r) => r.outcome === 'grace');
    expect(grace).toHaveLength(19);
    for (const r of grace) expect(r.token.tokenHash).toBe(`${hash}-next`);
  });

  it('answers each of several rotations asked at once on their own (SQLite runs them in one transaction, PostgreSQL in one statement)', async () => {
    const a = await issue();
    const b = await issue();
    const old = await issue();
    await rotate(old.hash, old.at, 2_000, `${old.hash}-next`);
    const other = await issue();
    const [ra, reused, rb, refused, retried] = await Promise.all([
      rotate(a.hash, a.at, 4_000, `${a.hash}-next`),
      rotate(old.hash, old.at, 4_000, `${old.hash}-next`),
      rotate(b.hash, b.at, 4_000, `${b.hash}-next`),
      rotate(other.hash, other.at, 4_000, `${other.hash}-next`, { clientId: 'c2' }),
      rotate(a.hash, a.at, 4_000, `${a.hash}-next`),
    ]);
    expect(ra).toMatchObject({ outcome: 'rotated', token: { tokenHash: `${a.hash}-next`, familyId: a.familyId } });
    expect(rb).toMatchObject({ outcome: 'rotated', token: { tokenHash: `${b.hash}-next`, familyId: b.familyId } });
    // Past the grace window: reuse ends the family. Another client: refused, nothing written.
    expect(reused).toEqual({ outcome: 'reused', familyId: old.familyId });
    expect(refused).toEqual({ outcome: 'invalid', reason: 'wrong_client' });
    // The same token twice at once: rotated once, the other answered as a retry.
    expect(retried).toMatchObject({ outcome: 'grace', token: { tokenHash: `${a.hash}-next` } });
    expect((await store().refreshTokens.findFamily(old.familyId))?.revokedAt).toBe(4_000);
    expect(await rotate(other.hash, other.at, 4_001, `${other.hash}-next`)).toMatchObject({ outcome: 'rotated' });
  });

  it('gives each rotation asked at once its own times and limit (SQLite: one transaction; PostgreSQL: one statement)', async () => {
    const a = await issue();
    const b = await issue();
    const c = await issue();
    const [capped, plain, later] = await Promise.all([
      // D-7: the family's absolute limit (createdAt 1,000 + 1,500) ends it before the idle one.
      rotate(a.hash, a.at, 2_000, 'capped-next', { familyLifetime: 1_500 }),
      rotate(b.hash, b.at, 2_001, 'plain-next'),
      rotate(c.hash, c.at, 2_002, 'later-next', { familyLifetime: 100_000 }),
    ]);
    expect(capped).toMatchObject({ outcome: 'rotated', token: { tokenHash: 'capped-next', familyId: a.familyId, issuedAt: 2_000, expiresAt: 2_500 } });
    expect(plain).toMatchObject({ outcome: 'rotated', token: { tokenHash: 'plain-next', familyId: b.familyId, issuedAt: 2_001, expiresAt: 5_601 } });
    expect(later).toMatchObject({ outcome: 'rotated', token: { tokenHash: 'later-next', familyId: c.familyId, issuedAt: 2_002, expiresAt: 5_602 } });
    // As stored, not only as answered.
    expect(await store().refreshTokens.find('capped-next', next(a.at))).toMatchObject({ familyId: a.familyId, issuedAt: 2_000, expiresAt: 2_500 });
    expect(await store().refreshTokens.find('later-next', next(c.at))).toMatchObject({ familyId: c.familyId, issuedAt: 2_002, expiresAt: 5_602 });
  });

  it('revokes the family on reuse after the grace window; the successor is then refused too', async () => {
    const { hash, familyId, at } = await issue();
    expect((await rotate(hash, at, 2_000, `${hash}-next`)).outcome).toBe('rotated');
    expect((await rotate(hash, at, 2_000 + GRACE, `${hash}-next`)).outcome).toBe('grace');
    expect(await rotate(hash, at, 2_001 + GRACE, `${hash}-next`)).toEqual({ outcome: 'reused', familyId });
    expect((await store().refreshTokens.findFamily(familyId))?.revokedAt).toBe(2_001 + GRACE);
    expect(await rotate(`${hash}-next`, next(at), 2_010, `${hash}-next-next`)).toEqual({ outcome: 'invalid', reason: 'revoked' });
  });

  it('treats a token two generations back as reuse, even within the grace window', async () => {
    const { hash, familyId, at } = await issue();
    await rotate(hash, at, 2_000, `${hash}-1`);
    await rotate(`${hash}-1`, next(at), 2_000, `${hash}-2`);
    expect(await rotate(hash, at, 2_001, `${hash}-1`)).toEqual({ outcome: 'reused', familyId });
  });

  it('treats a string naming the chain that is not its token as reuse: only a holder knows the chain', async () => {
    const { familyId, at } = await issue();
    // The current generation with a wrong secret, and the previous one whose successor does not match.
    expect(await rotate('forged', at, 2_000, 'forged-next')).toEqual({ outcome: 'reused', familyId });
    const second = await issue();
    await rotate(second.hash, second.at, 2_000, `${second.hash}-next`);
    expect(await rotate('forged', second.at, 2_001, 'not-the-successor')).toEqual({ outcome: 'reused', familyId: second.familyId });
  });

  it('refuses another client without rotating or revoking', async () => {
    const { hash, familyId, at } = await issue();
    expect(await rotate(hash, at, 2_000, `${hash}-stolen`, { clientId: 'c2' })).toEqual({ outcome: 'invalid', reason: 'wrong_client' });
    expect((await store().refreshTokens.find(hash, at))?.rotatedAt).toBeNull();
    expect(await store().refreshTokens.find(`${hash}-stolen`, next(at))).toMatchObject({ rotatedAt: 1_000 });
    expect((await store().refreshTokens.findFamily(familyId))?.revokedAt).toBeNull();
    expect((await rotate(hash, at, 2_001, `${hash}-next`)).outcome).toBe('rotated');
  });

  it('refuses an unknown chain, and an expired token without rotating it', async () => {
    expect(await rotate('t-never', { chain: 'ch-never', generation: 0 }, 2_000, 'x')).toEqual({ outcome: 'invalid', reason: 'unknown' });
    expect(await store().refreshTokens.find('t-never', { chain: 'ch-never', generation: 0 })).toBeUndefined();
    const { hash, at } = await issue({ expiresAt: 2_000 });
    expect(await rotate(hash, at, 2_000, `${hash}-next`)).toEqual({ outcome: 'invalid', reason: 'expired' });
    expect((await store().refreshTokens.find(hash, at))?.rotatedAt).toBeNull();
  });

  it('refuses a widened scope without rotating; a narrowed one rotates and the token keeps its scopes', async () => {
    const { hash, at } = await issue();
    expect(await rotate(hash, at, 2_000, `${hash}-next`, { scopes: ['openid', 'api.write'] })).toEqual({ outcome: 'widened', scopes: ['api.write'] });
    expect((await store().refreshTokens.find(hash, at))?.rotatedAt).toBeNull();
    expect(await rotate(hash, at, 2_001, `${hash}-next`, { scopes: ['openid'] })).toMatchObject({ outcome: 'rotated', token: { scopes: ['openid', 'offline_access'] } });
  });

  it('ends the successor at the family limit (createdAt + familyLifetime) when that comes first (D-7)', async () => {
    const { hash, at } = await issue();
    expect(await rotate(hash, at, 2_000, `${hash}-next`, { familyLifetime: 2_500 })).toMatchObject({ outcome: 'rotated', token: { expiresAt: 3_500 } });
    expect(await store().refreshTokens.find(`${hash}-next`, next(at))).toMatchObject({ expiresAt: 3_500 });
    expect(await rotate(`${hash}-next`, next(at), 2_100, `${hash}-next-next`, { familyLifetime: 1_000_000 })).toMatchObject({ token: { expiresAt: 5_700 } });
  });
});

describe('refreshTokens.rotate, a token from before chains', () => {
  /** A family with one refresh_tokens row, as tokens were stored before migration 003. */
  async function issueUnchained(overrides: Partial<RefreshToken> = {}): Promise<{ hash: string; familyId: string }> {
    const family = newFamily();
    const token: RefreshToken = {
      tokenHash: `old${families}`, familyId: family.id, clientId: 'c1', userId: 'u1', scopes: family.scopes,
      issuedAt: 1_000, expiresAt: 5_000, rotatedAt: null, ...overrides,
    };
    await store().refreshTokens.createFamily(family, token);
    return { hash: token.tokenHash, familyId: family.id };
  }
  const rotateUnchained = (tokenHash: string, now: number, successor: string, chain: string, clientId = 'c1') =>
    store().refreshTokens.rotate({ tokenHash, clientId, now, graceSeconds: GRACE, successor: { tokenHash: successor, expiresAt: now + 3_600, chain } });

  it('rotates once, starting the family chain with the successor, which then rotates on the chain', async () => {
    const { hash, familyId } = await issueUnchained();
    const chain = `ch-from-${hash}`;
    const results = await Promise.all(Array.from({ length: 10 }, () => rotateUnchained(hash, 2_000, `${hash}-next`, chain)));
    expect(results.filter((r) => r.outcome === 'rotated')).toHaveLength(1);
    expect(results.filter((r) => r.outcome === 'grace')).toHaveLength(9);
    expect(await store().refreshTokens.find(`${hash}-next`, { chain, generation: 1 })).toMatchObject({ familyId, rotatedAt: null, expiresAt: 5_600 });
    expect((await store().refreshTokens.find(hash))?.rotatedAt).toBe(2_000);
    expect((await rotate(`${hash}-next`, { chain, generation: 1 }, 2_010, `${hash}-next-next`)).outcome).toBe('rotated');
  });

  it('findWithFamily answers such a token with its family in one read', async () => {
    const { hash, familyId } = await issueUnchained();
    const found = await store().refreshTokens.findWithFamily(hash);
    expect(found?.token).toEqual(await store().refreshTokens.find(hash));
    expect(found?.family).toEqual(await store().refreshTokens.findFamily(familyId));
  });

  it('revokes the family on reuse after the grace window', async () => {
    const { hash, familyId } = await issueUnchained();
    await rotateUnchained(hash, 2_000, `${hash}-next`, `ch-from-${hash}`);
    expect(await rotateUnchained(hash, 2_001 + GRACE, `${hash}-next`, `ch-from-${hash}`)).toEqual({ outcome: 'reused', familyId });
    expect(await rotate(`${hash}-next`, { chain: `ch-from-${hash}`, generation: 1 }, 2_010, 'x')).toEqual({ outcome: 'invalid', reason: 'revoked' });
  });

  it('refuses an unknown, expired or another client’s token without rotating', async () => {
    expect(await rotateUnchained('old-never', 2_000, 'x', 'ch-x')).toEqual({ outcome: 'invalid', reason: 'unknown' });
    const expired = await issueUnchained({ expiresAt: 2_000 });
    expect(await rotateUnchained(expired.hash, 2_000, 'x', 'ch-y')).toEqual({ outcome: 'invalid', reason: 'expired' });
    const other = await issueUnchained();
    expect(await rotateUnchained(other.hash, 2_000, 'x', 'ch-z', 'c2')).toEqual({ outcome: 'invalid', reason: 'wrong_client' });
    expect((await store().refreshTokens.find(other.hash))?.rotatedAt).toBeNull();
  });
});

describe('revocation', () => {
  it('revokes the families issued from a replayed code, and only those', async () => {
    const fromCode = await issue({ codeHash: 'code-hash-1' });
    const other = await issue({ codeHash: 'code-hash-2' });
    await store().refreshTokens.revokeByCode('code-hash-1', 3_000);
    expect((await store().refreshTokens.findFamily(fromCode.familyId))?.revokedAt).toBe(3_000);
    expect((await store().refreshTokens.findFamily(other.familyId))?.revokedAt).toBeNull();
    expect(await rotate(fromCode.hash, fromCode.at, 3_001, 'x')).toEqual({ outcome: 'invalid', reason: 'revoked' });
  });

  it('revokeFamily keeps the first revocation time', async () => {
    const { familyId } = await issue();
    await store().refreshTokens.revokeFamily(familyId, 3_000);
    await store().refreshTokens.revokeFamily(familyId, 4_000);
    expect((await store().refreshTokens.findFamily(familyId))?.revokedAt).toBe(3_000);
  });
});

describe('refreshTokens.findWithFamily', () => {
  it('answers the token with its family, as find and findFamily would, on a chain and off it', async () => {
    const { hash, familyId, at } = await issue();
    await rotate(hash, at, 2_000, `${hash}-next`);
    await store().refreshTokens.revokeFamily(familyId, 3_000);
    for (const [tokenHash, position] of [[`${hash}-next`, next(at)], [hash, at]] as const) {
      const found = await store().refreshTokens.findWithFamily(tokenHash, position);
      expect(found?.token).toEqual(await store().refreshTokens.find(tokenHash, position));
      expect(found?.family).toEqual(await store().refreshTokens.findFamily(familyId));
      expect(found?.family.revokedAt).toBe(3_000);
    }
    expect((await store().refreshTokens.findWithFamily(hash, at))?.token.rotatedAt).toBe(2_000);
    expect(await store().refreshTokens.findWithFamily('t-never', { chain: 'ch-never', generation: 0 })).toBeUndefined();
    expect(await store().refreshTokens.findWithFamily('t-never')).toBeUndefined();
  });
});
