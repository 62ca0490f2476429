// The `latchkey` command on PostgreSQL (LATCHKEY_DATABASE=postgres://...): the commands migrate
// and write, `serve` answers from the same database. Runs when LATCHKEY_TEST_POSTGRES names a
// cluster (.ci/run starts one).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/postgres.js';
import { BIN, freePort, latchkey, spawnNode, useTempRoot, waitFor } from './run-cli.js';

const temp = useTempRoot('postgres');

describe.runIf(Boolean(process.env.LATCHKEY_TEST_POSTGRES))('latchkey on PostgreSQL', () => {
  let database: TestDatabase;
  let env: Record<string, string>;

  beforeAll(async () => {
    database = await createTestDatabase();
    env = { LATCHKEY_DATA_DIR: temp.dataDir(), LATCHKEY_DATABASE: database.url, LATCHKEY_DATABASE_POOL_MAX: '3' };
  });

  afterAll(async () => {
    await database.drop();
  });

  it('adds a user, a scope and a client, and serves them; SIGTERM exits 0', async () => {
    expect((await latchkey(['user', 'add', 'alice', '--password-stdin'], env, 'wonderland\n')).code).toBe(0);
    expect((await latchkey(['scope', 'add', 'photos.read', '--description', 'See your photos'], env)).code).toBe(0);
    const added = await latchkey(['client', 'add', '--name', 'Mine', '--redirect-uri', 'https://mine.example/cb', '--scope', 'openid photos.read', '--json'], env);
    expect(added.code).toBe(0);
    const { client_id: clientId } = JSON.parse(added.stdout) as { client_id: string };

    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const server = spawnNode([BIN, 'serve', '--port', String(port), '--issuer', url], env);
    try {
      await waitFor(`${url}/healthz`);
      expect((await fetch(`${url}/readyz`)).status).toBe(200);
      const metadata = (await (await fetch(`${url}/.well-known/oauth-authorization-server`)).json()) as { scopes_supported: string[] };
      expect(metadata.scopes_supported).toContain('photos.read');
      const authorize = await fetch(`${url}/authorize?response_type=code&client_id=${clientId}&redirect_uri=${encodeURIComponent('https://mine.example/cb')}&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=S256&scope=openid%20photos.read`, { redirect: 'manual' });
      // To the login page: the client, read from PostgreSQL, was found and its redirect URI trusted.
      expect(authorize.status).toBe(303);
      expect(authorize.headers.get('location')).toMatch(/\/login\?/);
    } finally {
      server.child.kill('SIGTERM');
      expect(await server.exited).toBe(0);
    }
  });
});
