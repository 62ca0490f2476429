// Remembers tokens that verified, so a client sending the same token many times pays for the
// signature check once. Keyed by the whole token (a changed byte misses), bounded in size, and an
// entry lives at most `maxAge` seconds (D-7: a resource server's cache is at most 60 s) and never
// past the token's own `exp`, which is checked again on every hit. Failures are never cached.
// An entry keeps the token's scopes already split, so a hit does no parsing at all.
import type { AccessTokenClaims } from './verifier.js';

/** A verified token as remembered: its claims and its scopes, split once. */
export interface VerifiedToken {
  readonly claims: AccessTokenClaims;
  readonly scopes: readonly string[];
}

export class VerificationCache {
  readonly #entries = new Map<string, { verified: VerifiedToken; until: number }>();

  constructor(
    private readonly maxEntries: number,
    private readonly maxAgeMs: number,
  ) {}

  get(token: string, nowMs: number): VerifiedToken | undefined {
    const entry = this.#entries.get(token);
    if (entry === undefined) return undefined;
    if (nowMs >= entry.until) {
      this.#entries.delete(token);
      return undefined;
    }
    return entry.verified;
  }

  set(token: string, verified: VerifiedToken, nowMs: number): void {
    if (this.maxEntries <= 0) return;
    if (this.#entries.size >= this.maxEntries) {
      // The oldest entry goes first (a Map iterates in insertion order).
      const oldest = this.#entries.keys().next();
      if (oldest.done !== true) this.#entries.delete(oldest.value);
    }
    this.#entries.set(token, { verified, until: Math.min(nowMs + this.maxAgeMs, verified.claims.exp * 1000) });
  }
}
