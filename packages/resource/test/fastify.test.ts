// The Fastify adapter over real HTTP: per-route `config.scopes`, the requireScopes preHandler,
// `request.auth`, and the RFC 6750 §3 answers.
import formbody from '@fastify/formbody';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVerifier } from '../src/index.js';
import { latchkey, requireScopes } from '../src/fastify.js';
import { ALICE, AUDIENCE, startIssuer, type Issuer } from './support/issuer.js';

let issuer: Issuer;
let app: FastifyInstance;
let base: string;
let readOnly: string;

beforeAll(async () => {
  issuer = await startIssuer();
  readOnly = await issuer.token(ALICE, 'calendar.read');
  const verifier = createVerifier({ issuer: issuer.url, audience: AUDIENCE, realm: 'test-api' });
  app = Fastify();
  await app.register(formbody);
  await app.register(latchkey, { verifier });
  app.get('/open', async (request) => ({ auth: request.auth }));
  app.get('/read', { config: { scopes: ['calendar.read'] } }, async (request) => ({ sub: request.auth?.sub, scopes: request.auth?.scopes }));
  app.post('/write', { config: { scopes: ['calendar.write'] } }, async () => ({ ok: true }));
  app.get('/factory', { preHandler: requireScopes(verifier, 'drive.read') }, async (request) => ({ sub: request.auth?.sub }));
  base = await app.listen({ host: '127.0.0.1', port: 0 });
});
afterAll(async () => {
  await app.close();
  await issuer.close();
});

const get = (path: string, token?: string) => fetch(`${base}${path}`, { headers: token === undefined ? {} : { authorization: `Bearer ${token}` } });

describe('@latchkey/resource/fastify', () => {
  it('lets a valid token through and puts the caller on request.auth', async () => {
    const response = await get('/read', readOnly);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ scopes: ['calendar.read'], sub: expect.any(String) });
  });

  it('leaves routes without scopes alone', async () => {
    expect(await (await get('/open')).json()).toEqual({ auth: null });
  });

  it('answers a missing token with a bare challenge', async () => {
    const response = await get('/read');
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe('Bearer realm="test-api"');
  });

  it('answers a bad token with invalid_token, without echoing it', async () => {
    const response = await get('/read', 'bogus.token.here');
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toContain('error="invalid_token"');
    expect(await response.text()).not.toContain('bogus.token.here');
  });

  it('answers a missing scope with 403 insufficient_scope', async () => {
    const response = await fetch(`${base}/write`, { method: 'POST', headers: { authorization: `Bearer ${readOnly}` } });
    expect(response.status).toBe(403);
    expect(response.headers.get('www-authenticate')).toContain('error="insufficient_scope"');
    expect(response.headers.get('www-authenticate')).toContain('scope="calendar.write"');
  });

  it('reads a form body token after the body is parsed (RFC 6750 §2.2)', async () => {
    const response = await fetch(`${base}/write`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ access_token: readOnly }) });
    // The token was found and verified: it lacks calendar.write.
    expect(response.status).toBe(403);
  });

  it('refuses the query string by default (D-8)', async () => {
    const response = await get(`/read?access_token=${readOnly}`);
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toContain('query string');
  });

  it('protects a route through the requireScopes preHandler', async () => {
    expect((await get('/factory', readOnly)).status).toBe(403);
    const both = await issuer.token(ALICE, 'drive.read');
    expect((await get('/factory', both)).status).toBe(200);
  });
});
