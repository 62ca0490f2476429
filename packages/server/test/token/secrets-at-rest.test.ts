// SEC-25 (b): secrets at rest (RFC 6819 §5.1.4.1.3, §4.3.2, §4.5.2; RFC 9700 §4.14.1). After a
// full flow, none of its secrets is anywhere in the database, in any table or in SQLite's
// write-ahead log: not the password, the client secret, the code, the PKCE verifier, either
// refresh token, the access token or the session id. And what is stored instead (the hashes)
// does not work as the credential it stands for.
import { createHash } from 'node:crypto';
import { readFileSync, existsSync } from 'node:fs';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chainPosition } from '../../src/tokens/refresh-token-format.js';
import { hashSecret, secretMatches } from '../../src/tokens/secrets.js';
import { Browser } from '../support/browser.js';
import { authorizeFlow, codeFrom, pkce, tokenRequest } from '../support/oauth.js';
import { addClient, ALICE, seed, startServer, type TestServer } from '../support/server.js';

/** Everything the database holds, as text: the SQLite file and its WAL, or every PostgreSQL row. */
async function databaseText(server: TestServer): Promise<string> {
  const database = server.config.database;
  if (database.kind === 'sqlite') {
    return [database.path, `${database.path}-wal`]
      .filter((file) => existsSync(file))
      .map((file) => readFileSync(file).toString('latin1'))
      .join('\n');
  }
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  try {
    const tables = await client.query<{ table_name: string }>("select table_name from information_schema.tables where table_schema = 'public'");
    const dumps = [];
    for (const { table_name: table } of tables.rows) {
      const rows = await client.query<{ row: string }>(`select t::text as row from "${table}" t`);
      dumps.push(...rows.rows.map((r) => r.row));
    }
    return dumps.join('\n');
  } finally {
    await client.end();
  }
}

describe('SEC-25 (b): no raw secret in the database after a full flow', () => {
  let server: TestServer;
  const secrets: Record<string, string> = {};
  let clientId = '';
  let clientSecret = '';
  beforeAll(async () => {
    server = await startServer();
    await seed(server);
    const { client, secret } = await addClient(server, { redirectUris: ['https://app.example/cb'] });
    clientId = client.id;
    clientSecret = secret ?? '';
    const browser = new Browser(server.url);
    const { verifier, challenge } = pkce();
    const { location } = await authorizeFlow(server, browser, { clientId, redirectUri: 'https://app.example/cb', scope: 'openid offline_access api.read', challenge });
    const code = codeFrom(location);
    const auth = { clientId, secret: clientSecret };
    const first = await tokenRequest(server, { grant_type: 'authorization_code', code, redirect_uri: 'https://app.example/cb', code_verifier: verifier }, auth);
    expect(first.status).toBe(200);
    const second = await tokenRequest(server, { grant_type: 'refresh_token', refresh_token: String(first.json.refresh_token) }, auth);
    expect(second.status).toBe(200);
    const session = [...browser.cookies].find(([name]) => name.includes('session'))?.[1];
    expect(session).toBeDefined();
    Object.assign(secrets, {
      password: ALICE.password,
      'client secret': clientSecret,
      code,
      'PKCE verifier': verifier,
      'first refresh token': String(first.json.refresh_token),
      'second refresh token': String(second.json.refresh_token),
      'access token': String(first.json.access_token),
      'session id': session ?? '',
    });
  });
  afterAll(async () => server.close());

  it('finds none of the flow\'s secrets in any table (or the SQLite file and its WAL)', async () => {
    const text = await databaseText(server);
    // The dump is real: the client id, stored in the clear, is found.
    expect(text).toContain(clientId);
    for (const [name, value] of Object.entries(secrets)) {
      expect(value.length, name).toBeGreaterThanOrEqual(10);
      expect(text.includes(value), `${name} is stored in the clear`).toBe(false);
    }
  });

  it('what is stored instead does not work as the credential', async () => {
    const stored = await server.store.clients.findById(clientId);
    const hash = stored?.secretHash ?? '';
    expect(hash).not.toBe('');
    // The stored hash presented as the client secret.
    expect((await tokenRequest(server, { grant_type: 'refresh_token', refresh_token: 'x' }, { clientId, secret: hash })).status).toBe(401);
    // The stored hash of the current refresh token presented as a refresh token.
    const second = secrets['second refresh token'] ?? '';
    const current = await server.store.refreshTokens.find(hashSecret(second), chainPosition(second));
    expect(current).toBeDefined();
    const asToken = await tokenRequest(server, { grant_type: 'refresh_token', refresh_token: current?.tokenHash ?? '' }, { clientId, secret: clientSecret });
    expect(asToken.status).toBe(400);
    expect(asToken.json.error).toBe('invalid_grant');
    // The stored hash of the code presented as a code.
    const asCode = await tokenRequest(
      server,
      { grant_type: 'authorization_code', code: hashSecret(secrets.code ?? ''), redirect_uri: 'https://app.example/cb', code_verifier: secrets['PKCE verifier'] ?? '' },
      { clientId, secret: clientSecret },
    );
    expect(asCode.status).toBe(400);
    expect(asCode.json.error).toBe('invalid_grant');
  });
});

describe('hashSecret: the stored form stays SHA-256 of the UTF-8 bytes, base64url', () => {
  // Hashes already in a database must keep matching whichever node:crypto call computes them.
  it('matches the FIPS 180-2 test vector and createHash on non-ASCII input', () => {
    expect(hashSecret('abc')).toBe('ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0');
    const unicode = 'sécrét-秘密-🔑';
    expect(hashSecret(unicode)).toBe(createHash('sha256').update(Buffer.from(unicode, 'utf8')).digest('base64url'));
    expect(secretMatches(unicode, hashSecret(unicode))).toBe(true);
    expect(secretMatches('secret', hashSecret('Secret'))).toBe(false);
  });
});
