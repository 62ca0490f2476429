// The authorization_code grant at the token endpoint, over real HTTP: RFC 6749 §4.1.3, §5.1;
// RFC 7636 §4.5-4.6; RFC 9700 §2.1.1, §4.5; RFC 9068 access tokens. SECURITY-CATALOG SEC-12..17.
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify, type JSONWebKeySet } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API, seed, startServer, type TestServer } from '../support/server.js';
import { pkce } from '../support/oauth.js';
import { expectError, expectSuccess, freshCode, newClient, redeem, refresh, type TestClient } from './fixtures.js';

const FILES = 'https://files.example';

let server: TestServer;
let c1: TestClient;
let aliceId: string;
beforeAll(async () => {
  server = await startServer({ accessTokenTtl: '900' });
  await seed(server);
  await server.store.scopes.create({ name: 'files.read', description: 'See your files', resource: FILES });
  c1 = await newClient(server, { scopes: ['openid', 'profile', 'email', 'api.read', 'api.write', 'files.read'] });
  aliceId = (await server.store.users.findByUsernameKey('alice'))?.id ?? '';
});
afterAll(async () => server.close());

async function verify(token: string, audience?: string | string[]) {
  const jwks = (await (await fetch(`${server.url}/jwks`)).json()) as JSONWebKeySet;
  return jwtVerify(token, createLocalJWKSet(jwks), { issuer: server.url, typ: 'at+jwt', algorithms: ['ES256'], ...(audience ? { audience } : {}) });
}

describe('RFC 6749 §4.1.3, §5.1: a valid code gives a token response', () => {
  it('answers 200 JSON with Bearer, expires_in, scope and a refresh token, never cached', async () => {
    const { code, verifier } = await freshCode(server, c1, { scope: 'openid api.read' });
    const call = await redeem(server, c1, code, verifier);
    expectSuccess(call);
    expect(call.json).toMatchObject({ token_type: 'Bearer', expires_in: 900, scope: 'openid api.read' });
    expect(String(call.json.refresh_token)).toMatch(/^[A-Za-z0-9_-]{43,}$/);
  });
});

describe('RFC 9068: the access token is a JWT a resource server verifies with the JWKS alone', () => {
  it('has typ at+jwt, ES256, a kid from the JWKS, and iss, sub, aud, client_id, scope, jti, iat, exp = iat + TTL', async () => {
    const { code, verifier } = await freshCode(server, c1, { scope: 'openid api.read api.write' });
    const call = await redeem(server, c1, code, verifier);
    expectSuccess(call);
    const token = String(call.json.access_token);
    const jwks = (await (await fetch(`${server.url}/jwks`)).json()) as JSONWebKeySet;
    expect(jwks.keys.map((k) => k.kid)).toContain(decodeProtectedHeader(token).kid);
    const { payload, protectedHeader } = await verify(token);
    expect(protectedHeader).toMatchObject({ typ: 'at+jwt', alg: 'ES256' });
    expect(payload).toMatchObject({ iss: server.url, sub: aliceId, aud: API, client_id: c1.id, scope: 'openid api.read api.write' });
    expect(payload.jti).toMatch(/^[A-Za-z0-9_-]{16,}$/);
    expect(payload.exp).toBe((payload.iat ?? 0) + 900);
    expect(Math.abs((payload.iat ?? 0) - server.now())).toBeLessThanOrEqual(2);
  });

  it('names the issuer in aud when no granted scope has a resource (RFC 9068 §3)', async () => {
    const { code, verifier } = await freshCode(server, c1, { scope: 'openid profile' });
    const { payload } = await verify(String((await redeem(server, c1, code, verifier)).json.access_token));
    expect(payload.aud).toBe(server.url);
  });

  it('names both resource servers, as an array, when the scopes span two resources', async () => {
    const { code, verifier } = await freshCode(server, c1, { scope: 'api.read files.read' });
    const { payload } = await verify(String((await redeem(server, c1, code, verifier)).json.access_token));
    expect(Array.isArray(payload.aud)).toBe(true);
    expect([...(payload.aud as string[])].sort()).toEqual([API, FILES]);
  });
});

describe('SEC-12 code replay (RFC 6749 §4.1.2, RFC 9700 §4.2.4, D-3)', () => {
  it('refuses the second redemption with invalid_grant and revokes the refresh token of the first', async () => {
    const { code, verifier } = await freshCode(server, c1);
    const first = await redeem(server, c1, code, verifier);
    expectSuccess(first);
    const replay = await redeem(server, c1, code, verifier);
    expectError(replay, 400, 'invalid_grant', /already used/);
    expectError(await refresh(server, c1, String(first.json.refresh_token)), 400, 'invalid_grant', /revoked/);
  });
});

describe('SEC-13 a code is bound to its client (RFC 6749 §4.1.3, §10.5)', () => {
  it("refuses another client's credentials with invalid_grant, and the code is spent", async () => {
    const c2 = await newClient(server, { redirectUris: [c1.redirectUri] });
    const { code, verifier } = await freshCode(server, c1);
    expectError(await redeem(server, c2, code, verifier), 400, 'invalid_grant', /another client/);
    expectError(await redeem(server, c1, code, verifier), 400, 'invalid_grant');
  });

  it("answers 401 invalid_client to a public client's code sent with a confidential client_id and no secret", async () => {
    const p1 = await newClient(server, { public: true });
    const { code, verifier } = await freshCode(server, p1);
    const call = await redeem(server, { ...p1, id: c1.id }, code, verifier);
    expectError(call, 401, 'invalid_client', /secret/);
  });
});

