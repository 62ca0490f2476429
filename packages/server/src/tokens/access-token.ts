// Access tokens are JWTs per RFC 9068, so resource servers verify them with the published JWKS
// and no call back to the server.
import type { KeyRing } from './keys.js';
import { randomToken } from './secrets.js';

export interface AccessTokenInput {
  issuer: string;
  subject: string;
  clientId: string;
  scopes: readonly string[];
  /** The resource servers the token is for (RFC 9068 §3 `aud`, from the scopes' resources). */
  audience: readonly string[];
  ttl: number;
  now: number;
  authTime?: number | null;
  /** The grant (token family) it came from, so revoking the grant deactivates it at introspection. */
  grantId?: string | null;
}

export interface IssuedAccessToken {
  token: string;
  jti: string;
  expiresIn: number;
}

export async function issueAccessToken(keys: KeyRing, input: AccessTokenInput): Promise<IssuedAccessToken> {
  const key = await keys.signingKey('ES256');
  const jti = randomToken(16);
  const aud = input.audience.length === 1 ? input.audience[0] : [...input.audience];
  // One literal in the final claim order: building it up by spreading showed in the profile.
  const payload: Record<string, unknown> = {
    iss: input.issuer,
    sub: input.subject,
    aud: aud ?? input.issuer,
    client_id: input.clientId,
    scope: input.scopes.join(' '),
    jti,
    iat: input.now,
    exp: input.now + input.ttl,
  };
  if (input.authTime !== undefined && input.authTime !== null) payload.auth_time = input.authTime;
  if (input.grantId !== undefined && input.grantId !== null) payload.grant_id = input.grantId;
  // RFC 9068 §2.1: the `at+jwt` type keeps an access token from passing as any other JWT.
  const token = await key.sign('at+jwt', payload);
  return { token, jti, expiresIn: input.ttl };
}
