// Client authentication at the token endpoint (RFC 6749 §2.3, §2.3.1, §3.2.1, §5.2, App. B)
// and grant-type errors (§4.4, §5.2; RFC 9700 §2.4). SECURITY-CATALOG SEC-18, SEC-19, SEC-66 f.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashSecret } from '../../src/tokens/secrets.js';
import { tokenRequest, type TokenCall } from '../support/oauth.js';
import { seed, startServer, type TestServer } from '../support/server.js';
import { basic, expectError, expectNoLeak, expectSuccess, FORM, freshCode, newClient, rawRequest, redeem, type TestClient } from './fixtures.js';

const CC = { grant_type: 'client_credentials' };

let server: TestServer;
let c1: TestClient;
let p1: TestClient;
beforeAll(async () => {
  server = await startServer();
  await seed(server);
  c1 = await newClient(server, { grantTypes: ['authorization_code', 'refresh_token', 'client_credentials'], scopes: ['openid', 'api.read'] });
  p1 = await newClient(server, { public: true });
});
afterAll(async () => server.close());

function withHeader(authorization: string, form: Record<string, string> = CC): Promise<TokenCall> {
  return tokenRequest(server, form, null, { authorization });
}

function expectBasicChallenge(call: TokenCall): void {
  expect(call.headers.get('www-authenticate')).toBe(`Basic realm="${server.url}"`);
}

describe('SEC-18 client authentication (RFC 6749 §2.3.1)', () => {
  it('client_secret_basic works for a confidential client', async () => {
    expectSuccess(await tokenRequest(server, CC, c1.auth));
  });

  it('client_secret_post works for a confidential client', async () => {
    expectSuccess(await tokenRequest(server, { ...CC, client_id: c1.id, client_secret: c1.secret ?? '' }));
  });

  it('(a) a wrong secret over Basic is 401 invalid_client with WWW-Authenticate: Basic realm="<issuer>" (§5.2)', async () => {
    const call = await tokenRequest(server, CC, { clientId: c1.id, secret: 'wrong' });
    expectError(call, 401, 'invalid_client', /unknown client or wrong client secret/);
    expectBasicChallenge(call);
  });

  it('(b) an unknown client over Basic is 401 invalid_client, indistinguishable from a wrong secret', async () => {
    const unknown = await tokenRequest(server, CC, { clientId: 'no-such-client', secret: 'x' });
    const wrong = await tokenRequest(server, CC, { clientId: c1.id, secret: 'wrong' });
    expectError(unknown, 401, 'invalid_client');
    expectBasicChallenge(unknown);
    expect(unknown.json).toEqual(wrong.json);
  });

  it('(c) a wrong secret in the body is 401 invalid_client (401 whichever way, CONTRACTS.md)', async () => {
    expectError(await tokenRequest(server, { ...CC, client_id: c1.id, client_secret: 'wrong' }), 401, 'invalid_client');
  });

  it('an unknown client_id in the body is 401 invalid_client', async () => {
    expectError(await tokenRequest(server, { ...CC, client_id: 'no-such-client', client_secret: 'x' }), 401, 'invalid_client');
  });

  it('(d) Basic plus client_secret in the body is 400 invalid_request: one method only (§2.3)', async () => {
    const call = await tokenRequest(server, { ...CC, client_secret: c1.secret ?? '' }, c1.auth);
    expectError(call, 400, 'invalid_request', /either HTTP Basic or client_secret/);
    expect(call.headers.get('www-authenticate')).toBeNull();
  });

  it('(e) a body client_id that differs from the Basic one is 400 invalid_request naming client_id', async () => {
    expectError(await tokenRequest(server, { ...CC, client_id: p1.id }, c1.auth), 400, 'invalid_request', /client_id/);
  });

  it('a body client_id equal to the Basic one is accepted', async () => {
    expectSuccess(await tokenRequest(server, { ...CC, client_id: c1.id }, c1.auth));
  });

  it('(f) credentials in the query string are never read (§2.3.1): 401 invalid_client', async () => {
    const q = new URLSearchParams({ client_id: c1.id, client_secret: c1.secret ?? '' });
    const res = await rawRequest(server, 'POST', `/token?${q.toString()}`, FORM, 'grant_type=client_credentials');
    expect(res.status).toBe(401);
    expect(JSON.parse(res.body)).toMatchObject({ error: 'invalid_client' });
  });

  it('no client authentication at all is 401 invalid_client', async () => {
    expectError(await tokenRequest(server, CC), 401, 'invalid_client', /client authentication is required/);
  });

  it('a public client authenticates with `none` (client_id only)', async () => {
    const { code, verifier } = await freshCode(server, p1);
    expectSuccess(await redeem(server, p1, code, verifier));
  });

  it('a public client that sends a secret is refused: 401 invalid_client, in the body or over Basic', async () => {
    const { code, verifier } = await freshCode(server, p1);
    const form = { grant_type: 'authorization_code', code, code_verifier: verifier, redirect_uri: p1.redirectUri };
    expectError(await tokenRequest(server, { ...form, client_id: p1.id, client_secret: 'guess' }), 401, 'invalid_client', /public client/);
    expectError(await tokenRequest(server, form, { clientId: p1.id, secret: 'guess' }), 401, 'invalid_client', /public client/);
  });

  it('a confidential client with no secret (client_id only) is 401 invalid_client', async () => {
    expectError(await tokenRequest(server, { ...CC, client_id: c1.id }), 401, 'invalid_client', /must authenticate with its secret/);
  });
});

