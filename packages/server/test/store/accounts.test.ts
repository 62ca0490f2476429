import { describe, expect, it } from 'vitest';
import { DuplicateError } from '../../src/store/index.js';
import { client, useStore, user } from './temp-store.js';

const store = useStore('accounts');

describe('users', () => {
  it('finds a user by id and by username key', async () => {
    const alice = user('u-alice', { username: 'Alice', usernameKey: 'alice', name: 'Alice A.', email: 'alice@example.com' });
    await store().users.create(alice);
    expect(await store().users.findById('u-alice')).toEqual(alice);
    expect(await store().users.findByUsernameKey('alice')).toEqual(alice);
    expect(await store().users.findByUsernameKey('Alice')).toBeUndefined();
    expect(await store().users.findById('nobody')).toBeUndefined();
  });

  it('throws DuplicateError when the username key is taken', async () => {
    await store().users.create(user('u-bob', { usernameKey: 'bob' }));
    await expect(store().users.create(user('u-bob-2', { username: 'BOB', usernameKey: 'bob' }))).rejects.toThrow(DuplicateError);
    await expect(store().users.create(user('u-bob', { usernameKey: 'robert' }))).rejects.toThrow(DuplicateError);
  });
});

describe('clients', () => {
  it('keeps lists and flags through the round trip', async () => {
    const owner = user('u-owner');
    await store().users.create(owner);
    const app = client('c-mine', {
      secretHash: 'hash-of-secret',
      redirectUris: ['https://mine.example/cb', 'http://127.0.0.1:8080/cb?x=1'],
      scopes: ['openid', 'offline_access', 'calendar.read'],
      grantTypes: ['authorization_code', 'refresh_token', 'client_credentials'],
      tokenEndpointAuthMethod: 'client_secret_basic',
      pkceRequired: false,
      ownerUserId: owner.id,
    });
    await store().clients.create(app);
    expect(await store().clients.findById('c-mine')).toEqual(app);
    expect(await store().clients.findById('c-none')).toBeUndefined();
  });
});

describe('scopes', () => {
  it('throws DuplicateError when the name is taken', async () => {
    await expect(store().scopes.create({ name: 'openid', description: 'again', resource: null })).rejects.toThrow(DuplicateError);
  });

  it('finds only the scopes that exist, and nothing for no names', async () => {
    await store().scopes.create({ name: 'drive.read', description: 'See your files', resource: 'https://drive.example' });
    const found = await store().scopes.findMany(['drive.read', 'openid', 'no.such.scope']);
    expect(found.map((scope) => scope.name).sort()).toEqual(['drive.read', 'openid']);
    expect(found.find((scope) => scope.name === 'drive.read')?.resource).toBe('https://drive.example');
    expect(await store().scopes.findMany([])).toEqual([]);
  });
});
