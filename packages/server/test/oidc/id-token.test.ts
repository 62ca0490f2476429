// The ID token: OpenID Connect Core 1.0 §2 (claims), §3.1.3.3 (when it is issued), §3.1.3.6
// (at_hash), §3.1.3.7 (validation), §10.1 (signing keys); OIDC Core §12.2 for refresh; the
// client's id_token_signed_response_alg (OIDC Dynamic Registration §2). SECURITY-CATALOG SEC-35,
// SEC-08 (b), SEC-58 (a), SEC-69 (no nonce).
import { createHash } from 'node:crypto';
import { createRemoteJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify, type JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browser } from '../support/browser.js';
import { authorizeFlow, codeFrom, pkce, tokenRequest } from '../support/oauth.js';
import { BOB, seed, startServer, type TestServer } from '../support/server.js';
import { expectError, expectSuccess, newClient, redeem, refresh, type TestClient } from '../token/fixtures.js';
import { signIn, userId } from './fixtures.js';

let server: TestServer;
let c1: TestClient;
let ec: TestClient;
beforeAll(async () => {
  server = await startServer();
  await seed(server);
  c1 = await newClient(server);
  ec = await newClient(server, { idTokenSignedResponseAlg: 'ES256' });
});
afterAll(async () => server.close());

const jwks = () => createRemoteJWKSet(new URL(`${server.url}/jwks`));

describe('when an ID token is issued (OIDC Core §3.1.3.3)', () => {
  it('§3.1.3.3: the token response carries an id_token when openid was granted', async () => {
    const s = await signIn(server, c1, { browser: new Browser(server.url) });
    expect(typeof s.json.id_token).toBe('string');
  });

  it('§3.1.3.3: no id_token when openid was not requested', async () => {
    const s = await signIn(server, c1, { scope: 'api.read', browser: new Browser(server.url) });
    expect(s.json).not.toHaveProperty('id_token');
  });

  it('§3.1.3.3: no id_token when the user unchecked openid on the consent page', async () => {
    const p = pkce();
    const { location } = await authorizeFlow(server, new Browser(server.url), { clientId: c1.id, redirectUri: c1.redirectUri, scope: 'openid api.read', challenge: p.challenge }, { user: BOB, grant: ['api.read'] });
    const call = await redeem(server, c1, codeFrom(location), p.verifier);
    expectSuccess(call);
    expect(call.json.scope).toBe('api.read');
    expect(call.json).not.toHaveProperty('id_token');
  });

  it('OIDC Core §12.2 (Latchkey policy): a refresh response has no id_token', async () => {
    const s = await signIn(server, c1, { browser: new Browser(server.url) });
    const call = await refresh(server, c1, s.refreshToken);
    expectSuccess(call);
    expect(call.json).not.toHaveProperty('id_token');
  });

  it('RFC 6749 §4.4: client_credentials never gives an id_token, and refuses openid (no user to describe)', async () => {
    const service = await newClient(server, { grantTypes: ['client_credentials'], redirectUris: [], scopes: ['openid', 'api.read'] });
    const call = await tokenRequest(server, { grant_type: 'client_credentials', scope: 'api.read' }, service.auth);
    expectSuccess(call);
    expect(call.json).not.toHaveProperty('id_token');
    expectError(await tokenRequest(server, { grant_type: 'client_credentials', scope: 'openid api.read' }, service.auth), 400, 'invalid_scope', /openid/);
  });
});

describe('claims (OIDC Core §2; SEC-35)', () => {
  it('§2: iss is the issuer, aud the client_id, sub the user id, iat now, exp after iat, auth_time the login time', async () => {
    const s = await signIn(server, c1, { browser: new Browser(server.url) });
    const metadata = (await (await fetch(`${server.url}/.well-known/openid-configuration`)).json()) as { issuer: string };
    expect(s.claims).toMatchObject({ iss: metadata.issuer, aud: c1.id, sub: await userId(server) });
    expect(s.claims.iat).toBeGreaterThanOrEqual(s.before);
    expect(s.claims.iat).toBeLessThanOrEqual(s.after);
    expect(s.claims.exp).toBe(Number(s.claims.iat) + 600);
    expect(s.claims.auth_time).toBeGreaterThanOrEqual(s.before);
    expect(s.claims.auth_time).toBeLessThanOrEqual(Number(s.claims.iat));
    expect(Number.isInteger(s.claims.auth_time)).toBe(true);
  });

  it('§2: sub is stable across logins, and differs between users', async () => {
    const first = await signIn(server, c1, { browser: new Browser(server.url) });
    const second = await signIn(server, c1, { browser: new Browser(server.url) });
    const bob = await signIn(server, c1, { browser: new Browser(server.url), user: BOB });
    expect(second.claims.sub).toBe(first.claims.sub);
    expect(bob.claims.sub).toBe(await userId(server, BOB));
    expect(bob.claims.sub).not.toBe(first.claims.sub);
  });

  it('§3.1.2.1: the nonce is echoed exactly, unusual characters included', async () => {
    const nonce = 'N1 with spaces/+=&?é';
    const s = await signIn(server, c1, { nonce, browser: new Browser(server.url) });
    expect(s.claims.nonce).toBe(nonce);
  });

  it('§3.1.2.1 (SEC-69): without a nonce in the request the ID token has no nonce claim', async () => {
    const s = await signIn(server, c1, { nonce: null, browser: new Browser(server.url) });
    expect(s.claims).not.toHaveProperty('nonce');
  });

  it('§3.1.3.6: at_hash is the base64url of the left half of SHA-256 of the access token', async () => {
    const s = await signIn(server, c1, { browser: new Browser(server.url) });
    const digest = createHash('sha256').update(s.accessToken).digest();
    expect(s.claims.at_hash).toBe(digest.subarray(0, 16).toString('base64url'));
  });
});

