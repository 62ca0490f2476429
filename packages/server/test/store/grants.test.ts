import { describe, expect, it } from 'vitest';
import type { RefreshToken, TokenFamily } from '../../src/store/index.js';
import { seedParties, useStore } from './temp-store.js';

const store = useStore('grants');

const family = (id: string, userId: string, clientId: string): TokenFamily => ({
  id,
  clientId,
  userId,
  scopes: ['openid', 'offline_access'],
  codeHash: null,
  createdAt: 1_000,
  revokedAt: null,
});

const token = (tokenHash: string, f: TokenFamily): RefreshToken => ({
  tokenHash,
  familyId: f.id,
  clientId: f.clientId,
  userId: f.userId,
  scopes: f.scopes,
  issuedAt: 1_000,
  expiresAt: 9_000,
  rotatedAt: null,
});

describe('grants.addScopes', () => {
  it('creates the grant, then adds to it without duplicates, keeping its creation time', async () => {
    await seedParties(store(), ['u1', 'u2'], ['c1', 'c2']);
    expect(await store().grants.addScopes('u1', 'c1', ['openid', 'profile', 'openid'], 1_000)).toEqual({
      userId: 'u1', clientId: 'c1', scopes: ['openid', 'profile'], createdAt: 1_000, updatedAt: 1_000,
    });
    const grown = await store().grants.addScopes('u1', 'c1', ['email', 'profile'], 1_500);
    expect(grown).toEqual({ userId: 'u1', clientId: 'c1', scopes: ['openid', 'profile', 'email'], createdAt: 1_000, updatedAt: 1_500 });
    expect(await store().grants.find('u1', 'c1')).toEqual(grown);
    expect(await store().grants.find('u1', 'c2')).toBeUndefined();
  });

  it('loses no scope when consents for the same pair arrive concurrently', async () => {
    const scopes = Array.from({ length: 10 }, (_, i) => `s${i}`);
    await Promise.all(scopes.map((scope, i) => store().grants.addScopes('u2', 'c2', [scope], 2_000 + i)));
    expect((await store().grants.find('u2', 'c2'))?.scopes.sort()).toEqual(scopes);
  });
});

describe('grants.remove', () => {
  it('deletes the grant and revokes the token families of that user and client only', async () => {
    await store().grants.addScopes('u1', 'c2', ['openid'], 1_000);
    const mine = family('f-u1-c1', 'u1', 'c1');
    const otherClient = family('f-u1-c2', 'u1', 'c2');
    const otherUser = family('f-u2-c1', 'u2', 'c1');
    for (const f of [mine, otherClient, otherUser]) await store().refreshTokens.createFamily(f, token(`t-${f.id}`, f));

    expect(await store().grants.remove('u1', 'c1', 3_000)).toBe(true);
    expect(await store().grants.find('u1', 'c1')).toBeUndefined();
    expect((await store().refreshTokens.findFamily(mine.id))?.revokedAt).toBe(3_000);
    expect((await store().refreshTokens.findFamily(otherClient.id))?.revokedAt).toBeNull();
    expect((await store().refreshTokens.findFamily(otherUser.id))?.revokedAt).toBeNull();
    expect(await store().grants.find('u1', 'c2')).toBeDefined();
  });

  it('answers false when there was no grant', async () => {
    expect(await store().grants.remove('u1', 'c1', 3_100)).toBe(false);
  });
});
