// Authorization server metadata (RFC 8414 §2, §3; OIDC Discovery §3, §4): complete, true, and
// advertising only safe options (RFC 9700 §2.1.1, §2.1.2, §2.4; RFC 9207 §3). SEC-40, SEC-41.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectNoLeak, FORM, rawRequest } from '../token/fixtures.js';
import { startServer, type TestServer } from '../support/server.js';

const PATHS = ['/.well-known/oauth-authorization-server', '/.well-known/openid-configuration'];

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(async () => server.close());

async function discover(path = PATHS[0] ?? '', headers: Record<string, string> = {}): Promise<{ response: Response; json: Record<string, unknown> }> {
  const response = await fetch(`${server.url}${path}`, { headers });
  return { response, json: (await response.json()) as Record<string, unknown> };
}

describe('SEC-40 metadata is complete and true (RFC 8414 §2)', () => {
  it('both well-known paths answer 200 with the same JSON', async () => {
    const [a, b] = await Promise.all(PATHS.map((p) => discover(p)));
    expect(a?.response.status).toBe(200);
    expect(b?.response.status).toBe(200);
    expect(a?.response.headers.get('content-type')).toMatch(/^application\/json\b/);
    expect(a?.json).toEqual(b?.json);
  });

  it('issuer is byte-identical to the server issuer, and every endpoint derives from it (§3.3)', async () => {
    const { json } = await discover();
    expect(json.issuer).toBe(server.url);
    for (const name of ['authorization_endpoint', 'token_endpoint', 'jwks_uri']) {
      expect(String(json[name]).startsWith(`${server.url}/`), name).toBe(true);
    }
  });

  it('the endpoints it lists exist and answer (fetch each)', async () => {
    const { json } = await discover();
    const authorization = await fetch(String(json.authorization_endpoint), { redirect: 'manual' });
    expect(authorization.status).toBe(400);
    expect(authorization.headers.get('content-type')).toMatch(/^text\/html\b/);
    const token = await fetch(String(json.token_endpoint), { method: 'POST', headers: FORM, body: 'grant_type=client_credentials' });
    expect(token.status).toBe(401);
    expect(await token.json()).toMatchObject({ error: 'invalid_client' });
    const jwks = await fetch(String(json.jwks_uri));
    expect(jwks.status).toBe(200);
    expect(((await jwks.json()) as { keys: unknown[] }).keys.length).toBeGreaterThan(0);
  });

  it('PKCE is S256 only; iss in authorization responses; response_type code only (RFC 9700 §2.1.1, RFC 9207)', async () => {
    const { json } = await discover();
    expect(json.code_challenge_methods_supported).toEqual(['S256']);
    expect(json.authorization_response_iss_parameter_supported).toBe(true);
    expect(json.response_types_supported).toEqual(['code']);
  });

  it('grant types are the ones served, never password or implicit (RFC 9700 §2.1.2, §2.4)', async () => {
    const { json } = await discover();
    const grants = json.grant_types_supported as string[];
    expect([...grants].sort()).toEqual(['authorization_code', 'client_credentials', 'refresh_token']);
    expect(grants).not.toContain('password');
    expect(grants).not.toContain('implicit');
  });

  it('token endpoint auth methods are client_secret_basic, client_secret_post and none', async () => {
    const { json } = await discover();
    expect([...(json.token_endpoint_auth_methods_supported as string[])].sort()).toEqual(['client_secret_basic', 'client_secret_post', 'none']);
  });

  it('scopes_supported includes openid and reflects a scope added to the store within 5 s', async () => {
    const before = (await discover()).json.scopes_supported as string[];
    expect(before).toEqual(expect.arrayContaining(['openid', 'profile', 'email', 'offline_access']));
    expect(before).not.toContain('reports.read');
    await server.store.scopes.create({ name: 'reports.read', description: 'Read your reports', resource: null });
    const deadline = Date.now() + 5_000;
    const current = async () => (await discover(PATHS[1])).json.scopes_supported as string[];
    while (!(await current()).includes('reports.read') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
    expect(await current()).toContain('reports.read');
  });

  it('allows CORS: Access-Control-Allow-Origin: * on both documents', async () => {
    for (const path of PATHS) {
      const { response } = await discover(path, { origin: 'https://spa.example' });
      expect(response.headers.get('access-control-allow-origin')).toBe('*');
    }
  });
});

describe('SEC-41 Host and forwarded headers do not poison the metadata (RFC 9700 §4.13)', () => {
  const poisons: [string, Record<string, string>][] = [
    ['Host: evil.example', { host: 'evil.example' }],
    ['X-Forwarded-Host: evil.example', { 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'https' }],
    ['Forwarded: host=evil.example', { forwarded: 'host=evil.example;proto=https' }],
  ];
  for (const [name, headers] of poisons) {
    it(`${name} changes no URL`, async () => {
      const expected = (await discover()).json;
      for (const path of PATHS) {
        const res = await rawRequest(server, 'GET', path, headers);
        expectNoLeak(res.body);
        expect(res.body).not.toContain('evil.example');
        if (res.status === 200) expect(JSON.parse(res.body)).toEqual(expected);
        else expect([400, 421]).toContain(res.status);
      }
    });
  }
});
