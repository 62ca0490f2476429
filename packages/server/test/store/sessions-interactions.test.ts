import { describe, expect, it } from 'vitest';
import type { Interaction, Session } from '../../src/store/index.js';
import { seedParties, useStore } from './temp-store.js';

const store = useStore('sessions');

const session = (idHash: string, expiresAt: number): Session => ({
  idHash,
  userId: 'u1',
  csrfToken: 'csrf',
  authTime: 1_000,
  createdAt: 1_000,
  expiresAt,
});

const interaction = (idHash: string, expiresAt: number): Interaction => ({
  idHash,
  sessionIdHash: 's-anon',
  request: {
    clientId: 'c1',
    redirectUri: 'https://app.example/cb',
    redirectUriSent: false,
    scopes: ['openid'],
    state: 'xyz',
    codeChallenge: 'challenge',
    codeChallengeMethod: 'S256',
    nonce: null,
    prompt: ['consent'],
    maxAge: null,
  },
  createdAt: 1_000,
  expiresAt,
  completedAt: null,
});

describe('sessions', () => {
  it('finds a live session, not an expired or deleted one', async () => {
    await seedParties(store(), ['u1'], []);
    await store().sessions.create(session('s-live', 2_000));
    await store().sessions.create({ ...session('s-anon', 2_000), userId: null, authTime: null });
    expect(await store().sessions.find('s-live', 1_999)).toEqual(session('s-live', 2_000));
    expect((await store().sessions.find('s-anon', 1_500))?.userId).toBeNull();
    expect(await store().sessions.find('s-live', 2_000)).toBeUndefined();
    await store().sessions.delete('s-live');
    expect(await store().sessions.find('s-live', 1_500)).toBeUndefined();
  });
});

describe('interactions', () => {
  it('finds a pending interaction with its request, not an expired one', async () => {
    await store().interactions.create(interaction('i-1', 1_600));
    expect(await store().interactions.find('i-1', 1_599)).toEqual(interaction('i-1', 1_600));
    expect(await store().interactions.find('i-1', 1_600)).toBeUndefined();
  });

  it('moves to the session created at login', async () => {
    await store().interactions.create(interaction('i-2', 1_600));
    await store().interactions.rebind('i-2', 's-user');
    expect((await store().interactions.find('i-2', 1_100))?.sessionIdHash).toBe('s-user');
  });

  it('completes for exactly one of 20 concurrent callers, and is not found afterwards', async () => {
    await store().interactions.create(interaction('i-race', 1_600));
    const results = await Promise.all(Array.from({ length: 20 }, () => store().interactions.complete('i-race', 1_100)));
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(await store().interactions.find('i-race', 1_100)).toBeUndefined();
    expect(await store().interactions.complete('i-race', 1_200)).toBe(false);
  });
});
