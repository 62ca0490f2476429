// SEC-24 (a), RFC 6749 §2.3.1: password-style client authentication MUST be protected against
// guessing. After 10 wrong secrets for one client, 429 with Retry-After, for the right secret too,
// with delays that double; once the delay has passed the right secret works again.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tokenRequest } from '../support/oauth.js';
import { addClient, seed, startServer, type TestServer } from '../support/server.js';

describe('SEC-24 (a): guessing a client secret', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer();
    await seed(server);
  });
  afterAll(async () => server.close());

  it('is throttled after 10 failures, the right secret included, and recovers after the delay', async () => {
    const { client, secret } = await addClient(server, { redirectUris: [], scopes: ['api.read'], grantTypes: ['client_credentials'] });
    const form = { grant_type: 'client_credentials' };
    for (let i = 0; i < 10; i += 1) {
      const wrong = await tokenRequest(server, form, { clientId: client.id, secret: `wrong-${i}` });
      expect(wrong.status).toBe(401);
      expect(wrong.json.error).toBe('invalid_client');
    }
    const blocked = await tokenRequest(server, form, { clientId: client.id, secret: secret ?? '' });
    expect(blocked.status).toBe(429);
    expect(blocked.json.error).toBe('invalid_client');
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    // client_secret_post is throttled the same way.
    const posted = await tokenRequest(server, { ...form, client_id: client.id, client_secret: secret ?? '' }, null);
    expect(posted.status).toBe(429);

    server.advance(3);
    expect((await tokenRequest(server, form, { clientId: client.id, secret: secret ?? '' })).status).toBe(200);
    // The next failure doubles the delay.
    expect((await tokenRequest(server, form, { clientId: client.id, secret: 'wrong-again' })).status).toBe(401);
    const again = await tokenRequest(server, form, { clientId: client.id, secret: secret ?? '' });
    expect(again.status).toBe(429);
    expect(Number(again.headers.get('retry-after'))).toBeGreaterThanOrEqual(3);
  });

  it('throttles one client without touching another', async () => {
    const a = await addClient(server, { redirectUris: [], scopes: ['api.read'], grantTypes: ['client_credentials'] });
    const b = await addClient(server, { redirectUris: [], scopes: ['api.read'], grantTypes: ['client_credentials'] });
    for (let i = 0; i < 10; i += 1) await tokenRequest(server, { grant_type: 'client_credentials' }, { clientId: a.client.id, secret: 'wrong' });
    expect((await tokenRequest(server, { grant_type: 'client_credentials' }, { clientId: a.client.id, secret: a.secret ?? '' })).status).toBe(429);
    expect((await tokenRequest(server, { grant_type: 'client_credentials' }, { clientId: b.client.id, secret: b.secret ?? '' })).status).toBe(200);
  });
});
