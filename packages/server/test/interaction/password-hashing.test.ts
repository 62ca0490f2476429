// Password hashing shares libuv's thread pool with token signing (issue 9): a burst of logins
// must not queue every token's signature behind it. At most HASHES_AT_ONCE hashes hold pool
// threads; the rest wait their turn in the process, and each still gives the right answer.
import { generateKeyPairSync, sign } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { HASHES_AT_ONCE, hashPassword, verifyPassword } from '../../src/interaction/password.js';

describe('password hashing leaves the thread pool to the token endpoint', () => {
  it('keeps threads free: a signature asked for during 12 logins is done before all but the first hashes', { timeout: 30_000 }, async () => {
    const stored = await hashPassword('correct horse');
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });

    let verified = 0;
    const logins = Array.from({ length: 12 }, (_, i) => verifyPassword(i % 2 === 0 ? 'correct horse' : 'wrong', stored).then((ok) => {
      verified += 1;
      return ok;
    }));
    const hashesDoneBeforeSignature = await new Promise<number>((resolve, reject) => {
      sign('sha256', Buffer.from('header.payload'), { key: privateKey, dsaEncoding: 'ieee-p1363' }, (error) => (error === null ? resolve(verified) : reject(error)));
    });
    // Unlimited, the signature waited behind the queued hashes (about 9 of 12 done first). The
    // pool has its 4 threads in tests, so at most 2 hashes run beside the signature.
    expect(hashesDoneBeforeSignature).toBeLessThanOrEqual(2);
    expect(await Promise.all(logins)).toEqual(Array.from({ length: 12 }, (_, i) => i % 2 === 0));
  });

  it('hands the pool at most two hashes fewer than its threads, and no more than there are cores', () => {
    expect(HASHES_AT_ONCE).toBe(Math.max(1, Math.min(availableParallelism(), 4 - 2)));
  });

  it('answers every one of many concurrent verifications, unknown users included', { timeout: 30_000 }, async () => {
    const stored = await hashPassword('pässword'.normalize('NFD'));
    const answers = await Promise.all([
      ...Array.from({ length: 6 }, () => verifyPassword('pässword'.normalize('NFC'), stored)),
      ...Array.from({ length: 3 }, () => verifyPassword('pässword', undefined)),
      verifyPassword('x', 'not an argon2 hash'),
    ]);
    expect(answers).toEqual([true, true, true, true, true, true, false, false, false, false]);
  });
});
