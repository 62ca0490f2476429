// Malformed, duplicated, oversized and oddly shaped requests to the token endpoint: RFC 6749
// §3.1, §3.2, §4.1.3, §5.2; SECURITY-CATALOG SEC-64..67. Every answer is a deterministic 4xx
// in JSON with nothing internal in it; never a 5xx.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { USER_SCOPES } from '../../src/oauth/scope.js';
import { seed, startServer, type TestServer } from '../support/server.js';
import { basic, expectNoLeak, expectSuccess, FORM, freshCode, newClient, rawRequest, redeem, type RawResponse, type TestClient } from './fixtures.js';

let server: TestServer;
let c1: TestClient;
let p1: TestClient;
beforeAll(async () => {
  server = await startServer();
  await seed(server);
  c1 = await newClient(server, { grantTypes: ['authorization_code', 'refresh_token', 'client_credentials'] });
  p1 = await newClient(server, { public: true });
});
afterAll(async () => server.close());

function auth(): Record<string, string> {
  return { authorization: basic(c1.id, c1.secret ?? '') };
}

/** POST /token with a raw body, authenticated as c1 unless told otherwise. */
function post(body: string | Buffer, headers: Record<string, string> = FORM, method = 'POST', withAuth = true): Promise<RawResponse> {
  return rawRequest(server, method, '/token', { ...(withAuth ? auth() : {}), ...headers }, body);
}

function expectJsonError(res: RawResponse, status: number, error: string, description?: RegExp): Record<string, unknown> {
  expectNoLeak(res.body);
  const json = JSON.parse(res.body) as Record<string, unknown>;
  expect({ status: res.status, error: json.error }, res.body).toEqual({ status, error });
  expect(res.headers['content-type']).toMatch(/^application\/json\b/);
  expect(res.headers['cache-control']).toBe('no-store');
  expect(json).not.toHaveProperty('access_token');
  if (description !== undefined) expect(String(json.error_description)).toMatch(description);
  return json;
}

describe('SEC-64 duplicate parameters (RFC 6749 §3.2: a parameter MUST NOT appear more than once)', () => {
  it('(a) grant_type twice is 400 invalid_request naming grant_type', async () => {
    const res = await post('grant_type=authorization_code&grant_type=client_credentials');
    expectJsonError(res, 400, 'invalid_request', /'grant_type' parameter must not be provided more than once/);
  });

  it('(b) code twice is 400 invalid_request naming code, and does not burn the code', async () => {
    const { code, verifier } = await freshCode(server, c1);
    const body = new URLSearchParams([['grant_type', 'authorization_code'], ['code', code], ['code', 'other'], ['redirect_uri', c1.redirectUri], ['code_verifier', verifier]]);
    expectJsonError(await post(body.toString()), 400, 'invalid_request', /'code' parameter must not be provided more than once/);
    expectSuccess(await redeem(server, c1, code, verifier));
  });

  it('client_secret twice is 400 invalid_request', async () => {
    const res = await post(`grant_type=client_credentials&client_id=${c1.id}&client_secret=a&client_secret=b`, FORM, 'POST', false);
    expectJsonError(res, 400, 'invalid_request', /'client_secret'/);
  });
});

describe('SEC-65 content type and method (RFC 6749 §3.2, §4.1.3)', () => {
  it('(a) a JSON body is 400 invalid_request asking for form encoding', async () => {
    const res = await post(JSON.stringify({ grant_type: 'client_credentials' }), { 'content-type': 'application/json' });
    expectJsonError(res, 400, 'invalid_request', /application\/x-www-form-urlencoded/);
  });

  it('(a) malformed JSON is 400 invalid_request too, not a parser banner', async () => {
    expectJsonError(await post('{"grant_type":', { 'content-type': 'application/json' }), 400, 'invalid_request');
  });

  it('(b) a multipart body is 400 invalid_request', async () => {
    const body = '--x\r\nContent-Disposition: form-data; name="grant_type"\r\n\r\nclient_credentials\r\n--x--\r\n';
    expectJsonError(await post(body, { 'content-type': 'multipart/form-data; boundary=x' }), 400, 'invalid_request');
  });

  it('a body with no content type is 400 invalid_request', async () => {
    expectJsonError(await post('grant_type=client_credentials', {}), 400, 'invalid_request');
  });

  it('(c) GET /token is 405 with Allow: POST, and never issues a token', async () => {
    const res = await rawRequest(server, 'GET', '/token?grant_type=client_credentials', auth());
    expectJsonError(res, 405, 'invalid_request', /only POST/);
    expect(res.headers.allow).toBe('POST');
  });

  it('(d) PUT /token is 405 with Allow: POST', async () => {
    const res = await post('grant_type=client_credentials', FORM, 'PUT');
    expectJsonError(res, 405, 'invalid_request');
    expect(res.headers.allow).toBe('POST');
  });

  it('(h) an empty code_verifier is handled exactly as an omitted one (RFC 6749 §3.1)', async () => {
    const legacy = await newClient(server, { pkceOptional: true });
    const { code } = await freshCode(server, legacy, { pkce: false });
    expectSuccess(await redeem(server, legacy, code, ''));
  });
});