describe('SEC-18 g / SEC-66 f: malformed Basic credentials are 401 invalid_client, never a 5xx', () => {
  const cases: [string, string][] = [
    ['non-base64 characters', 'Basic !!!not*base64!!!'],
    ['no colon after decoding', `Basic ${Buffer.from('just-an-id').toString('base64')}`],
    ['an empty client id', `Basic ${Buffer.from(':secret').toString('base64')}`],
    ['a broken percent-escape', `Basic ${Buffer.from('%E0%A4%A:x').toString('base64')}`],
    ['an empty value', 'Basic '],
    ['another scheme', 'Bearer abc'],
    ['8 KB of Base64', `Basic ${'QUFB'.repeat(2048)}`],
  ];
  for (const [name, header] of cases) {
    it(`${name}`, async () => {
      const call = await withHeader(header);
      expectError(call, 401, 'invalid_client');
    });
  }

  it('a 64 KB Authorization header is refused with a 4xx (431 from the HTTP parser, or 401)', async () => {
    const res = await rawRequest(server, 'POST', '/token', { ...FORM, authorization: `Basic ${'QUFB'.repeat(16_384)}` }, 'grant_type=client_credentials');
    expect([400, 401, 431]).toContain(res.status);
    expectNoLeak(res.body);
  });
});

describe('SEC-18 h: RFC 6749 App. B, id and secret are form-urlencoded inside Basic', () => {
  const id = 'app id:50%+more';
  const secret = 'p@ss word:+%/é';
  beforeAll(async () => {
    await server.store.clients.create({
      ...c1.client,
      id,
      secretHash: hashSecret(secret),
      grantTypes: ['client_credentials'],
      redirectUris: [],
      createdAt: server.now(),
    });
  });

  it('accepts application/x-www-form-urlencoded encoding (space as +)', async () => {
    const encode = (v: string) => new URLSearchParams({ v }).toString().slice(2);
    expectSuccess(await withHeader(`Basic ${Buffer.from(`${encode(id)}:${encode(secret)}`).toString('base64')}`));
  });

  it('accepts percent-encoding (space as %20)', async () => {
    expectSuccess(await withHeader(basic(id, secret)));
  });

  it('accepts the same credentials in the body (client_secret_post)', async () => {
    expectSuccess(await tokenRequest(server, { ...CC, client_id: id, client_secret: secret }));
  });
});

describe('SEC-19 grant types (RFC 6749 §5.2; RFC 9700 §2.4)', () => {
  for (const grant of ['password', 'implicit', 'foo', 'urn:ietf:params:oauth:grant-type:device_code']) {
    it(`grant_type=${grant} is 400 unsupported_grant_type naming the supported ones`, async () => {
      const call = await tokenRequest(server, { grant_type: grant, username: 'alice', password: 'wonderland' }, c1.auth);
      expectError(call, 400, 'unsupported_grant_type', /authorization_code, refresh_token, client_credentials/);
    });
  }

  it('a missing grant_type is 400 invalid_request naming it', async () => {
    expectError(await tokenRequest(server, { scope: 'api.read' }, c1.auth), 400, 'invalid_request', /'grant_type' parameter is required/);
  });

  it('a grant the client is not registered for is 400 unauthorized_client (public client asking client_credentials)', async () => {
    expectError(await tokenRequest(server, { ...CC, client_id: p1.id }), 400, 'unauthorized_client', /client_credentials/);
  });

  it('a client_credentials-only client sending a code is 400 unauthorized_client', async () => {
    const c5 = await newClient(server, { grantTypes: ['client_credentials'], redirectUris: [], scopes: ['api.read'] });
    const call = await tokenRequest(server, { grant_type: 'authorization_code', code: 'x'.repeat(43), code_verifier: 'v'.repeat(43) }, c5.auth);
    expectError(call, 400, 'unauthorized_client', /authorization_code/);
  });
});
