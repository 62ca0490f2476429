// PKCE (RFC 7636), S256 only: `plain` exposes the verifier and is never accepted (RFC 9700
// §2.1.1, SECURITY-CATALOG D-1).
import { createHash } from 'node:crypto';
import { OAuthError } from '../errors.js';
import { constantTimeEqual } from '../tokens/secrets.js';

// RFC 7636 §4.1: 43-128 characters of [A-Z a-z 0-9 - . _ ~].
const VERIFIER = /^[A-Za-z0-9\-._~]{43,128}$/;
// RFC 7636 §4.2: an S256 challenge is BASE64URL(SHA256(verifier)): exactly 43 characters.
const S256_CHALLENGE = /^[A-Za-z0-9\-_]{43}$/;

export interface PkceChallenge {
  codeChallenge: string | null;
  codeChallengeMethod: 'S256' | null;
}

/** Reads code_challenge and code_challenge_method at the authorization endpoint (RFC 7636 §4.3, §4.4.1). */
export function parseChallenge(challenge: string | undefined, method: string | undefined, required: boolean): PkceChallenge {
  if (challenge === undefined) {
    if (method !== undefined) throw new OAuthError('invalid_request', 'code_challenge_method was sent without a code_challenge');
    if (required) {
      throw new OAuthError('invalid_request', 'PKCE is required: send code_challenge (BASE64URL(SHA256(code_verifier))) with code_challenge_method=S256');
    }
    return { codeChallenge: null, codeChallengeMethod: null };
  }
  // RFC 7636 §4.3: a missing method means `plain`, which is refused.
  if (method !== 'S256') {
    throw new OAuthError(
      'invalid_request',
      method === undefined
        ? 'code_challenge_method is required and must be S256 (plain is not supported)'
        : `code_challenge_method ${method} is not supported; use S256`,
    );
  }
  if (!S256_CHALLENGE.test(challenge)) {
    throw new OAuthError('invalid_request', 'code_challenge must be 43 base64url characters: BASE64URL(SHA256(code_verifier)) without padding');
  }
  return { codeChallenge: challenge, codeChallengeMethod: 'S256' };
}

/** RFC 7636 §4.6 at the token endpoint; RFC 9700 §2.1.1 refuses a verifier for a code without a challenge. */
export function checkVerifier(verifier: string | undefined, expected: PkceChallenge): void {
  checkVerifierSyntax(verifier);
  if (expected.codeChallenge === null) {
    if (verifier !== undefined) {
      throw new OAuthError('invalid_grant', 'a code_verifier was sent, but the authorization request had no code_challenge');
    }
    return;
  }
  if (verifier === undefined) throw new OAuthError('invalid_grant', 'code_verifier is required: the authorization request sent a code_challenge');
  const computed = createHash('sha256').update(verifier, 'ascii').digest('base64url');
  if (!constantTimeEqual(computed, expected.codeChallenge)) {
    throw new OAuthError('invalid_grant', 'code_verifier does not match the code_challenge of the authorization request');
  }
}

/** A syntactic check done before the code is looked up, so a malformed verifier never burns a code. */
export function checkVerifierSyntax(verifier: string | undefined): void {
  if (verifier !== undefined && !VERIFIER.test(verifier)) {
    throw new OAuthError('invalid_request', 'code_verifier must be 43 to 128 characters of A-Z a-z 0-9 - . _ ~');
  }
}