describe('signature (OIDC Core §3.1.3.7, §10.1; SEC-35)', () => {
  it('§3.1.3.7: signed RS256 with typ JWT by default, verifiable with the published JWKS', async () => {
    const s = await signIn(server, c1, { browser: new Browser(server.url) });
    expect(s.header).toMatchObject({ alg: 'RS256', typ: 'JWT' });
    expect(typeof s.header.kid).toBe('string');
    const { payload, protectedHeader } = await jwtVerify(s.idToken, jwks(), { issuer: server.url, audience: c1.id, currentDate: new Date(server.now() * 1000) });
    expect(protectedHeader.alg).toBe('RS256');
    expect(payload.sub).toBe(s.claims.sub);
  });

  it('Registration §2: a client registered with id_token_signed_response_alg ES256 gets ES256 ID tokens', async () => {
    const s = await signIn(server, ec, { browser: new Browser(server.url) });
    expect(s.header).toMatchObject({ alg: 'ES256', typ: 'JWT' });
    const { payload } = await jwtVerify(s.idToken, jwks(), { issuer: server.url, audience: ec.id, currentDate: new Date(server.now() * 1000) });
    expect(payload.aud).toBe(ec.id);
  });

  it('§10.1: the JWKS holds an RS256 and an ES256 key with unique kids and public members only', async () => {
    await signIn(server, c1, { browser: new Browser(server.url) });
    const { keys } = (await (await fetch(`${server.url}/jwks`)).json()) as { keys: JWK[] };
    expect(keys.map((k) => k.alg).sort()).toEqual(expect.arrayContaining(['ES256', 'RS256']));
    expect(new Set(keys.map((k) => k.kid)).size).toBe(keys.length);
    for (const key of keys) {
      for (const secret of ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k']) expect(key).not.toHaveProperty(secret);
      expect(key.use).toBe('sig');
    }
  });

  it('§3.1.3.7: an ID token with a changed payload does not verify', async () => {
    const s = await signIn(server, c1, { browser: new Browser(server.url) });
    const [h, , sig] = s.idToken.split('.');
    const forged = Buffer.from(JSON.stringify({ ...s.claims, sub: 'someone-else' })).toString('base64url');
    await expect(jwtVerify(`${h}.${forged}.${sig}`, jwks())).rejects.toThrow(/signature/);
    expect(decodeProtectedHeader(s.idToken).kid).toBe(s.header.kid);
    expect(decodeJwt(s.idToken).sub).toBe(s.claims.sub);
  });
});

describe('auth_time across re-authentication (OIDC Core §3.1.2.1; SEC-58 a, SEC-08 b)', () => {
  it('SEC-58 (a): after prompt=login the new ID token has a later auth_time and the same sub', async () => {
    const browser = new Browser(server.url);
    const first = await signIn(server, c1, { browser });
    server.advance(5);
    const again = await signIn(server, c1, { browser, extra: { prompt: 'login' } });
    expect(again.claims.sub).toBe(first.claims.sub);
    expect(Number(again.claims.auth_time)).toBeGreaterThanOrEqual(Number(first.claims.auth_time) + 5);
  });

  it('SEC-08 (b): prompt=none keeps auth_time unchanged and the same sub', async () => {
    const browser = new Browser(server.url);
    const first = await signIn(server, c1, { browser });
    server.advance(5);
    const silent = await signIn(server, c1, { browser, extra: { prompt: 'none' } });
    expect(silent.claims.sub).toBe(first.claims.sub);
    expect(silent.claims.auth_time).toBe(first.claims.auth_time);
    expect(Number(silent.claims.iat)).toBeGreaterThan(Number(first.claims.iat));
  });
});
