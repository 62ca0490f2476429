// Tokens signed on the thread pool (src/tokens/jws.ts, issue 9) are the JWTs jose accepts: the
// JWS Compact Serialization with the protected header alg, typ and kid, the payload as given,
// and for ES256 the raw 64-byte r || s signature (RFC 7518 §3.4). A key whose type does not
// match its declared algorithm is refused at load, never used to sign.
import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { base64url, decodeProtectedHeader, importJWK, jwtVerify, type JWK } from 'jose';
import { describe, expect, it } from 'vitest';
import type { SigningKey, SigningKeyRepository } from '../../src/store/repositories.js';
import { compactSigner } from '../../src/tokens/jws.js';
import { KeyRing, generateSigningKey } from '../../src/tokens/keys.js';

const payload = { iss: 'https://as.example', sub: 'alice', aud: 'https://api.example', scope: 'calendar.read', iat: 1_800_000_000, exp: 1_800_000_600, jti: 'j1' };
// The payload's own iat and exp are in the past of no clock: verify at its own time.
const at = new Date(1_800_000_100 * 1000);

function ring(rows: SigningKey[]): KeyRing {
  const repository: SigningKeyRepository = {
    listActive: () => Promise.resolve(rows),
    insert: () => Promise.reject(new Error('the test supplies every key')),
    retire: () => Promise.reject(new Error('not used')),
  };
  return new KeyRing(repository);
}

describe('signing keys sign on the thread pool', () => {
  for (const alg of ['ES256', 'RS256'] as const) {
    it(`an ${alg} token verifies with jose, carries alg, typ and kid, and keeps the payload as given`, async () => {
      const row = await generateSigningKey(alg, 1_800_000_000);
      const key = await ring([row]).signingKey(alg);
      const token = await key.sign('at+jwt', payload);

      expect(decodeProtectedHeader(token)).toEqual({ alg, typ: 'at+jwt', kid: row.kid });
      const publicKey = await importJWK(JSON.parse(row.publicJwk) as JWK, alg);
      const verified = await jwtVerify(token, publicKey, { currentDate: at, typ: 'at+jwt' });
      expect(verified.payload).toEqual(payload);
      if (alg === 'ES256') expect(base64url.decode(token.split('.')[2] ?? '')).toHaveLength(64);
    });
  }

  it('signs each of many concurrent payloads into its own token', async () => {
    const row = await generateSigningKey('ES256', 1_800_000_000);
    const key = await ring([row]).signingKey('ES256');
    const publicKey = await importJWK(JSON.parse(row.publicJwk) as JWK, 'ES256');
    const tokens = await Promise.all(Array.from({ length: 200 }, (_, i) => key.sign('JWT', { ...payload, jti: `j${i}` })));
    const jtis = await Promise.all(tokens.map(async (t) => (await jwtVerify(t, publicKey, { currentDate: at })).payload.jti));
    expect(jtis).toEqual(Array.from({ length: 200 }, (_, i) => `j${i}`));
  });

  it('makes a signature that covers the payload: another payload under it does not verify', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const sign = compactSigner(privateKey, { alg: 'ES256', typ: 'JWT', kid: 'k1' });
    const [header, , signature] = (await sign(payload)).split('.');
    const forged = `${header}.${base64url.encode(JSON.stringify({ ...payload, scope: 'calendar.write' }))}.${signature}`;
    await expect(jwtVerify(forged, createPublicKey(publicKey.export({ format: 'pem', type: 'spki' })), { currentDate: at })).rejects.toThrow(/signature/);
  });

  it('refuses to load a key whose type or curve is not its declared algorithm', async () => {
    const rsa = await generateSigningKey('RS256', 1_800_000_000);
    await expect(ring([{ ...rsa, alg: 'ES256' }]).signingKey('ES256')).rejects.toThrow(/not an ES256 private key/);
    // An EC key on P-384 would sign with SHA-256 into a 96-byte signature no ES256 verifier takes.
    const p384 = generateKeyPairSync('ec', { namedCurve: 'secp384r1' });
    const es256 = await generateSigningKey('ES256', 1_800_000_000);
    const onP384 = { ...es256, privateJwk: JSON.stringify({ ...p384.privateKey.export({ format: 'jwk' }), kid: es256.kid, alg: 'ES256' }) };
    await expect(ring([onP384]).signingKey('ES256')).rejects.toThrow(/not an ES256 private key/);
    const ec = await generateSigningKey('ES256', 1_800_000_000);
    await expect(ring([{ ...ec, alg: 'RS256' }]).signingKey('RS256')).rejects.toThrow(/not an RS256 private key/);
  });
});
