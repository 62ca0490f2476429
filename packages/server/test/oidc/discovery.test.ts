// Discovery of the OpenID Connect, revocation and introspection endpoints: OpenID Connect
// Discovery 1.0 §3 (provider metadata), §4.3 (issuer matches); RFC 8414 §2 (authorization server
// metadata), RFC 7009 §2 and RFC 7662 §2 (their endpoints in RFC 8414 §2), CONTRACTS.md (the
// metadata is complete and true: every endpoint listed answers at that URL).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seed, startServer, type TestServer } from '../support/server.js';
import { newClient } from '../token/fixtures.js';
import { signIn } from './fixtures.js';

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
  await seed(server);
});
afterAll(async () => server.close());

const DOCUMENTS = ['/.well-known/openid-configuration', '/.well-known/oauth-authorization-server'];

async function metadata(path: string): Promise<Record<string, unknown>> {
  const response = await fetch(`${server.url}${path}`);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  return (await response.json()) as Record<string, unknown>;
}

describe.each(DOCUMENTS)('%s', (path) => {
  it('Discovery §4.3, RFC 8414 §3.3: issuer is the issuer identifier', async () => {
    expect((await metadata(path)).issuer).toBe(server.url);
  });

  it('Discovery §3, RFC 8414 §2: lists userinfo, revocation, introspection and end_session endpoints under the issuer', async () => {
    const m = await metadata(path);
    expect(m).toMatchObject({
      userinfo_endpoint: `${server.url}/userinfo`,
      revocation_endpoint: `${server.url}/revoke`,
      introspection_endpoint: `${server.url}/introspect`,
      end_session_endpoint: `${server.url}/logout`,
    });
  });

  it('Discovery §3: subject_types_supported ["public"], response_types_supported ["code"], RS256 among the ID token algorithms', async () => {
    const m = await metadata(path);
    expect(m.subject_types_supported).toEqual(['public']);
    expect(m.response_types_supported).toEqual(['code']);
    expect(m.id_token_signing_alg_values_supported).toEqual(expect.arrayContaining(['RS256', 'ES256']));
    expect(m.id_token_signing_alg_values_supported).not.toContain('none');
  });

  it('Discovery §3: claims_supported lists the ID token and userinfo claims that are issued', async () => {
    const claims = (await metadata(path)).claims_supported;
    expect(claims).toEqual(expect.arrayContaining(['sub', 'iss', 'aud', 'exp', 'iat', 'auth_time', 'nonce', 'name', 'preferred_username', 'email', 'email_verified']));
  });

  it('RFC 8414 §2: scopes_supported includes openid, profile and email', async () => {
    expect((await metadata(path)).scopes_supported).toEqual(expect.arrayContaining(['openid', 'profile', 'email', 'offline_access']));
  });

  it('RFC 8414 §2: revocation and introspection list their authentication methods; introspection has no "none"', async () => {
    const m = await metadata(path);
    expect(m.revocation_endpoint_auth_methods_supported).toEqual(expect.arrayContaining(['client_secret_basic', 'client_secret_post']));
    expect(m.introspection_endpoint_auth_methods_supported).toEqual(expect.arrayContaining(['client_secret_basic', 'client_secret_post']));
    expect(m.introspection_endpoint_auth_methods_supported).not.toContain('none');
  });
});

describe('CONTRACTS.md: every listed endpoint answers at its URL', () => {
  it('both documents are the same', async () => {
    const [a, b] = await Promise.all(DOCUMENTS.map(metadata));
    expect(a).toEqual(b);
  });

  it('userinfo_endpoint: 401 Bearer challenge without a token, 200 with one (OIDC Core §5.3)', async () => {
    const m = await metadata(DOCUMENTS[0] ?? '');
    const bare = await fetch(String(m.userinfo_endpoint));
    expect(bare.status).toBe(401);
    expect(bare.headers.get('www-authenticate')).toMatch(/^Bearer realm=/);
    const c = await newClient(server);
    const s = await signIn(server, c, { scope: 'openid' });
    const ok = await fetch(String(m.userinfo_endpoint), { headers: { authorization: `Bearer ${s.accessToken}` } });
    expect(ok.status).toBe(200);
  });

  it('revocation_endpoint and introspection_endpoint: POST without client authentication is 401 invalid_client (RFC 7009 §2.1, RFC 7662 §2.1)', async () => {
    const m = await metadata(DOCUMENTS[0] ?? '');
    for (const url of [m.revocation_endpoint, m.introspection_endpoint]) {
      const response = await fetch(String(url), { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'token=x' });
      expect(response.status).toBe(401);
      expect(((await response.json()) as { error: string }).error).toBe('invalid_client');
    }
  });

  it('end_session_endpoint: GET answers 200 with an HTML page (RP-Initiated Logout §2)', async () => {
    const m = await metadata(DOCUMENTS[0] ?? '');
    const response = await fetch(String(m.end_session_endpoint));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
  });

  it('jwks_uri: the keys that sign ID tokens are published there (Discovery §3)', async () => {
    const m = await metadata(DOCUMENTS[0] ?? '');
    const c = await newClient(server);
    const s = await signIn(server, c, { scope: 'openid' });
    const { keys } = (await (await fetch(String(m.jwks_uri))).json()) as { keys: { kid: string }[] };
    expect(keys.map((k) => k.kid)).toContain(s.header.kid);
  });
});
