// Signing key rotation (issue 4 "keys rotatable", issue 7 "a key rotated on A is published by
// B"): new keys sign new tokens, the replaced ones stay published so earlier tokens keep
// verifying, and older generations are retired. Keys live in the database, so every server on
// it follows within its 5 s key reload.
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rotateSigningKeys } from '../../src/admin/keys.js';
import { buildApp } from '../../src/app.js';
import { addClient, API, seed, startServer, type TestServer } from '../support/server.js';
import { tokenRequest } from '../support/oauth.js';

async function jwks(url: string): Promise<{ keys: { kid: string; alg: string }[] }> {
  return (await (await fetch(`${url}/jwks`)).json()) as { keys: { kid: string; alg: string }[] };
}

describe('latchkey keys rotate', () => {
  let server: TestServer;
  let client: { clientId: string; secret: string };
  beforeAll(async () => {
    server = await startServer();
    await seed(server);
    const c = await addClient(server, { redirectUris: [], scopes: ['api.read'], grantTypes: ['client_credentials'] });
    client = { clientId: c.client.id, secret: c.secret ?? '' };
  });
  afterAll(async () => server.close());

  const machineToken = async (): Promise<string> => String((await tokenRequest(server, { grant_type: 'client_credentials' }, client)).json.access_token);

  it('signs new tokens with the new key, keeps the old one published, and retires the generation before', { timeout: 30_000 }, async () => {
    const before = await machineToken();
    const oldKid = decodeProtectedHeader(before).kid;
    const first = await rotateSigningKeys(server.store, server.now());
    expect(first.added).toHaveLength(2);
    expect(first.retired).toEqual([]);

    // A second server on the same database (another process, in production) sees it at once.
    const other = await buildApp({ config: server.config, store: server.store, sweepIntervalMs: 0 });
    const published = (await other.inject({ method: 'GET', url: '/jwks' })).json<{ keys: { kid: string }[] }>().keys.map((k) => k.kid);
    expect(published).toEqual(expect.arrayContaining([...first.added, oldKid]));
    await other.close();

    // The running server reloads its keys within 5 s.
    await new Promise((resolve) => setTimeout(resolve, 5_200));
    const after = await machineToken();
    const newKid = decodeProtectedHeader(after).kid;
    expect(first.added).toContain(newKid);
    const keySet = createLocalJWKSet(await jwks(server.url));
    for (const token of [before, after]) await expect(jwtVerify(token, keySet, { audience: API })).resolves.toBeDefined();

    // The next rotation retires the first generation: its tokens stop verifying.
    const second = await rotateSigningKeys(server.store, server.now());
    expect(second.retired).toContain(oldKid);
    const remaining = (await server.store.signingKeys.listActive()).map((k) => k.kid);
    expect(remaining).not.toContain(oldKid);
    expect(remaining).toEqual(expect.arrayContaining([...first.added, ...second.added]));
  });
});
