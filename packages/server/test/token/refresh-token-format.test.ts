// The refresh token's format (tokens/refresh-token-format.ts): what names a chain and what does not.
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { chainPosition, firstRefreshToken, successorToken } from '../../src/tokens/refresh-token-format.js';
import { randomToken } from '../../src/tokens/secrets.js';

describe('chainPosition', () => {
  it('reads the chain and generation of tokens it made, and derives the same successor twice', () => {
    const { token, chain } = firstRefreshToken();
    expect(chainPosition(token)).toEqual({ chain, generation: 0 });
    const next = successorToken('server-secret', token, chainPosition(token));
    expect(next).toEqual(successorToken('server-secret', token, chainPosition(token)));
    expect(chainPosition(next.token)).toEqual({ chain, generation: 1 });
    expect(successorToken('another-secret', token, chainPosition(token)).token).not.toBe(next.token);
  });

  it('names no chain for a token from before chains, a JWT, leading zeros, or a generation too big for the database', () => {
    const chain = randomToken(16);
    const secret = randomToken();
    expect(chainPosition(randomToken())).toBeUndefined();
    expect(chainPosition('eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln')).toBeUndefined();
    expect(chainPosition(`${chain}${secret}01`)).toBeUndefined();
    expect(chainPosition(`${chain}${secret}999999999`)).toEqual({ chain, generation: 999_999_999 });
    // PostgreSQL's integer column holds up to 2,147,483,647: ten digits never reach a query.
    expect(chainPosition(`${chain}${secret}2147483648`)).toBeUndefined();
    expect(chainPosition(`${chain}.${secret}.0`)).toBeUndefined();
  });

  it('derives the secret as HMAC-SHA256 keyed with the rotation secret\'s UTF-8 bytes, so tokens issued before keep their successors', () => {
    const { token, chain } = firstRefreshToken();
    // A secret outside ASCII: its key bytes must be its UTF-8, as createHmac takes a string.
    for (const secret of ['server-secret', 'sécret-ü-雪']) {
      const expected = createHmac('sha256', secret).update('').update(token, 'utf8').digest('base64url');
      expect(successorToken(secret, token, chainPosition(token)).token).toBe(`${chain}${expected}1`);
    }
    // Alternating secrets (two servers' contexts in one process, as in the tests) never mix keys.
    const first = successorToken('one', token, chainPosition(token)).token;
    successorToken('two', token, chainPosition(token));
    expect(successorToken('one', token, chainPosition(token)).token).toBe(first);
  });

  it('starts a chain for a token from before chains, named from it, at generation 1', () => {
    const old = randomToken();
    const next = successorToken('server-secret', old, undefined);
    expect(next.generation).toBe(1);
    expect(chainPosition(next.token)).toEqual({ chain: next.chain, generation: 1 });
    expect(successorToken('server-secret', old, undefined).chain).toBe(next.chain);
  });
});