describe('SEC-66 malformed encodings and parameter pollution', () => {
  it('(a) a truncated percent-escape is a 4xx JSON error, never a 5xx', async () => {
    const res = await post('grant_type=authorization_code&code=%E0%A4%A');
    expectNoLeak(res.body);
    expect(res.status).toBe(400);
    expect(['invalid_request', 'invalid_grant']).toContain((JSON.parse(res.body) as { error: string }).error);
  });

  it('(a) a truncated escape in grant_type is unsupported or invalid, never a 5xx', async () => {
    const res = await post('grant_type=client_%E0%A4%A');
    expect(res.status).toBe(400);
    expectNoLeak(res.body);
  });

  it('(h) client_id[]=x is not an array: a public client named that way is not authenticated', async () => {
    const { code, verifier } = await freshCode(server, p1);
    const body = `grant_type=authorization_code&client_id[]=${p1.id}&code=${code}&code_verifier=${verifier}&redirect_uri=${encodeURIComponent(p1.redirectUri)}`;
    expectJsonError(await post(body, FORM, 'POST', false), 401, 'invalid_client', /client authentication is required/);
  });

  it('(h) scope[0][foo]=bar is not an object: with no other credentials it is a 4xx', async () => {
    const res = await post('grant_type=client_credentials&client_id[]=x&scope[0][foo]=bar', FORM, 'POST', false);
    expectJsonError(res, 401, 'invalid_client');
  });

  it('(h) scope[0][foo]=bar from a valid client is an unknown parameter, ignored (§3.1): the default scope applies', async () => {
    const res = await post('grant_type=client_credentials&scope[0][foo]=bar&scope[]=api.admin');
    expect(res.status).toBe(200);
    // The default is the client's API scopes: user scopes mean nothing without a user.
    expect(JSON.parse(res.body)).toMatchObject({ scope: c1.client.scopes.filter((s) => !USER_SCOPES.has(s)).join(' ') });
  });

  it('a NUL byte in client_id is 401 invalid_client', async () => {
    expectJsonError(await post(`grant_type=client_credentials&client_id=${c1.id}%00&client_secret=${c1.secret ?? ''}`, FORM, 'POST', false), 401, 'invalid_client');
  });
});

describe('SEC-67 oversized inputs', () => {
  it('(c) a 10 MB body is 413', async () => {
    const res = await post(Buffer.alloc(10 * 1024 * 1024, 'a'));
    expect(res.status).toBe(413);
    expectNoLeak(res.body);
  });

  it('(g) 10,000 form fields are a 4xx', async () => {
    for (const body of [
      Array.from({ length: 10_000 }, (_, i) => `${i.toString(36)}=1`).join('&'),
      `grant_type=client_credentials&${'scope=a&'.repeat(10_000)}`,
    ]) {
      const res = await post(body, FORM, 'POST', false);
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
      expectNoLeak(res.body);
    }
  });

  it('a parameter longer than 4096 characters is 400 invalid_request naming it', async () => {
    expectJsonError(await post(`grant_type=refresh_token&refresh_token=${'a'.repeat(5_000)}`), 400, 'invalid_request', /'refresh_token' parameter is longer than 4096/);
  });

  it('the server still answers a legitimate request afterwards', async () => {
    const res = await post('grant_type=client_credentials&scope=api.read');
    expect(res.status).toBe(200);
  });
});
