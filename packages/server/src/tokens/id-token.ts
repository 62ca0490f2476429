// ID tokens (OpenID Connect Core 1.0 §2, §3.1.3.6): who signed in, for the client. RS256 by
// default (§15.1: the algorithm every relying party supports), ES256 when the client registered
// for it.
import { createHash } from 'node:crypto';
import type { KeyRing } from './keys.js';

export interface IdTokenInput {
  issuer: string;
  subject: string;
  clientId: string;
  alg: 'RS256' | 'ES256';
  ttl: number;
  now: number;
  authTime: number | null;
  nonce: string | null;
  /** The access token issued beside it, for `at_hash` (§3.1.3.6). */
  accessToken: string;
  /** Claims released for the granted scopes (§5.4), e.g. name and email. */
  claims?: Record<string, unknown>;
}

/** §3.1.3.6: base64url of the left half of the SHA-256 of the access token (both algorithms hash with SHA-256). */
export function accessTokenHash(accessToken: string): string {
  const digest = createHash('sha256').update(accessToken, 'ascii').digest();
  return digest.subarray(0, digest.length / 2).toString('base64url');
}

export async function issueIdToken(keys: KeyRing, input: IdTokenInput): Promise<string> {
  const key = await keys.signingKey(input.alg);
  const payload: Record<string, unknown> = { ...input.claims, at_hash: accessTokenHash(input.accessToken) };
  if (input.authTime !== null) payload.auth_time = input.authTime;
  // §3.1.2.1: the nonce is echoed exactly when the request sent one.
  if (input.nonce !== null) payload.nonce = input.nonce;
  // The registered claims come last, so no released claim can stand in for them.
  return key.sign('JWT', {
    ...payload,
    iss: input.issuer,
    sub: input.subject,
    aud: input.clientId,
    iat: input.now,
    exp: input.now + input.ttl,
  });
}
