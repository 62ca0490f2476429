// In-memory fakes of the three repositories the admin services use.
import { DuplicateError, type Client, type Scope, type Store, type User } from '../../src/store/repositories.js';

export const BUILT_IN_SCOPES: readonly Scope[] = ['openid', 'profile', 'email', 'offline_access'].map((name) => ({ name, description: name, resource: null }));

export interface FakeStore extends Pick<Store, 'users' | 'clients' | 'scopes'> {
  saved: { users: User[]; clients: Client[]; scopes: Scope[] };
}

export function fakeStore(): FakeStore {
  const saved = { users: [] as User[], clients: [] as Client[], scopes: [...BUILT_IN_SCOPES] };
  return {
    saved,
    users: {
      create: async (user) => {
        if (saved.users.some((u) => u.usernameKey === user.usernameKey)) throw new DuplicateError('username taken');
        saved.users.push(user);
      },
      findByUsernameKey: async (key) => saved.users.find((u) => u.usernameKey === key),
      findById: async (id) => saved.users.find((u) => u.id === id),
    },
    clients: {
      create: async (client) => {
        if (saved.clients.some((c) => c.id === client.id)) throw new DuplicateError('client id taken');
        saved.clients.push(client);
      },
      findById: async (id) => saved.clients.find((c) => c.id === id),
    },
    scopes: {
      create: async (scope) => {
        if (saved.scopes.some((s) => s.name === scope.name)) throw new DuplicateError('scope taken');
        saved.scopes.push(scope);
      },
      list: async () => [...saved.scopes],
      findMany: async (names) => saved.scopes.filter((s) => names.includes(s.name)),
    },
  };
}
