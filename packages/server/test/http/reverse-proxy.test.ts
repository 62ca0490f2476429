// Behind a TLS-terminating reverse proxy (RFC 9700 §4.13; SEC-41): the issuer's URLs never come
// from request headers, forwarded headers count only when LATCHKEY_TRUST_PROXY says so, and a
// browser is sent to the issuer's host before any cookie is set.
import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../support/server.js';

interface Raw {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** node:http, because fetch does not let a test choose the Host header. */
function get(server: TestServer, path: string, headers: Record<string, string>): Promise<Raw> {
  const { port } = server.app.server.address() as AddressInfo;
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, headers }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('a server behind a trusted TLS proxy (LATCHKEY_TRUST_PROXY=true)', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer({ issuer: 'https://as.example', trustProxy: 'true' });
  });
  afterAll(async () => server.close());

  it('serves pages forwarded for the issuer host, with a __Host- Secure session cookie', async () => {
    const page = await get(server, '/login', { host: '127.0.0.1', 'x-forwarded-host': 'as.example', 'x-forwarded-proto': 'https' });
    expect(page.status).toBe(200);
    const cookie = String(page.headers['set-cookie']);
    expect(cookie).toMatch(/^__Host-latchkey_session=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; Secure; SameSite=Lax$/);
    expect(page.headers['strict-transport-security']).toContain('max-age=');
  });

  it('sends a browser that arrived under another host to the issuer before setting a cookie', async () => {
    const page = await get(server, '/login?x=1', { host: '127.0.0.1', 'x-forwarded-host': 'other.example', 'x-forwarded-proto': 'https' });
    expect(page.status).toBe(303);
    expect(page.headers.location).toBe('https://as.example/login?x=1');
    expect(page.headers['set-cookie']).toBeUndefined();
  });

  it('publishes https URLs from the issuer whatever the request says (SEC-41)', async () => {
    const page = await get(server, '/.well-known/oauth-authorization-server', { host: 'evil.example', 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'http' });
    expect(page.status).toBe(200);
    const metadata = JSON.parse(page.body) as Record<string, string>;
    expect(metadata.issuer).toBe('https://as.example');
    expect(metadata.token_endpoint).toBe('https://as.example/token');
    expect(page.body).not.toContain('evil.example');
  });
});

describe('a server that does not trust proxies (the default)', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer({ issuer: 'https://as.example' });
  });
  afterAll(async () => server.close());

  it('ignores X-Forwarded-Host: only the Host header counts', async () => {
    const forged = await get(server, '/login', { host: 'evil.example', 'x-forwarded-host': 'as.example' });
    expect(forged.status).toBe(303);
    expect(forged.headers.location).toBe('https://as.example/login');
    const proxied = await get(server, '/login', { host: 'as.example' });
    expect(proxied.status).toBe(200);
  });
});
