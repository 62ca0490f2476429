// One freshly signed ES256 JWT shaped like an RFC 9068 access token, for the signer peers.
// The key is created once; node:crypto signs directly (the floor: no JOSE library overhead),
// on the event loop (`tokenResponse`) or on libuv's thread pool (`tokenResponseOnPool`).
import { generateKeyPairSync, randomBytes, sign } from 'node:crypto';

const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const kid = randomBytes(8).toString('base64url');
const header = Buffer.from(JSON.stringify({ alg: 'ES256', typ: 'at+jwt', kid })).toString('base64url');

/** The JWS signing input (RFC 7515 §7.1) of a new access token's claims. */
function signingInput(/** @type {string} */ issuer) {
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
  return `${header}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
}

// JWS wants the raw r||s form of the signature (RFC 7518 §3.4), not DER.
const signingKey = { key: privateKey, dsaEncoding: /** @type {const} */ ('ieee-p1363') };

const body = (/** @type {string} */ input, /** @type {Buffer} */ signature) =>
  JSON.stringify({ access_token: `${input}.${signature.toString('base64url')}`, token_type: 'Bearer', expires_in: 600, scope: 'api.read' });

/** A token response body (RFC 6749 §5.1) carrying one new access token, signed on the event loop. */
export function tokenResponse(/** @type {string} */ issuer) {
  const input = signingInput(issuer);
  return body(input, sign('sha256', Buffer.from(input), signingKey));
}

/** The same, signed on libuv's thread pool (node:crypto's sign with a callback). @returns {Promise<string>} */
export function tokenResponseOnPool(/** @type {string} */ issuer) {
  const input = signingInput(issuer);
  return new Promise((resolve, reject) => {
    sign('sha256', Buffer.from(input), signingKey, (error, signature) => (error ? reject(error) : resolve(body(input, signature))));
  });
}
