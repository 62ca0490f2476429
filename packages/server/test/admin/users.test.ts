// Creating users: usernames per D-11 (normalized, case-folded), passwords hashed with Argon2id.
import { describe, expect, it } from 'vitest';
import { AdminInputError, AlreadyExistsError } from '../../src/admin/errors.js';
import { addUser, validateNewUser } from '../../src/admin/users.js';
import { verifyPassword } from '../../src/interaction/password.js';
import { fakeStore } from './fake-store.js';

const NOW = 1_700_000_000;

describe('addUser', () => {
  it('stores the user with an Argon2id hash of the password and a random id', async () => {
    const store = fakeStore();
    const user = await addUser(store, { username: 'Alice', password: 'wonderland', name: 'Alice Liddell', email: 'alice@example.com' }, NOW);
    expect(user).toMatchObject({ username: 'Alice', usernameKey: 'alice', name: 'Alice Liddell', email: 'alice@example.com', createdAt: NOW });
    expect(user.id).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(user.passwordHash).toMatch(/^\$argon2id\$/);
    expect(await verifyPassword('wonderland', user.passwordHash)).toBe(true);
    expect(store.saved.users).toEqual([user]);
  });

  it('leaves name and email empty when not given', async () => {
    const user = await addUser(fakeStore(), { username: 'bob', password: 'through-the-glass' }, NOW);
    expect(user).toMatchObject({ name: null, email: null });
  });

  it.each(['alice', 'ALICE', 'ａｌｉｃｅ'])('refuses %s once alice exists (D-11)', async (username) => {
    const store = fakeStore();
    await addUser(store, { username: 'alice', password: 'wonderland' }, NOW);
    const attempt = addUser(store, { username, password: 'wonderland' }, NOW);
    await expect(attempt).rejects.toThrow(AlreadyExistsError);
    await expect(addUser(store, { username, password: 'wonderland' }, NOW)).rejects.toThrow(`user ${username} already exists`);
    expect(store.saved.users).toHaveLength(1);
  });
});

describe('validateNewUser', () => {
  it.each([
    [{ username: '', password: 'wonderland' }, 'username "" is not valid: use 1 to 64 letters, digits, or . _ @ + -'],
    [{ username: 'al ice', password: 'wonderland' }, 'username "al ice" is not valid'],
    [{ username: 'a'.repeat(65), password: 'wonderland' }, 'is not valid'],
    [{ username: 'alice', password: 'short' }, 'the password must be at least 8 characters'],
    [{ username: 'alice', password: 'x'.repeat(1025) }, 'the password must be at most 1024 characters'],
    [{ username: 'alice', password: 'wonderland', email: 'alice' }, 'email "alice" is not a valid address'],
    [{ username: 'alice', password: 'wonderland', email: 'alice@localhost' }, 'is not a valid address'],
    [{ username: 'alice', password: 'wonderland', email: 'a b@example.com' }, 'is not a valid address'],
    [{ username: 'alice', password: 'wonderland', name: '' }, 'the name must be 1 to 200 characters'],
  ])('refuses %j', (input, message) => {
    expect(() => validateNewUser(input)).toThrow(AdminInputError);
    expect(() => validateNewUser(input)).toThrow(message);
  });

  it('returns the lookup key', () => {
    expect(validateNewUser({ username: 'Alice.L', password: 'x'.repeat(1024) })).toBe('alice.l');
  });
});