describe('SEC-14 redirect_uri must be identical to the authorization request (RFC 6749 §4.1.3, RFC 9700 §4.5)', () => {
  let c3: TestClient;
  const A = 'https://c3.example/a';
  beforeAll(async () => {
    c3 = await newClient(server, { redirectUris: [A, 'https://c3.example/b'] });
  });

  it('(a) another registered redirect URI is invalid_grant naming it', async () => {
    const { code, verifier } = await freshCode(server, c3, { redirectUri: A });
    expectError(await redeem(server, c3, code, verifier, { redirect_uri: 'https://c3.example/b' }), 400, 'invalid_grant', /redirect_uri https:\/\/c3\.example\/b differs/);
  });

  it('(b) an omitted redirect_uri is invalid_grant when the authorization request had one', async () => {
    const { code, verifier } = await freshCode(server, c3, { redirectUri: A });
    expectError(await redeem(server, c3, code, verifier, { redirect_uri: undefined }), 400, 'invalid_grant', /redirect_uri is required/);
  });

  it('(c) a trailing slash is a different URI: invalid_grant', async () => {
    const { code, verifier } = await freshCode(server, c3, { redirectUri: A });
    expectError(await redeem(server, c3, code, verifier, { redirect_uri: `${A}/` }), 400, 'invalid_grant', /redirect_uri/);
  });

  it('control: the exact URI works', async () => {
    const { code, verifier } = await freshCode(server, c3, { redirectUri: A });
    expectSuccess(await redeem(server, c3, code, verifier, { redirect_uri: A }));
  });
});

describe('SEC-15 the PKCE verifier is enforced (RFC 7636 §4.1, §4.6; RFC 9700 §2.1.1)', () => {
  const grantCases: [string, (v: { verifier: string; challenge: string }) => string | undefined, RegExp][] = [
    ['(a) another valid verifier', () => pkce().verifier, /does not match/],
    ['(b) no code_verifier', () => undefined, /code_verifier is required/],
    ['(c) an empty code_verifier, which counts as omitted (RFC 6749 §3.1)', () => '', /code_verifier is required/],
    ['(g) the challenge sent as the verifier (plain confusion)', (v) => v.challenge, /does not match/],
  ];
  for (const [name, make, description] of grantCases) {
    it(`${name} is invalid_grant`, async () => {
      const pair = await freshCode(server, c1);
      expectError(await redeem(server, c1, pair.code, make(pair)), 400, 'invalid_grant', description);
    });
  }

  const syntaxCases: [string, string][] = [
    ['(d) 42 characters', 'a'.repeat(42)],
    ['(e) 129 characters', 'a'.repeat(129)],
    ['(f) 43 characters with + / = and a space', `${'a'.repeat(39)}+/= `],
  ];
  for (const [name, verifier] of syntaxCases) {
    it(`${name} is invalid_request naming code_verifier`, async () => {
      const { code } = await freshCode(server, c1);
      expectError(await redeem(server, c1, code, verifier), 400, 'invalid_request', /code_verifier must be 43 to 128 characters/);
    });
  }

  it('(h) the right verifier works', async () => {
    const { code, verifier } = await freshCode(server, c1);
    expectSuccess(await redeem(server, c1, code, verifier));
  });

  it('a wrong verifier burns the code: the right one is refused afterwards', async () => {
    const { code, verifier } = await freshCode(server, c1);
    expectError(await redeem(server, c1, code, pkce().verifier), 400, 'invalid_grant');
    expectError(await redeem(server, c1, code, verifier), 400, 'invalid_grant');
  });

  it('a malformed verifier is refused before the code is looked up, so it does not burn the code', async () => {
    const { code, verifier } = await freshCode(server, c1);
    expectError(await redeem(server, c1, code, 'short'), 400, 'invalid_request');
    expectSuccess(await redeem(server, c1, code, verifier));
  });
});

describe('SEC-16 PKCE downgrade (RFC 9700 §2.1.1, §4.8.2; D-1)', () => {
  let legacy: TestClient;
  beforeAll(async () => {
    legacy = await newClient(server, { pkceOptional: true });
  });

  it('refuses a code_verifier for a code authorized without a code_challenge', async () => {
    const { code, verifier } = await freshCode(server, legacy, { pkce: false });
    expectError(await redeem(server, legacy, code, verifier), 400, 'invalid_grant', /no code_challenge/);
  });

  it('control: the same client redeems such a code without a verifier', async () => {
    const { code } = await freshCode(server, legacy, { pkce: false });
    expectSuccess(await redeem(server, legacy, code, undefined));
  });
});

describe('SEC-17 code lifetime (RFC 6749 §4.1.2; LATCHKEY_CODE_TTL; D-7)', () => {
  let clock: TestServer;
  let c: TestClient;
  beforeAll(async () => {
    clock = await startServer({ codeTtl: '30' });
    await seed(clock);
    c = await newClient(clock);
  });
  afterAll(async () => clock.close());

  it('control: a code redeemed within the TTL works', async () => {
    const { code, verifier } = await freshCode(clock, c);
    clock.advance(25);
    expectSuccess(await redeem(clock, c, code, verifier));
  });

  it('a code redeemed after the TTL is invalid_grant saying it expired', async () => {
    const { code, verifier } = await freshCode(clock, c);
    clock.advance(31);
    expectError(await redeem(clock, c, code, verifier), 400, 'invalid_grant', /expired/);
  });
});
