// The Express/Connect adapter over real HTTP: requireScopes(...), `req.auth`, RFC 6750 answers.
import type { Server } from 'node:http';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireScopes, type BearerIncomingMessage } from '../src/express.js';
import { createVerifier } from '../src/index.js';
import { ALICE, AUDIENCE, startIssuer, type Issuer } from './support/issuer.js';

let issuer: Issuer;
let server: Server;
let base: string;
let readOnly: string;

beforeAll(async () => {
  issuer = await startIssuer();
  readOnly = await issuer.token(ALICE, 'calendar.read');
  const verifier = createVerifier({ issuer: issuer.url, audience: AUDIENCE, allowQueryToken: true });
  const app = express();
  app.use(express.urlencoded({ extended: false }));
  app.get('/read', requireScopes(verifier, 'calendar.read'), (req, res) => {
    res.json({ sub: (req as BearerIncomingMessage).auth?.sub, method: (req as BearerIncomingMessage).auth?.method });
  });
  app.post('/write', requireScopes(verifier, 'calendar.write'), (_req, res) => {
    res.json({ ok: true });
  });
  await new Promise<void>((resolve) => {
    server = app.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  base = `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await issuer.close();
});

describe('@latchkey/resource/express', () => {
  it('lets a valid token through and puts the caller on req.auth', async () => {
    const response = await fetch(`${base}/read`, { headers: { authorization: `Bearer ${readOnly}` } });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ sub: expect.any(String), method: 'header' });
  });

  it('accepts the query parameter when enabled', async () => {
    const response = await fetch(`${base}/read?access_token=${readOnly}`);
    expect(await response.json()).toMatchObject({ method: 'query' });
  });

  it('answers a missing token with a bare 401 challenge', async () => {
    const response = await fetch(`${base}/read`);
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe(`Bearer realm="${AUDIENCE}"`);
  });

  it('answers two methods at once with 400 invalid_request', async () => {
    const response = await fetch(`${base}/read?access_token=${readOnly}`, { headers: { authorization: `Bearer ${readOnly}` } });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: 'invalid_request' });
  });

  it('answers a missing scope with 403, reading the token from a form body', async () => {
    const response = await fetch(`${base}/write`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ access_token: readOnly }) });
    expect(response.status).toBe(403);
    expect(response.headers.get('www-authenticate')).toContain('scope="calendar.write"');
  });

  it('answers a tampered token with 401 invalid_token', async () => {
    const response = await fetch(`${base}/read`, { headers: { authorization: `Bearer ${readOnly}x` } });
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toContain('error="invalid_token"');
  });
});
