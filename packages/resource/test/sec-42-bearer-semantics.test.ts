// SEC-42: RFC 6750 semantics at a protected API built with @latchkey/resource's defaults (Fastify
// adapter): the answers of §3 and §3.1, one transmission method per request (§2), and query-string
// tokens refused by default (§2.3 discourages them; policy D-8). No error carries resource data.
import formbody from '@fastify/formbody';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVerifier } from '../src/index.js';
import { latchkey } from '../src/fastify.js';
import { ALICE, AUDIENCE, startIssuer, type Issuer } from './support/issuer.js';

const SECRET_ITEMS = ['the-private-item-17'];

let issuer: Issuer;
let app: FastifyInstance;
let base: string;
let withScope: string;
let withoutScope: string;

beforeAll(async () => {
  issuer = await startIssuer();
  withScope = await issuer.token(ALICE, 'calendar.read');
  withoutScope = await issuer.token(ALICE, 'drive.read');
  const verifier = createVerifier({ issuer: issuer.url, audience: AUDIENCE, realm: 'rs-a' });
  app = Fastify();
  await app.register(formbody);
  await app.register(latchkey, { verifier });
  app.get('/api/items', { config: { scopes: ['calendar.read'] } }, async () => ({ items: SECRET_ITEMS }));
  app.post('/api/items', { config: { scopes: ['calendar.read'] } }, async () => ({ items: SECRET_ITEMS }));
  base = await app.listen({ host: '127.0.0.1', port: 0 });
});
afterAll(async () => {
  await app.close();
  await issuer.close();
});

async function request(init: { token?: string; query?: string; form?: Record<string, string> } = {}) {
  const headers: Record<string, string> = {};
  if (init.token !== undefined) headers.authorization = `Bearer ${init.token}`;
  let body: string | undefined;
  if (init.form !== undefined) {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    body = new URLSearchParams(init.form).toString();
  }
  const response = await fetch(`${base}/api/items${init.query ?? ''}`, { method: body === undefined ? 'GET' : 'POST', headers, body });
  const text = await response.text();
  // No resource data in any error (and no token echoed back).
  if (response.status !== 200) {
    expect(text).not.toContain(SECRET_ITEMS[0]);
    if (init.token !== undefined) expect(text).not.toContain(init.token);
  }
  return { status: response.status, challenge: response.headers.get('www-authenticate'), text };
}

describe('SEC-42: RFC 6750 semantics at a protected API', () => {
  it('(a) no token: 401 with a bare Bearer challenge naming the realm, no error code (RFC 6750 §3.1)', async () => {
    const answer = await request();
    expect(answer.status).toBe(401);
    expect(answer.challenge).toBe('Bearer realm="rs-a"');
  });

  it('(b) a bogus token: 401 invalid_token (RFC 6750 §3.1)', async () => {
    const answer = await request({ token: 'bogus' });
    expect(answer.status).toBe(401);
    expect(answer.challenge).toMatch(/^Bearer realm="rs-a", error="invalid_token"/);
  });

  it('(c) an expired access token: 401 invalid_token (RFC 6750 §3.1)', async () => {
    const now = Math.floor(Date.now() / 1000);
    const expired = await issuer.sign({ iat: now - 700, exp: now - 60, scope: 'calendar.read' });
    const answer = await request({ token: expired });
    expect(answer.status).toBe(401);
    expect(answer.challenge).toMatch(/^Bearer realm="rs-a", error="invalid_token"/);
  });

  it('(d) a token without the route scope: 403 insufficient_scope naming the scope needed (RFC 6750 §3.1)', async () => {
    const answer = await request({ token: withoutScope });
    expect(answer.status).toBe(403);
    expect(answer.challenge).toContain('error="insufficient_scope"');
    expect(answer.challenge).toContain('scope="calendar.read"');
  });

  it('(e) a token only in the query string: 401, not accepted by default (RFC 6750 §2.3, D-8)', async () => {
    const answer = await request({ query: `?access_token=${withScope}` });
    expect(answer.status).toBe(401);
    expect(answer.text).not.toContain(withScope);
    // The same token in the header works: only its place was refused.
    expect((await request({ token: withScope })).status).toBe(200);
  });

  it('(f) a token in the header and in the body at once: 400 invalid_request (RFC 6750 §2)', async () => {
    const answer = await request({ token: withScope, form: { access_token: withScope } });
    expect(answer.status).toBe(400);
    expect(answer.challenge ?? answer.text).toContain('invalid_request');
  });
});
