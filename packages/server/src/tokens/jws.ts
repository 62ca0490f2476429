// Signing a JWT (RFC 7519) in the JWS Compact Serialization (RFC 7515 §7.1), with node:crypto's
// asynchronous sign, which runs the signature on libuv's thread pool. The signature is the
// largest cost of issuing a token; signed there, it no longer holds the event loop, which goes
// on parsing, authenticating and answering other requests meanwhile (issue 9: about 1.6× the
// client_credentials throughput of signing on the event loop, on two cores; docs/PERFORMANCE.md).
// jose (which still generates, exports and verifies every key and token) signs only through
// WebCrypto, whose overhead on the event loop gave 14-17k tokens/s against 21-22k for this in
// the same A/B; fast-jwt, used before, signs synchronously on the event loop.
//
// The serialization is fixed and small: a protected header of alg, typ and kid computed once
// per key and type, the payload as JSON, each base64url without padding (RFC 7515 §2), and the
// signature over `header.payload`. Every token it makes is verified by jose in the tests.
import { sign, type KeyObject } from 'node:crypto';

export type JwsAlgorithm = 'ES256' | 'RS256';

export type CompactSigner = (payload: Record<string, unknown>) => Promise<string>;

/** A signer for one key and one protected header, built once per key (never per token). */
export function compactSigner(key: KeyObject, header: { alg: JwsAlgorithm; typ: string; kid: string }): CompactSigner {
  const encodedHeader = Buffer.from(JSON.stringify({ alg: header.alg, typ: header.typ, kid: header.kid })).toString('base64url');
  // RFC 7518 §3.4: ES256 carries the raw r || s pair (64 bytes), not the DER node:crypto gives by
  // default. §3.3: RS256 is RSASSA-PKCS1-v1_5, node:crypto's default padding for an RSA key.
  const signingKey = header.alg === 'ES256' ? { key, dsaEncoding: 'ieee-p1363' as const } : key;
  return (payload) =>
    new Promise((resolve, reject) => {
      const input = `${encodedHeader}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}`;
      sign('sha256', Buffer.from(input), signingKey, (error, signature) => {
        if (error === null) resolve(`${input}.${signature.toString('base64url')}`);
        else reject(error);
      });
    });
}
