// In-memory fakes of the few repository methods the admin services use.
import { DuplicateError, type Client, type Scope, type Store, type User } from '../../src/store/repositories.js';

export const BUILT_IN_SCOPES: Scope[] = ['openid', 'profile', 'email', 'offline_access'].map((name) => ({ name, description: name, resource: null }));

export function fakeStore(): Pick<Store, 'users' | 'clients' | 'scopes'> & { saved: { users: User[]; clients: Client[]; scopes: Scope[] } } {
  const saved = { users: [] as User[], clients: [] as Client[], scopes: [...BUILT_IN_SCOPES] };
  const notUsed = (): never => {
    throw new TypeError('not used by the admin services');
  };
  return {
    saved,
    users: {
      create: async (user) => {
        if (saved.users.some((u) => u.usernameKey === user.usernameKey)) throw new DuplicateError('username');
        saved.users.push(user);
      },
      findByUsernameKey: async (key) => saved.users.find((u) => u.usernameKey === key),
      findById: async (id) => saved.users.find((u) => u.id === id),
    } as Store['users'],
    clients: {
      create: async (client) => {
        saved.clients.push(client);
      },
      findById: async (id) => saved.clients.find((c) => c.id === id),
    } as Store['clients'],
    scopes: {
      create: async (scope) => {
        if (saved.scopes.some((s) => s.name === scope.name)) throw new DuplicateError('scope');
        saved.scopes.push(scope);
      },
      findMany: async (names) => saved.scopes.filter((s) => names.includes(s.name)),
      list: notUsed,
    } as unknown as Store['scopes'],
  };
}
