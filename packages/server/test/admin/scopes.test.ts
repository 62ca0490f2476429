// Defining scopes: RFC 6749 §3.3 scope-token names; RFC 8707 §2 resource indicators.
import { describe, expect, it } from 'vitest';
import { AdminInputError, AlreadyExistsError } from '../../src/admin/errors.js';
import { addScope, validateNewScope } from '../../src/admin/scopes.js';
import { fakeStore } from './fake-store.js';

describe('addScope', () => {
  it('stores the scope and its resource exactly as given', async () => {
    const store = fakeStore();
    const scope = await addScope(store, { name: 'calendar.read', description: 'See your calendar events', resource: 'http://localhost:4001' }, 0);
    expect(scope).toEqual({ name: 'calendar.read', description: 'See your calendar events', resource: 'http://localhost:4001' });
    expect(store.saved.scopes).toContainEqual(scope);
  });

  it('stores no resource when none is given', async () => {
    expect(await addScope(fakeStore(), { name: 'notes', description: 'Your notes' }, 0)).toMatchObject({ resource: null });
  });

  it('refuses a scope that exists', async () => {
    await expect(addScope(fakeStore(), { name: 'openid', description: 'again' }, 0)).rejects.toThrow(new AlreadyExistsError('scope openid already exists'));
  });
});

describe('validateNewScope', () => {
  it.each(['a', 'calendar.read', 'https://api.example/read', '!#[]~', 'x'.repeat(64)])('accepts the name %j', (name) => {
    expect(() => validateNewScope({ name, description: 'd' })).not.toThrow();
  });

  it.each(['', 'two words', 'quote"', 'back\\slash', 'tab\t', 'é', 'x'.repeat(65)])('refuses the name %j (RFC 6749 §3.3)', (name) => {
    expect(() => validateNewScope({ name, description: 'd' })).toThrow(/is not valid: 1 to 64 printable ASCII characters/);
  });

  it.each([
    [{ description: '' }, 'the description must be 1 to 200 characters'],
    [{ description: '  ' }, 'the description must be 1 to 200 characters'],
    [{ description: 'x'.repeat(201) }, 'the description must be 1 to 200 characters'],
    [{ resource: 'api.example' }, 'is not an absolute URI'],
    [{ resource: 'https://api.example/#top' }, 'must not contain a fragment'],
    [{ resource: 'https://api.example/#' }, 'must not contain a fragment'],
    [{ resource: 'http://api.example' }, 'must use https'],
    [{ resource: 'urn:example:api' }, 'must use https'],
    [{ resource: 'https://me:pw@api.example' }, 'user name or password'],
  ])('refuses %j', (overrides, message) => {
    const input = { name: 'a', description: 'd', ...overrides };
    expect(() => validateNewScope(input)).toThrow(AdminInputError);
    expect(() => validateNewScope(input)).toThrow(message);
  });

  it.each(['https://api.example', 'https://api.example/v1', 'http://localhost:4001', 'http://127.0.0.1:4001', 'http://[::1]:4001'])('accepts the resource %s', (resource) => {
    expect(() => validateNewScope({ name: 'a', description: 'd', resource })).not.toThrow();
  });
});
