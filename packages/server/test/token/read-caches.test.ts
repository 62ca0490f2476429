// The token endpoint's short read caches (issue 9: "client lookups cached for a short, documented
// time that keeps multi-process behaviour correct (a rotated secret stops working within that
// time, tested)"). Another process is played by a second app over the same database with a clock
// of its own; changes made through the caching process itself take effect at once.
import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { CACHE_TTL_SECONDS, withReadCache } from '../../src/store/read-cache.js';
import type { Client } from '../../src/store/repositories.js';
import { KeyRing } from '../../src/tokens/keys.js';
import { addClient, seed, startServer, type TestServer } from '../support/server.js';

const hash = (secret: string): string => createHash('sha256').update(secret, 'utf8').digest('base64url');

describe('client and secret caching across processes', () => {
  let server: TestServer;
  let other: FastifyInstance;
  let otherOffset = 0;
  beforeAll(async () => {
    server = await startServer();
    await seed(server);
    // "Process B": its own app, read caches and clock, over the same database.
    other = await buildApp({ config: server.config, store: server.store, now: () => server.now() + otherOffset, sweepIntervalMs: 0 });
  });
  afterAll(async () => {
    await other.close();
    await server.close();
  });

  const clientCredentials = async (app: FastifyInstance, clientId: string, secret: string): Promise<number> => {
    const response = await app.inject({
      method: 'POST',
      url: '/token',
      headers: { authorization: `Basic ${Buffer.from(`${clientId}:${secret}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'grant_type=client_credentials',
    });
    return response.statusCode;
  };

  it(`a secret rotated by another process stops working within ${CACHE_TTL_SECONDS} s, and the new one works`, async () => {
    const { client, secret } = await addClient(server, { redirectUris: [], scopes: ['api.read'], grantTypes: ['client_credentials'] });
    expect(await clientCredentials(other, client.id, secret ?? '')).toBe(200);

    // Process A (the test's own store, as `latchkey` or the console of another process would).
    await server.store.clientAdmin.setSecretHash(client.id, hash('the-new-secret'));
    // Within the TTL, B may still answer from its cache: that is the documented bound.
    expect([200, 401]).toContain(await clientCredentials(other, client.id, secret ?? ''));

    otherOffset += CACHE_TTL_SECONDS;
    expect(await clientCredentials(other, client.id, secret ?? '')).toBe(401);
    expect(await clientCredentials(other, client.id, 'the-new-secret')).toBe(200);
  });

  it('a client deleted by another process is unknown here within the TTL', async () => {
    const { client, secret } = await addClient(server, { redirectUris: [], scopes: ['api.read'], grantTypes: ['client_credentials'] });
    expect(await clientCredentials(other, client.id, secret ?? '')).toBe(200);
    await server.store.clientAdmin.delete(client.id);
    otherOffset += CACHE_TTL_SECONDS;
    expect(await clientCredentials(other, client.id, secret ?? '')).toBe(401);
  });

  it('a client registered by another process is usable at once (misses are never cached)', async () => {
    expect(await clientCredentials(other, 'registered-later', 'x')).toBe(401);
    const { client, secret } = await addClient(server, { redirectUris: [], scopes: ['api.read'], grantTypes: ['client_credentials'] });
    expect(await clientCredentials(other, client.id, secret ?? '')).toBe(200);
  });
});

describe('withReadCache: writes through the caching process take effect at once', () => {
  let server: TestServer;
  let clock = 1_000_000;
  beforeAll(async () => {
    server = await startServer();
    await seed(server);
  });
  afterAll(async () => server.close());

  const fresh = async (): Promise<Client> => (await addClient(server, { redirectUris: ['https://app.example/cb'] })).client;

  it('setSecretHash, setRedirectUris and delete drop the cached client', async () => {
    const cached = withReadCache(server.store, () => clock);
    const client = await fresh();
    expect((await cached.clients.findById(client.id))?.secretHash).toBe(client.secretHash);

    await cached.clientAdmin.setSecretHash(client.id, hash('rotated'));
    expect((await cached.clients.findById(client.id))?.secretHash).toBe(hash('rotated'));

    await cached.clientAdmin.setRedirectUris(client.id, ['https://app.example/other']);
    expect((await cached.clients.findById(client.id))?.redirectUris).toEqual(['https://app.example/other']);

    await cached.clientAdmin.delete(client.id);
    expect(await cached.clients.findById(client.id)).toBeUndefined();
  });

  it('a change behind its back shows after CACHE_TTL_SECONDS, not before', async () => {
    const cached = withReadCache(server.store, () => clock);
    const client = await fresh();
    await cached.clients.findById(client.id);
    await server.store.clientAdmin.setSecretHash(client.id, hash('elsewhere'));
    expect((await cached.clients.findById(client.id))?.secretHash).toBe(client.secretHash);
    clock += CACHE_TTL_SECONDS;
    expect((await cached.clients.findById(client.id))?.secretHash).toBe(hash('elsewhere'));
  });

  it('SEC-24: a failure counted here ends the cached "not blocked" at once; one counted elsewhere within the TTL', async () => {
    const cached = withReadCache(server.store, () => clock);
    const at = server.now();
    const here = 'client:cache-test-here';
    expect(await cached.throttle.retryAfter([here], at)).toBe(0);
    for (let i = 0; i < 11; i += 1) await cached.throttle.attempt([{ key: here, threshold: 10 }], at);
    expect(await cached.throttle.retryAfter([here], at)).toBeGreaterThan(0);

    const elsewhere = 'client:cache-test-elsewhere';
    expect(await cached.throttle.retryAfter([elsewhere], at)).toBe(0);
    for (let i = 0; i < 11; i += 1) await server.store.throttle.attempt([{ key: elsewhere, threshold: 10 }], at);
    clock += CACHE_TTL_SECONDS;
    expect(await cached.throttle.retryAfter([elsewhere], at)).toBeGreaterThan(0);
  });

  it('a scope added elsewhere is found at once; known scopes come from the cache', async () => {
    const cached = withReadCache(server.store, () => clock);
    expect(await cached.scopes.findMany(['cache.new'])).toEqual([]);
    await server.store.scopes.create({ name: 'cache.new', description: 'New', resource: null });
    expect((await cached.scopes.findMany(['cache.new'])).map((s) => s.name)).toEqual(['cache.new']);
  });
});

describe('KeyRing: remembered verifications end with the key set', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(async () => server.close());

  it('forgets every verified token when a key is retired', async () => {
    const ring = new KeyRing(server.store.signingKeys);
    const key = await ring.signingKey('ES256');
    ring.rememberVerified('a.b.c', { exp: 1 });
    expect(await ring.recentlyVerified('a.b.c')).toEqual({ exp: 1 });

    await server.store.signingKeys.retire([key.kid], server.now());
    // The ring reloads its keys at most every 5 s: ask as if that time had passed.
    expect(await ring.recentlyVerified('a.b.c', Date.now() + 6_000)).toBeUndefined();
  });

  it('answers without waiting only while its keys are fresh, so a retirement is not skipped', async () => {
    const ring = new KeyRing(server.store.signingKeys);
    await ring.signingKey('ES256');
    ring.rememberVerified('d.e.f', { exp: 1 });
    expect(ring.verifiedWithFreshKeys('d.e.f')).toEqual({ exp: 1 });
    expect(ring.verifiedWithFreshKeys('g.h.i')).toBeUndefined();
    // Due for a reload: the caller must go through recentlyVerified, which reloads first.
    expect(ring.verifiedWithFreshKeys('d.e.f', Date.now() + 6_000)).toBeUndefined();
    expect(new KeyRing(server.store.signingKeys).verifiedWithFreshKeys('d.e.f')).toBeUndefined();
  });

  it('does not take another header or payload under a remembered signature for that token', async () => {
    const ring = new KeyRing(server.store.signingKeys);
    await ring.signingKey('ES256');
    ring.rememberVerified('hdr.payload.sig', { sub: 'alice' });
    expect(ring.verifiedWithFreshKeys('hdr.payload.sig')).toEqual({ sub: 'alice' });
    expect(ring.verifiedWithFreshKeys('hdr.forged.sig')).toBeUndefined();
    expect(await ring.recentlyVerified('forged.payload.sig')).toBeUndefined();
  });
});
