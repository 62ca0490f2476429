// The periodic sweep (issue 7): expired rows go, live ones stay, and running it from many
// processes at once is harmless.
import { describe, expect, it } from 'vitest';
import { seedParties, useStore } from './temp-store.js';

const store = useStore('sweeper');

describe('store.sweep', () => {
  it('deletes expired sessions, tokens and revocation entries, and keeps live ones', async () => {
    const s = store();
    await seedParties(s, ['u1'], ['c1']);
    await s.sessions.create({ idHash: 'old', userId: null, csrfToken: 'c', authTime: null, createdAt: 100, expiresAt: 200 });
    await s.sessions.create({ idHash: 'live', userId: null, csrfToken: 'c', authTime: null, createdAt: 100, expiresAt: 5_000 });
    await s.revocations.revokeAccessToken('jti-old', 200);
    await s.revocations.revokeAccessToken('jti-live', 5_000);
    expect(await s.sweep(1_000)).toBeGreaterThanOrEqual(2);
    expect(await s.sessions.find('old', 150)).toBeUndefined();
    expect(await s.sessions.find('live', 1_000)).toBeDefined();
    expect(await s.revocations.isAccessTokenRevoked('jti-live', 1_000)).toBe(true);
    // Concurrent sweeps find nothing left to do and do not fail.
    expect(await Promise.all([s.sweep(1_000), s.sweep(1_000), s.sweep(1_000)])).toEqual([0, 0, 0]);
  });

  it('keeps codes for a day after expiry, so a late replay is still recognised', async () => {
    const s = store();
    await seedParties(s, ['u2'], ['c2']);
    await s.codes.create({
      codeHash: 'code', clientId: 'c2', userId: 'u2', redirectUri: 'https://app.example/cb', redirectUriSent: true, scopes: ['openid'],
      codeChallenge: null, codeChallengeMethod: null, nonce: null, authTime: null, createdAt: 100, expiresAt: 160, consumedAt: null,
    });
    await s.sweep(1_000);
    expect((await s.codes.consume('code', 1_000)).outcome).toBe('consumed');
    await s.sweep(160 + 24 * 60 * 60 + 1);
    expect((await s.codes.consume('code', 200_000)).outcome).toBe('unknown');
  });
});
