// Client registration rules (RFC 6749 §2, §3.1.2; RFC 7591; SECURITY-CATALOG D-1).
import { describe, expect, it } from 'vitest';
import { registerClient, validateNewClient, type NewClient } from '../../src/admin/clients.js';
import { AdminInputError } from '../../src/admin/errors.js';
import { hashSecret } from '../../src/tokens/secrets.js';
import { fakeStore } from './fake-store.js';

const NOW = 1_700_000_000;

function input(overrides: Partial<NewClient> = {}): NewClient {
  return { name: 'Mine', redirectUris: ['https://mine.example/cb'], scopes: [], grantTypes: [], public: false, pkceOptional: false, ...overrides };
}

describe('registerClient', () => {
  it('gives a confidential client a random id and a 256-bit secret, stored only as its hash', async () => {
    const store = fakeStore();
    const { client, clientSecret } = await registerClient(store, input(), NOW);
    expect(client.id).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(clientSecret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(client.secretHash).toBe(hashSecret(clientSecret ?? ''));
    expect(store.saved.clients).toEqual([client]);
    expect(client).toMatchObject({
      name: 'Mine',
      redirectUris: ['https://mine.example/cb'],
      scopes: ['openid', 'profile', 'email', 'offline_access'],
      grantTypes: ['authorization_code', 'refresh_token'],
      tokenEndpointAuthMethod: 'client_secret_basic',
      pkceRequired: true,
      ownerUserId: null,
      createdAt: NOW,
    });
  });

  it('gives a public client no secret and the auth method none', async () => {
    const { client, clientSecret } = await registerClient(fakeStore(), input({ public: true }), NOW);
    expect(clientSecret).toBeNull();
    expect(client).toMatchObject({ secretHash: null, tokenEndpointAuthMethod: 'none', pkceRequired: true });
  });

  it('lets a confidential client opt out of PKCE (D-1)', async () => {
    const { client } = await registerClient(fakeStore(), input({ pkceOptional: true }), NOW);
    expect(client.pkceRequired).toBe(false);
  });

  it('registers a client_credentials-only client without redirect URIs', async () => {
    const { client } = await registerClient(fakeStore(), input({ redirectUris: [], grantTypes: ['client_credentials'] }), NOW);
    expect(client.grantTypes).toEqual(['client_credentials']);
    expect(client.redirectUris).toEqual([]);
  });

  it('keeps the owner (the developer console registers for a user)', async () => {
    const { client } = await registerClient(fakeStore(), input({ ownerUserId: 'u1' }), NOW);
    expect(client.ownerUserId).toBe('u1');
  });

  it('drops repeated redirect URIs, scopes and grant types', async () => {
    const store = fakeStore();
    const { client } = await registerClient(
      store,
      input({ redirectUris: ['https://a.example/cb', 'https://a.example/cb'], scopes: ['openid', 'openid'], grantTypes: ['authorization_code', 'authorization_code'] }),
      NOW,
    );
    expect(client).toMatchObject({ redirectUris: ['https://a.example/cb'], scopes: ['openid'], grantTypes: ['authorization_code'] });
  });

  it('names every scope that does not exist, and stores nothing', async () => {
    const store = fakeStore();
    await expect(registerClient(store, input({ scopes: ['openid', 'calendar.read', 'drive.read'] }), NOW)).rejects.toThrow(
      new AdminInputError('unknown scope: calendar.read drive.read (define it first with latchkey scope add)'),
    );
    expect(store.saved.clients).toEqual([]);
  });
});

describe('validateNewClient', () => {
  it.each<[Partial<NewClient>, string]>([
    [{ name: '' }, 'the client name must be 1 to 100 characters'],
    [{ name: '   ' }, 'the client name must be 1 to 100 characters'],
    [{ name: 'x'.repeat(101) }, 'the client name must be 1 to 100 characters'],
    [{ name: 'Mine\u0007' }, 'the client name must not contain control characters'],
    [{ redirectUris: [] }, 'at least one --redirect-uri is needed for the authorization_code grant'],
    [{ redirectUris: ['https://a.example/cb#f'] }, 'redirect URI "https://a.example/cb#f" must not contain a fragment'],
    [{ redirectUris: ['https://ok.example/cb', 'http://bad.example/cb'] }, 'redirect URI "http://bad.example/cb" must use https'],
    [{ grantTypes: ['password' as never] }, 'grant type "password" is not supported'],
    [{ grantTypes: ['implicit' as never] }, 'grant type "implicit" is not supported'],
    [{ grantTypes: ['refresh_token'] }, 'the refresh_token grant needs the authorization_code grant'],
    [{ grantTypes: ['client_credentials', 'refresh_token'] }, 'the refresh_token grant needs the authorization_code grant'],
    [{ public: true, grantTypes: ['client_credentials'] }, 'a public client cannot use client_credentials'],
    [{ public: true, pkceOptional: true }, 'a public client cannot opt out of PKCE'],
  ])('refuses %j', (overrides, message) => {
    expect(() => validateNewClient(input(overrides))).toThrow(AdminInputError);
    expect(() => validateNewClient(input(overrides))).toThrow(message);
  });

  it('accepts 100 characters of name, and a name with emoji', () => {
    expect(() => validateNewClient(input({ name: 'x'.repeat(100) }))).not.toThrow();
    expect(() => validateNewClient(input({ name: 'Mine 📅' }))).not.toThrow();
  });
});
