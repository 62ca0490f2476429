// The UserInfo endpoint: OpenID Connect Core 1.0 §5.3 (GET and POST), §5.4 (claims per scope),
// §5.3.3 and RFC 6750 §2, §3, §3.1 (Bearer errors). SECURITY-CATALOG SEC-33, SEC-34, SEC-12.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browser } from '../support/browser.js';
import { tokenRequest } from '../support/oauth.js';
import { BOB, seed, startServer, type TestServer } from '../support/server.js';
import { expectSuccess, newClient, type TestClient } from '../token/fixtures.js';
import { postForm, revoke, signIn, userinfo, userId, type Answer } from './fixtures.js';

let server: TestServer;
let c1: TestClient;
let token: string;
beforeAll(async () => {
  server = await startServer();
  await seed(server);
  c1 = await newClient(server);
  token = (await signIn(server, c1, { scope: 'openid profile email' })).accessToken;
});
afterAll(async () => server.close());

/** RFC 6750 §3: the challenge, parsed into its attributes. */
function challenge(call: Answer): Record<string, string> {
  const header = call.headers.get('www-authenticate') ?? '';
  expect(header).toMatch(/^Bearer /);
  return Object.fromEntries([...header.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1] ?? '', m[2] ?? '']));
}

function expectBearerError(call: Answer, status: number, error: string, realm = server.url): Record<string, string> {
  expect(call.status, call.body).toBe(status);
  const attributes = challenge(call);
  expect(attributes).toMatchObject({ realm, error });
  return attributes;
}

describe('claims per scope (OIDC Core §5.3, §5.4; SEC-33)', () => {
  it('§5.3.1: GET with the Bearer header answers 200 JSON with sub, profile and email claims', async () => {
    const call = await userinfo(server, token);
    expect(call.status).toBe(200);
    expect(call.headers.get('content-type')).toMatch(/^application\/json/);
    expect(call.headers.get('cache-control')).toBe('no-store');
    expect(call.json).toStrictEqual({ sub: await userId(server), preferred_username: 'alice', name: 'Alice', email: 'alice@example.com', email_verified: false });
  });

  it('§5.3.1: POST with the Bearer header answers the same', async () => {
    const call = await userinfo(server, token, { method: 'POST' });
    expect(call.status).toBe(200);
    expect(call.json.sub).toBe(await userId(server));
  });

  it('RFC 6750 §2.2: POST with access_token in a form body answers the same', async () => {
    const call = await postForm(server, '/userinfo', { access_token: token });
    expect(call.status).toBe(200);
    expect(call.json.email).toBe('alice@example.com');
  });

  it('§5.4: sub only for openid alone; sub equals the ID token sub', async () => {
    const s = await signIn(server, c1, { scope: 'openid', browser: new Browser(server.url) });
    const call = await userinfo(server, s.accessToken);
    expect(call.json).toStrictEqual({ sub: s.claims.sub });
  });

  it('§5.4: profile gives preferred_username and name, without email', async () => {
    const s = await signIn(server, c1, { scope: 'openid profile', browser: new Browser(server.url), user: BOB });
    const call = await userinfo(server, s.accessToken);
    expect(call.json).toStrictEqual({ sub: await userId(server, BOB), preferred_username: 'bob', name: 'Bob' });
  });

  it('§5.4 (SEC-33): email gives email and email_verified false, without profile claims', async () => {
    const s = await signIn(server, c1, { scope: 'openid email', browser: new Browser(server.url) });
    const call = await userinfo(server, s.accessToken);
    expect(call.json).toStrictEqual({ sub: await userId(server), email: 'alice@example.com', email_verified: false });
  });
});

describe('Bearer errors (RFC 6750 §3.1, OIDC Core §5.3.3; SEC-34)', () => {
  it('SEC-34 (a): no token is 401 with WWW-Authenticate: Bearer realm="<issuer>" and no error attribute', async () => {
    const call = await userinfo(server, null);
    expect(call.status).toBe(401);
    expect(call.headers.get('www-authenticate')).toBe(`Bearer realm="${server.url}"`);
  });

  it('SEC-34 (b): a malformed token is 401 invalid_token', async () => {
    expectBearerError(await userinfo(server, 'invalid'), 401, 'invalid_token');
    expectBearerError(await userinfo(server, `${token.slice(0, -4)}AAAA`), 401, 'invalid_token');
  });

  it('SEC-34 (c): an expired token is 401 invalid_token', async () => {
    // The server's clock is moved past the lifetime, so a slow machine cannot expire it early.
    const short = await startServer({ accessTokenTtl: '60' });
    try {
      await seed(short);
      const c = await newClient(short);
      const s = await signIn(short, c);
      expect((await userinfo(short, s.accessToken)).status).toBe(200);
      short.advance(61);
      expectBearerError(await userinfo(short, s.accessToken), 401, 'invalid_token', short.url);
    } finally {
      await short.close();
    }
  });

  it('SEC-34 (c), RFC 7009: a revoked token is 401 invalid_token', async () => {
    const s = await signIn(server, c1, { browser: new Browser(server.url) });
    expect((await userinfo(server, s.accessToken)).status).toBe(200);
    expect((await revoke(server, c1.auth, { token: s.accessToken })).status).toBe(200);
    expectBearerError(await userinfo(server, s.accessToken), 401, 'invalid_token');
  });

  it('SEC-34 (h): an ID token as the bearer is 401 invalid_token', async () => {
    const s = await signIn(server, c1, { browser: new Browser(server.url) });
    expectBearerError(await userinfo(server, s.idToken), 401, 'invalid_token');
  });

  it('§5.3 (SEC-34): a token without openid is 403 insufficient_scope with scope="openid"', async () => {
    const s = await signIn(server, c1, { scope: 'api.read', browser: new Browser(server.url) });
    const attributes = expectBearerError(await userinfo(server, s.accessToken), 403, 'insufficient_scope');
    expect(attributes.scope).toBe('openid');
  });

  it('SEC-34 (g): a client_credentials token (no user, no openid) is refused with a Bearer error', async () => {
    const service = await newClient(server, { grantTypes: ['client_credentials'], redirectUris: [], scopes: ['api.read'] });
    const cc = await tokenRequest(server, { grant_type: 'client_credentials' }, service.auth);
    expectSuccess(cc);
    // The catalog prefers 403 insufficient_scope (a client_credentials token never carries openid); 401 is tolerated.
    const call = await userinfo(server, String(cc.json.access_token));
    expect([401, 403]).toContain(call.status);
    expect(challenge(call).error).toBe(call.status === 401 ? 'invalid_token' : 'insufficient_scope');
    expect(call.json).not.toHaveProperty('sub');
  });

  it('RFC 6750 §2 (SEC-34 f): a header and a body token together are 400 invalid_request', async () => {
    const call = await postForm(server, '/userinfo', { access_token: token }, null, { authorization: `Bearer ${token}` });
    expectBearerError(call, 400, 'invalid_request');
  });

  it('RFC 6750 §2 (SEC-34 f): a header and an access_token query parameter together are 400 invalid_request', async () => {
    const call = await userinfo(server, token, { headers: {} }, `?access_token=${token}`);
    expectBearerError(call, 400, 'invalid_request');
  });

  it('RFC 6750 §3.1 (SEC-34 d, e): "Bearer" with no token, or a Basic header, is 400 invalid_request', async () => {
    expectBearerError(await userinfo(server, null, { headers: { authorization: 'Bearer' } }), 400, 'invalid_request');
    expectBearerError(await userinfo(server, null, { headers: { authorization: 'Basic abc' } }), 400, 'invalid_request');
  });
});
