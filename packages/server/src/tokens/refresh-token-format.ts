// What a refresh token says about where it is kept (issue 9). A token is `<chain><secret><generation>`
// (22 + 43 base64url characters, then the generation in decimal; no separator, so it is never
// taken for a JWT and keeps to the base64url alphabet): the chain names its family's row, so a rotation is one UPDATE
// of that row, found by a key that never changes, instead of a lookup by the token's hash plus a
// new row in two random-keyed indexes. The chain is 128 random bits that only refresh tokens
// carry (the family id, which access tokens show as grant_id, is a different value), so knowing
// it means having held a token of that family. The secret of generation 0 is random; each later
// one is an HMAC of the token before it (refresh-token.ts), so a repeat within the grace window
// gets the same successor. Only the SHA-256 of the whole token is stored (SEC-25).
import { createHmac, createSecretKey, type KeyObject } from 'node:crypto';
import type { ChainPosition } from '../store/repositories.js';
import { randomToken } from './secrets.js';

// The chain: 16 random bytes, base64url. The secret: 32 bytes. Generations: decimal without
// leading zeros, at most 9 digits, so any value a client sends fits PostgreSQL's integer column
// (a billion rotations, one a second, take 31 years). A token from before chains is 43
// characters and never matches.
const FORMAT = /^([A-Za-z0-9_-]{22})[A-Za-z0-9_-]{43}(0|[1-9][0-9]{0,8})$/;

/** The position a token names, or undefined for any other string (an older token, or junk). */
export function chainPosition(token: string): ChainPosition | undefined {
  const match = FORMAT.exec(token);
  if (match === null) return undefined;
  return { chain: match[1] as string, generation: Number(match[2]) };
}

/** A new chain: the first refresh token of a family, generation 0. */
export function firstRefreshToken(): { token: string; chain: string } {
  const chain = randomToken(16);
  return { token: `${chain}${randomToken()}0`, chain };
}

/**
 * The token that replaces `presented`: the next generation of its chain, with a secret derived
 * from the presented token, so presenting it again derives the same successor. A token from
 * before chains (no position) starts a chain, named from it the same way.
 */
export function successorToken(rotationSecret: string, presented: string, at: ChainPosition | undefined): { token: string; chain: string; generation: number } {
  const key = hmacKey(rotationSecret);
  const mac = (label: string) => createHmac('sha256', key).update(label).update(presented, 'utf8').digest('base64url');
  const chain = at?.chain ?? mac('chain\u0000').slice(0, 22);
  const generation = (at?.generation ?? 0) + 1;
  return { token: `${chain}${mac('')}${generation}`, chain, generation };
}

/** The last rotation secret as a key object: an HMAC keyed with one starts 0.5 us faster than with the string (issue 9). */
let lastKey: { secret: string; key: KeyObject } | undefined;

/** The secret's UTF-8 bytes as a key, the bytes createHmac takes from the string itself. */
function hmacKey(secret: string): KeyObject {
  if (lastKey?.secret !== secret) lastKey = { secret, key: createSecretKey(secret, 'utf8') };
  return lastKey.key;
}
