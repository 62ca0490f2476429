// One freshly signed ES256 JWT shaped like an RFC 9068 access token, for the two signer peers.
// The key is created once; node:crypto signs directly (the floor: no JOSE library overhead).
import { generateKeyPairSync, randomBytes, sign } from 'node:crypto';

const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const kid = randomBytes(8).toString('base64url');
const header = Buffer.from(JSON.stringify({ alg: 'ES256', typ: 'at+jwt', kid })).toString('base64url');

/** A token response body (RFC 6749 §5.1) carrying one new access token. */
export function tokenResponse(/** @type {string} */ issuer) {
  const now = Math.floor(Date.now() / 1000);
  const claims = {
    iss: issuer,
    sub: 'bench-service',
    aud: 'http://127.0.0.1/api',
    client_id: 'bench-service',
    scope: 'api.read',
    jti: randomBytes(16).toString('base64url'),
    iat: now,
    exp: now + 600,
  };
  const input = `${header}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
  // JWS wants the raw r||s form of the signature (RFC 7518 §3.4), not DER.
  const signature = sign('sha256', Buffer.from(input), { key: privateKey, dsaEncoding: 'ieee-p1363' });
  return JSON.stringify({ access_token: `${input}.${signature.toString('base64url')}`, token_type: 'Bearer', expires_in: 600, scope: 'api.read' });
}
