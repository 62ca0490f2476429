// RFC 7636 and RFC 9700 §2.1.1: S256 only, verifier syntax, downgrade refused.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { OAuthError } from '../../src/errors.js';
import { checkVerifier, parseChallenge } from '../../src/oauth/pkce.js';

const verifier = 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk';
const challenge = createHash('sha256').update(verifier).digest('base64url');

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
    return undefined;
  } catch (error) {
    return error instanceof OAuthError ? error.code : 'not-oauth';
  }
}

describe('PKCE at the authorization endpoint (SEC-06)', () => {
  it('accepts S256 with a 43-character challenge', () => {
    expect(parseChallenge(challenge, 'S256', true)).toEqual({ codeChallenge: challenge, codeChallengeMethod: 'S256' });
  });
  it.each([
    ['no challenge when required', undefined, undefined],
    ['plain', verifier, 'plain'],
    ['a challenge without a method (plain by default)', challenge, undefined],
    ['a method without a challenge', undefined, 'S256'],
    ['42 characters', challenge.slice(0, 42), 'S256'],
    ['129 characters', 'a'.repeat(129), 'S256'],
    ['characters outside base64url', `${challenge.slice(0, 42)}+`, 'S256'],
    ['S512', challenge, 'S512'],
  ])('refuses %s with invalid_request', (_label, c, m) => {
    expect(codeOf(() => parseChallenge(c, m, true))).toBe('invalid_request');
  });
  it('allows no challenge only when not required (a confidential client that opted out)', () => {
    expect(parseChallenge(undefined, undefined, false)).toEqual({ codeChallenge: null, codeChallengeMethod: null });
  });
});

describe('PKCE at the token endpoint (SEC-15, SEC-16)', () => {
  const bound = { codeChallenge: challenge, codeChallengeMethod: 'S256' as const };
  it('accepts the right verifier', () => {
    expect(codeOf(() => checkVerifier(verifier, bound))).toBeUndefined();
  });
  it('refuses a different valid verifier, a missing one, or the challenge itself', () => {
    expect(codeOf(() => checkVerifier('x'.repeat(43), bound))).toBe('invalid_grant');
    expect(codeOf(() => checkVerifier(undefined, bound))).toBe('invalid_grant');
    expect(codeOf(() => checkVerifier(challenge, bound))).toBe('invalid_grant');
  });
  it('refuses malformed verifiers with invalid_request', () => {
    expect(codeOf(() => checkVerifier('a'.repeat(42), bound))).toBe('invalid_request');
    expect(codeOf(() => checkVerifier('a'.repeat(129), bound))).toBe('invalid_request');
    expect(codeOf(() => checkVerifier(`${'a'.repeat(42)}+`, bound))).toBe('invalid_request');
  });
  it('refuses a verifier for a code issued without a challenge (downgrade)', () => {
    expect(codeOf(() => checkVerifier(verifier, { codeChallenge: null, codeChallengeMethod: null }))).toBe('invalid_grant');
    expect(codeOf(() => checkVerifier(undefined, { codeChallenge: null, codeChallengeMethod: null }))).toBeUndefined();
  });
});
