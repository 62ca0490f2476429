// Liveness and readiness (CONTRACTS.md "HTTP"): /healthz answers while the process runs, /readyz
// only while the database answers; while it does not, nothing answers 500 or a stack trace.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectNoLeak } from '../token/fixtures.js';
import { startServer, type TestServer } from '../support/server.js';

describe('a server with its database', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(async () => server.close());

  it('GET /healthz is 200', async () => {
    const response = await fetch(`${server.url}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
  });

  it('GET /readyz is 200 while the database answers', async () => {
    const response = await fetch(`${server.url}/readyz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ready' });
  });
});

describe('a server whose database is gone', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer();
    await server.store.close();
  });
  afterAll(async () => server.close());

  it('GET /readyz is 503, GET /healthz still 200', async () => {
    const ready = await fetch(`${server.url}/readyz`);
    expect(ready.status).toBe(503);
    expectNoLeak(await ready.text());
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });

  it('the token endpoint answers 503 temporarily_unavailable, never a 500', async () => {
    const response = await fetch(`${server.url}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from('a:b').toString('base64')}` },
      body: 'grant_type=client_credentials',
    });
    expect(response.status).toBe(503);
    const body = await response.text();
    expect(JSON.parse(body)).toMatchObject({ error: 'temporarily_unavailable' });
    expect(response.headers.get('retry-after')).toBe('5');
    expectNoLeak(body);
  });

  it('the metadata and the pages answer 503, never a 500', async () => {
    expect((await fetch(`${server.url}/.well-known/oauth-authorization-server`)).status).toBe(503);
    const page = await fetch(`${server.url}/authorize?client_id=x&response_type=code`);
    expect(page.status).toBe(503);
    expect(page.headers.get('content-type')).toContain('text/html');
    expectNoLeak(await page.text());
  });
});
