// Starts a real authorization server on 127.0.0.1 and a free port, on a fresh SQLite file, or on
// a fresh PostgreSQL database when LATCHKEY_TEST_DATABASE=postgres (support/postgres.ts).
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { addScope } from '../../src/admin/scopes.js';
import { registerClient } from '../../src/admin/clients.js';
import { addUser } from '../../src/admin/users.js';
import { buildApp } from '../../src/app.js';
import { loadConfig, type Config, type SettingFlags } from '../../src/config.js';
import { createStore } from '../../src/store/index.js';
import type { Client, GrantType, Store } from '../../src/store/repositories.js';
import { createTestDatabase, testDatabaseKind } from './postgres.js';
import { ALICE, BOB } from './users.js';
import { freePort } from './ports.js';

export { freePort };

export interface TestServer {
  url: string;
  config: Config;
  store: Store;
  app: FastifyInstance;
  /** Moves the server's clock forward (seconds). */
  advance(seconds: number): void;
  now(): number;
  /** Every log line the server wrote at level warn or above, as JSON text. */
  logs: string[];
  close(): Promise<void>;
}


/** `wrapStore`: the store the server uses, made from the one opened for it (a test that holds or fails a part of it). */
export async function startServer(settings: SettingFlags = {}, options: { wrapStore?: (store: Store) => Store } = {}): Promise<TestServer> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'latchkey-test-'));
  const port = await freePort();
  const database = testDatabaseKind() === 'postgres' ? await createTestDatabase() : undefined;
  const onPostgres = database === undefined ? {} : { database: database.url, databasePoolMax: '4' };
  const config = loadConfig({ dataDir: dir, port: String(port), issuer: `http://127.0.0.1:${port}`, logLevel: 'silent', ...onPostgres, ...settings }, {});
  const opened = await createStore(config.database);
  const store = options.wrapStore?.(opened) ?? opened;
  let offset = 0;
  const now = () => Math.floor(Date.now() / 1000) + offset;
  const logs: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logs.push(chunk.toString('utf8'));
      done();
    },
  });
  const app = await buildApp({ config, store, now, logger: { level: 'warn', stream } });
  await app.listen({ host: '127.0.0.1', port });
  return {
    url: config.issuer,
    config,
    store,
    app,
    now,
    logs,
    advance: (seconds) => {
      offset += seconds;
    },
    close: async () => {
      await app.close();
      await store.close();
      await database?.drop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export { ALICE, BOB } from './users.js';
export const API = 'https://api.example';

/** Users alice and bob, and the scopes api.read, api.write, api.admin for https://api.example. */
export async function seed(server: TestServer): Promise<void> {
  const now = server.now();
  await addUser(server.store, { username: ALICE.username, password: ALICE.password, name: 'Alice', email: 'alice@example.com' }, now);
  await addUser(server.store, { username: BOB.username, password: BOB.password, name: 'Bob', email: 'bob@example.com' }, now);
  await addScope(server.store, { name: 'api.read', description: 'See your things', resource: API }, now);
  await addScope(server.store, { name: 'api.write', description: 'Change your things', resource: API }, now);
  await addScope(server.store, { name: 'api.admin', description: 'Manage everything', resource: API }, now);
}

export interface ClientOptions {
  redirectUris?: string[];
  scopes?: string[];
  grantTypes?: GrantType[];
  public?: boolean;
  pkceOptional?: boolean;
  name?: string;
  postLogoutRedirectUris?: string[];
  idTokenSignedResponseAlg?: 'RS256' | 'ES256';
}

export async function addClient(server: TestServer, options: ClientOptions = {}): Promise<{ client: Client; secret: string | null }> {
  const { client, clientSecret } = await registerClient(
    server.store,
    {
      name: options.name ?? 'Test App',
      redirectUris: options.redirectUris ?? ['https://app.example/cb'],
      scopes: options.scopes ?? ['openid', 'profile', 'email', 'offline_access', 'api.read', 'api.write'],
      grantTypes: options.grantTypes ?? ['authorization_code', 'refresh_token'],
      public: options.public ?? false,
      pkceOptional: options.pkceOptional ?? false,
      ...(options.postLogoutRedirectUris === undefined ? {} : { postLogoutRedirectUris: options.postLogoutRedirectUris }),
      ...(options.idTokenSignedResponseAlg === undefined ? {} : { idTokenSignedResponseAlg: options.idTokenSignedResponseAlg }),
    },
    server.now(),
  );
  return { client, secret: clientSecret };
}
