// Verifying the tokens this server issued, for its own endpoints (userinfo, introspection,
// revocation, logout): the signature against the key ring, the type, the issuer, and whether the
// token or its grant was revoked since.
import { decodeProtectedHeader, errors, jwtVerify, type JWTPayload } from 'jose';
import type { Store } from '../store/repositories.js';
import type { KeyRing } from './keys.js';

export interface AccessTokenClaims extends JWTPayload {
  sub: string;
  client_id: string;
  scope: string;
  jti: string;
  exp: number;
  iat: number;
  grant_id?: string;
}

export type AccessTokenCheck =
  | { valid: true; claims: AccessTokenClaims }
  | { valid: false; reason: 'malformed' | 'expired' | 'revoked' | 'invalid' };

export function looksLikeJwt(token: string): boolean {
  return /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(token);
}

/** An access token issued here (RFC 9068), still valid and not revoked. */
export async function checkAccessToken(
  token: string,
  deps: { keys: KeyRing; store: Pick<Store, 'revocations'>; issuer: string; now: number },
): Promise<AccessTokenCheck> {
  if (!looksLikeJwt(token) || token.length > 8192) return { valid: false, reason: 'malformed' };
  let payload: JWTPayload | undefined = deps.keys.verifiedWithFreshKeys(token) ?? (await deps.keys.recentlyVerified(token));
  if (payload !== undefined) {
    // Verified before against these same keys: only the time has moved (RFC 7519 §4.1.4).
    if (typeof payload.exp !== 'number' || payload.exp <= deps.now) return { valid: false, reason: 'expired' };
  } else {
    try {
      ({ payload } = await jwtVerify(token, await deps.keys.verificationKeys(), {
        issuer: deps.issuer,
        typ: 'at+jwt',
        algorithms: ['ES256', 'RS256'],
        currentDate: new Date(deps.now * 1000),
      }));
    } catch (error) {
      return { valid: false, reason: error instanceof errors.JWTExpired ? 'expired' : 'invalid' };
    }
    deps.keys.rememberVerified(token, payload);
  }
  const claims = payload as AccessTokenClaims;
  if (typeof claims.jti !== 'string' || typeof claims.sub !== 'string' || typeof claims.client_id !== 'string') {
    return { valid: false, reason: 'invalid' };
  }
  // The token itself, and for a user's token the grant it came from (revoked by code replay,
  // refresh-token reuse, or removal): one query either way.
  const revoked =
    typeof claims.grant_id === 'string'
      ? await deps.store.revocations.isAccessTokenOrGrantRevoked(claims.jti, claims.grant_id, deps.now)
      : await deps.store.revocations.isAccessTokenRevoked(claims.jti, deps.now);
  if (revoked) return { valid: false, reason: 'revoked' };
  return { valid: true, claims };
}

/** An ID token issued here, signature and issuer only: an expired one is still a fine logout hint. */
export async function checkIdTokenHint(token: string, deps: { keys: KeyRing; issuer: string }): Promise<JWTPayload | null> {
  if (!looksLikeJwt(token) || token.length > 8192) return null;
  try {
    const header = decodeProtectedHeader(token);
    if (header.typ !== undefined && header.typ !== 'JWT') return null;
    const { payload } = await jwtVerify(token, await deps.keys.verificationKeys(), {
      issuer: deps.issuer,
      algorithms: ['ES256', 'RS256'],
      // OpenID RP-Initiated Logout §2: an expired ID token is still an acceptable hint.
      currentDate: new Date(0),
    });
    return payload;
  } catch {
    return null;
  }
}
