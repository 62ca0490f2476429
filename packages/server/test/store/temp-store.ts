// A fresh SQLite file under the OS temp folder for each test file (a fresh PostgreSQL database
// when LATCHKEY_TEST_DATABASE=postgres), and the rows most tests need.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { createStore } from '../../src/store/index.js';
import type { Client, Store, User } from '../../src/store/index.js';
import { createTestDatabase, testDatabaseKind, type TestDatabase } from '../support/postgres.js';

/** A temp folder removed after the file's tests; `file(name)` names a database inside it. */
export function useTempDir(label: string): { file(name: string): string } {
  const dir = mkdtempSync(path.join(os.tmpdir(), `latchkey-${label}-`));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return { file: (name) => path.join(dir, name) };
}

/** A migrated store over a temp file (or database), open for the duration of the test file. */
export function useStore(label: string): () => Store {
  const dir = useTempDir(label);
  let store: Store | undefined;
  let database: TestDatabase | undefined;
  beforeAll(async () => {
    if (testDatabaseKind() === 'postgres') {
      database = await createTestDatabase();
      store = await createStore({ kind: 'postgres', url: database.url, poolMax: 4 });
    } else {
      store = await createStore({ kind: 'sqlite', path: dir.file('latchkey.db') });
    }
  });
  afterAll(async () => {
    await store?.close();
    await database?.drop();
  });
  return () => {
    if (store === undefined) throw new Error('the store is opened in beforeAll');
    return store;
  };
}

export function user(id: string, overrides: Partial<User> = {}): User {
  return {
    id,
    username: id,
    usernameKey: id.toLowerCase(),
    name: null,
    email: null,
    passwordHash: '$argon2id$fake',
    createdAt: 1_000,
    ...overrides,
  };
}

export function client(id: string, overrides: Partial<Client> = {}): Client {
  return {
    id,
    name: `App ${id}`,
    secretHash: null,
    redirectUris: ['https://app.example/cb'],
    scopes: ['openid', 'profile'],
    grantTypes: ['authorization_code', 'refresh_token'],
    tokenEndpointAuthMethod: 'none',
    pkceRequired: true,
    ownerUserId: null,
    postLogoutRedirectUris: [],
    idTokenSignedResponseAlg: 'RS256',
    createdAt: 1_000,
    ...overrides,
  };
}

/** Users and clients that codes, grants and token families refer to (foreign keys). */
export async function seedParties(store: Store, users: readonly string[], clients: readonly string[]): Promise<void> {
  for (const id of users) await store.users.create(user(id));
  for (const id of clients) await store.clients.create(client(id));
}
