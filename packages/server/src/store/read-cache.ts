// Short-lived read caches in front of the store, for the reads every token request makes and
// whose answers rarely change: the client, its secret-guessing block, and the scopes' resources.
// A CPU profile of the token endpoint showed these reads beside the signature (issue 9).
//
// Correctness across processes (ARCHITECTURE: stateless processes, one shared store): an entry
// lives at most CACHE_TTL_SECONDS, so a change made by another process (a rotated secret, a
// removed redirect URI, a client blocked by failures counted elsewhere) takes effect here within
// that time, inside the 5 s CONTRACTS.md allows. Changes made through this process take effect at
// once: writes through the decorated store drop the entries they touch. Only hits are kept, so a
// new client or scope is usable at once everywhere.
import type { Client, ClientAdminRepository, ClientRepository, Scope, ScopeRepository, Store, ThrottleRepository } from './repositories.js';

/** The longest a cached read is used, in seconds (documented in docs/PERFORMANCE.md). */
export const CACHE_TTL_SECONDS = 2;
/** Bounds memory whatever ids callers send; the oldest entries go first. */
const MAX_ENTRIES = 10_000;

class TtlMap<V> {
  readonly #entries = new Map<string, { value: V; at: number }>();

  constructor(private readonly now: () => number) {}

  get(key: string): V | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    // `now - at` is in whole seconds: an entry serves for at most CACHE_TTL_SECONDS. A clock
    // that stepped back (REL-07) makes the age negative: the entry is dropped, not kept longer.
    const age = this.now() - entry.at;
    if (age < 0 || age >= CACHE_TTL_SECONDS) {
      this.#entries.delete(key);
      return undefined;
    }
    return entry.value;
  }

  set(key: string, value: V): void {
    if (this.#entries.size >= MAX_ENTRIES) {
      const oldest = this.#entries.keys().next();
      if (oldest.done !== true) this.#entries.delete(oldest.value);
    }
    this.#entries.set(key, { value, at: this.now() });
  }

  delete(key: string): void {
    this.#entries.delete(key);
  }
}

/** The same Store, with cached client, scope and throttle-status reads. `now` is Unix seconds. */
export function withReadCache(store: Store, now: () => number): Store {
  const clients = new TtlMap<Client>(now);
  const scopes = new TtlMap<Scope>(now);
  const unblocked = new TtlMap<true>(now);

  const cachedClients: ClientRepository = {
    create: (client) => store.clients.create(client),
    async findById(id) {
      const hit = clients.get(id);
      if (hit !== undefined) return hit;
      const client = await store.clients.findById(id);
      if (client !== undefined) clients.set(id, client);
      return client;
    },
  };

  const forgetting = <A extends unknown[], R>(write: (clientId: string, ...rest: A) => Promise<R>) =>
    async (clientId: string, ...rest: A): Promise<R> => {
      try {
        return await write(clientId, ...rest);
      } finally {
        clients.delete(clientId);
      }
    };
  const cachedClientAdmin: ClientAdminRepository = {
    listByOwner: (ownerUserId) => store.clientAdmin.listByOwner(ownerUserId),
    setRedirectUris: forgetting((id, uris: readonly string[]) => store.clientAdmin.setRedirectUris(id, uris)),
    setSecretHash: forgetting((id, hash: string) => store.clientAdmin.setSecretHash(id, hash)),
    delete: forgetting((id) => store.clientAdmin.delete(id)),
  };

  const cachedScopes: ScopeRepository = {
    create: (scope) => store.scopes.create(scope),
    list: () => store.scopes.list(),
    async findMany(names) {
      const hits = names.map((name) => scopes.get(name));
      if (hits.every((hit) => hit !== undefined)) return hits;
      const found = await store.scopes.findMany(names);
      for (const scope of found) scopes.set(scope.name, scope);
      return found;
    },
  };

  // Only "not blocked" is cached, and only for reads; any attempt counted here drops it, so in
  // this process a block applies from the next request (SEC-24: the correct secret inside the
  // block window is refused too). A block counted by another process applies here within the TTL.
  const cachedThrottle: ThrottleRepository = {
    attempt: (rules, at) => {
      for (const rule of rules) unblocked.delete(rule.key);
      return store.throttle.attempt(rules, at);
    },
    reset: (keys) => store.throttle.reset(keys),
    forgive: (rules) => store.throttle.forgive(rules),
    async retryAfter(keys, at) {
      if (keys.every((key) => unblocked.get(key) !== undefined)) return 0;
      const wait = await store.throttle.retryAfter(keys, at);
      if (wait === 0) for (const key of keys) unblocked.set(key, true);
      return wait;
    },
  };

  return { ...store, clients: cachedClients, clientAdmin: cachedClientAdmin, scopes: cachedScopes, throttle: cachedThrottle };
}
