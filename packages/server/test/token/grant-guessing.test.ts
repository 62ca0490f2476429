// SEC-24 (b), (c): online guessing of authorization codes and refresh tokens (RFC 6819
// §4.4.1.3, §5.1.4.2.4; RFC 6749 §10.10). Every invented value is invalid_grant; after
// GRANT_GUESS_THRESHOLD of them from one client and address, 429 with Retry-After and a warning
// in the log (the alert); the server keeps answering everyone else, and the delay passes.
import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { GRANT_GUESS_THRESHOLD } from '../../src/oauth/token.js';
import { randomToken } from '../../src/tokens/secrets.js';
import { addClient, seed, startServer, type TestServer } from '../support/server.js';

describe('SEC-24 (b, c): guessing codes and refresh tokens', () => {
  let server: TestServer;
  let app: FastifyInstance;
  let offset = 0;
  const lines: string[] = [];
  beforeAll(async () => {
    server = await startServer();
    await seed(server);
    const stream = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString('utf8'));
        done();
      },
    });
    app = await buildApp({ config: server.config, store: server.store, now: () => server.now() + offset, sweepIntervalMs: 0, logger: { level: 'warn', stream } });
  });
  afterAll(async () => {
    await app.close();
    await server.close();
  });

  const post = async (auth: { id: string; secret: string }, form: Record<string, string>, address = '127.0.0.1') => {
    const response = await app.inject({
      method: 'POST',
      url: '/token',
      remoteAddress: address,
      headers: { authorization: `Basic ${Buffer.from(`${auth.id}:${auth.secret}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams(form).toString(),
    });
    return { status: response.statusCode, headers: response.headers, json: response.json<Record<string, unknown>>() };
  };

  for (const [id, form] of [
    ['(b) random authorization codes', () => ({ grant_type: 'authorization_code', code: randomToken(32), redirect_uri: 'https://app.example/cb', code_verifier: randomToken(32) })],
    ['(c) random refresh tokens', () => ({ grant_type: 'refresh_token', refresh_token: randomToken(32) })],
  ] as const) {
    it(`${id}: invalid_grant, then 429 with Retry-After and an alert; other addresses and clients are unaffected`, async () => {
      const { client, secret } = await addClient(server);
      const auth = { id: client.id, secret: secret ?? '' };
      const before = lines.length;
      for (let i = 0; i < GRANT_GUESS_THRESHOLD; i += 1) {
        const guess = await post(auth, form());
        expect(guess.status).toBe(400);
        expect(guess.json.error).toBe('invalid_grant');
      }
      const blocked = await post(auth, form());
      expect(blocked.status).toBe(429);
      expect(blocked.json.error).toBe('invalid_grant');
      expect(Number(blocked.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      const alerts = lines.slice(before).filter((line) => line.includes('too many unknown codes or refresh tokens') && line.includes(client.id));
      expect(alerts.length).toBeGreaterThanOrEqual(1);

      // Not a lock-out of the client everywhere: another address and another client still get answers.
      expect((await post(auth, form(), '192.0.2.7')).status).toBe(400);
      const other = await addClient(server);
      expect((await post({ id: other.client.id, secret: other.secret ?? '' }, form())).status).toBe(400);

      // The delay passes.
      offset += Number(blocked.headers['retry-after']);
      expect((await post(auth, form())).status).toBe(400);
    });
  }

  it('client_credentials is not counted (it presents no code or token to guess)', async () => {
    const { client, secret } = await addClient(server, { redirectUris: [], scopes: ['api.read'], grantTypes: ['client_credentials'] });
    for (let i = 0; i < GRANT_GUESS_THRESHOLD + 5; i += 1) {
      expect((await post({ id: client.id, secret: secret ?? '' }, { grant_type: 'client_credentials' })).status).toBe(200);
    }
  });
});
