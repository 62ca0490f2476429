// The client_credentials grant (RFC 6749 §4.4): a confidential client acting for itself, only
// when registered for it (CONTRACTS.md), with least privilege (RFC 9700 §2.3). SEC-19 d, SEC-20.
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tokenRequest } from '../support/oauth.js';
import { API, seed, startServer, type TestServer } from '../support/server.js';
import { expectError, expectSuccess, newClient, type TestClient } from './fixtures.js';

let server: TestServer;
let c5: TestClient;
beforeAll(async () => {
  server = await startServer();
  await seed(server);
  c5 = await newClient(server, { grantTypes: ['client_credentials'], redirectUris: [], scopes: ['api.read', 'api.write'] });
});
afterAll(async () => server.close());

const CC = { grant_type: 'client_credentials' };

describe('SEC-20 client_credentials (RFC 6749 §4.4.2, §4.4.3)', () => {
  it('registers without a redirect URI', () => {
    expect(c5.client.redirectUris).toEqual([]);
    expect(c5.client.grantTypes).toEqual(['client_credentials']);
  });

  it('(a) gives an access token whose sub is the client_id, and no refresh token (§4.4.3)', async () => {
    const call = await tokenRequest(server, { ...CC, scope: 'api.read' }, c5.auth);
    expectSuccess(call);
    expect(call.json).toMatchObject({ token_type: 'Bearer', expires_in: 600, scope: 'api.read' });
    expect(call.json).not.toHaveProperty('refresh_token');
    expect(call.json).not.toHaveProperty('id_token');
    const claims = decodeJwt(String(call.json.access_token));
    expect(claims).toMatchObject({ iss: server.url, sub: c5.id, client_id: c5.id, aud: API, scope: 'api.read' });
  });

  it('(c) without a scope parameter, the scope is the scopes the client is registered with', async () => {
    const call = await tokenRequest(server, CC, c5.auth);
    expectSuccess(call);
    expect(call.json.scope).toBe('api.read api.write');
    expect(decodeJwt(String(call.json.access_token)).scope).toBe('api.read api.write');
  });

  it('works with client_secret_post too', async () => {
    expectSuccess(await tokenRequest(server, { ...CC, client_id: c5.id, client_secret: c5.secret ?? '' }));
  });

  it('(b) a scope the client may not request is invalid_scope naming it, never silently dropped', async () => {
    expectError(await tokenRequest(server, { ...CC, scope: 'api.read api.admin' }, c5.auth), 400, 'invalid_scope', /may not request: api\.admin/);
  });

  it('an unknown scope is invalid_scope naming it', async () => {
    expectError(await tokenRequest(server, { ...CC, scope: 'api.read nope' }, c5.auth), 400, 'invalid_scope', /unknown scope: nope/);
  });

  it('a scope outside the RFC 6749 §3.3 charset is invalid_scope', async () => {
    expectError(await tokenRequest(server, { ...CC, scope: 'api.read\r\nSet-Cookie: x=1' }, c5.auth), 400, 'invalid_scope', /characters that are not allowed/);
  });

  it('a client not registered for client_credentials is 400 unauthorized_client (SEC-19 d)', async () => {
    const c1 = await newClient(server);
    expectError(await tokenRequest(server, CC, c1.auth), 400, 'unauthorized_client', /not registered for the client_credentials grant/);
  });

  it('a wrong secret is 401 invalid_client, not a token', async () => {
    expectError(await tokenRequest(server, CC, { clientId: c5.id, secret: 'wrong' }), 401, 'invalid_client');
  });
});
