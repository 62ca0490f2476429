// The JSON endpoints' security headers (OWASP REST Security Cheat Sheet; RFC 9700 §4.16,
// §4.2.4): nosniff, no framing, a CSP that allows nothing, no referrer, and none of the pages'
// own headers, which mean nothing to a response nothing renders (issue 9: each header costs).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addClient, seed, startServer, type TestServer } from '../support/server.js';

const PAGE_ONLY = ['cross-origin-opener-policy', 'origin-agent-cluster', 'x-dns-prefetch-control', 'x-download-options', 'x-permitted-cross-domain-policies', 'x-xss-protection'];

let server: TestServer;
let basic: string;
beforeAll(async () => {
  server = await startServer();
  await seed(server);
  const { client, secret } = await addClient(server, { grantTypes: ['client_credentials'], scopes: ['api.read'], redirectUris: [] });
  basic = `Basic ${Buffer.from(`${client.id}:${secret ?? ''}`).toString('base64')}`;
});
afterAll(async () => server.close());

const form = (body: string) => ({ method: 'POST', headers: { authorization: basic, 'content-type': 'application/x-www-form-urlencoded' }, body });

describe('headers on the JSON endpoints', () => {
  it('token (success and error), introspection, revocation, userinfo, metadata, JWKS and a 404 carry the API set', async () => {
    const token = await fetch(`${server.url}/token`, form('grant_type=client_credentials&scope=api.read'));
    expect(token.status).toBe(200);
    const { access_token: accessToken } = (await token.json()) as { access_token: string };
    const answers = {
      token,
      'token error': await fetch(`${server.url}/token`, form('grant_type=password')),
      introspection: await fetch(`${server.url}/introspect`, form(`token=${accessToken}`)),
      revocation: await fetch(`${server.url}/revoke`, form('token=unknown')),
      userinfo: await fetch(`${server.url}/userinfo`, { headers: { authorization: `Bearer ${accessToken}` } }),
      metadata: await fetch(`${server.url}/.well-known/openid-configuration`),
      jwks: await fetch(`${server.url}/jwks`),
      'not found': await fetch(`${server.url}/no-such-endpoint`),
    };
    for (const [name, response] of Object.entries(answers)) {
      const h = response.headers;
      expect(h.get('content-security-policy'), name).toBe("default-src 'none';frame-ancestors 'none'");
      expect(h.get('x-frame-options'), name).toBe('DENY');
      expect(h.get('x-content-type-options'), name).toBe('nosniff');
      expect(h.get('referrer-policy'), name).toBe('no-referrer');
      for (const header of PAGE_ONLY) expect(h.has(header), `${name}: ${header}`).toBe(false);
    }
  });

  it('the browser pages keep the full set, the pages’ CSP included', async () => {
    const login = await fetch(`${server.url}/login`);
    expect(login.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(login.headers.get('x-frame-options')).toBe('DENY');
    for (const header of ['cross-origin-opener-policy', 'x-dns-prefetch-control', 'x-xss-protection']) expect(login.headers.has(header), header).toBe(true);
  });
});
