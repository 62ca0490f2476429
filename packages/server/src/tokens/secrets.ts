// Random secrets and their hashes. Codes, refresh tokens, session ids and client secrets are
// 256-bit random values (RFC 6749 §10.10 asks for at most 2^-128 guess probability) and are
// stored only as SHA-256 hashes: they are high-entropy, so a slow hash buys nothing.
import * as crypto from 'node:crypto';

const { createHash, randomBytes, timingSafeEqual } = crypto;

const POOL_BYTES = 4096;
let pool = Buffer.alloc(0);
let used = 0;

/**
 * A URL-safe random string carrying `bytes` bytes of entropy (default 256 bits). Bytes come from
 * the CSPRNG in 4 KiB batches, as Node does for randomUUID: one call per token request was a
 * visible cost in the token endpoint's CPU profile (issue 9). Each byte is handed out once.
 */
export function randomToken(bytes = 32): string {
  if (bytes > POOL_BYTES) return randomBytes(bytes).toString('base64url');
  if (used + bytes > pool.length) {
    pool = randomBytes(POOL_BYTES);
    used = 0;
  }
  const token = pool.toString('base64url', used, used + bytes);
  used += bytes;
  return token;
}

/**
 * One-shot SHA-256: node:crypto's `hash` (Node 20.12+) skips the Hash object `createHash` builds
 * and is about 3x faster on a token (0.2 against 0.6 µs); a token request hashes two or three
 * (issue 9). Looked up rather than imported by name, so earlier Node 20 releases still start.
 */
const oneShotHash = (crypto as Partial<Pick<typeof crypto, 'hash'>>).hash;

/** SHA-256, base64url: the only form in which a secret is stored. */
export function hashSecret(secret: string): string {
  // A string is hashed as UTF-8 by both.
  return oneShotHash === undefined ? createHash('sha256').update(secret, 'utf8').digest('base64url') : oneShotHash('sha256', secret, 'base64url');
}

/** Compares a presented secret with a stored hash in constant time. */
export function secretMatches(presented: string, storedHash: string): boolean {
  const a = Buffer.from(hashSecret(presented), 'utf8');
  const b = Buffer.from(storedHash, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Constant-time equality of two strings of any length (CSRF tokens and the like). */
export function constantTimeEqual(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a, 'utf8').digest();
  const hb = createHash('sha256').update(b, 'utf8').digest();
  return timingSafeEqual(ha, hb) && a.length === b.length;
}
