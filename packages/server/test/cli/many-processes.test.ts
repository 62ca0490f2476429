// Two `latchkey serve` processes on one PostgreSQL database, as behind a load balancer
// (ARCHITECTURE: stateless processes, one shared store). Both have the same issuer; the browser
// talks to A, the client's back channel to either. Runs when LATCHKEY_TEST_POSTGRES names a
// cluster (.ci/run starts one).
import { request as httpRequest } from 'node:http';
import { createLocalJWKSet, jwtVerify, type JSONWebKeySet } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browser } from '../support/browser.js';
import { authorizeFlow, codeFrom, pkce } from '../support/oauth.js';
import { createTestDatabase, type TestDatabase } from '../support/postgres.js';
import type { TestServer } from '../support/server.js';
import { BIN, freePort, latchkey, spawnNode, useTempRoot, waitFor } from './run-cli.js';

const temp = useTempRoot('processes');
const REDIRECT = 'https://mine.example/cb';

interface Serve {
  url: string;
  server: ReturnType<typeof spawnNode>;
}

describe.runIf(Boolean(process.env.LATCHKEY_TEST_POSTGRES))('two server processes on one PostgreSQL', () => {
  let database: TestDatabase;
  let issuer: string;
  let a: Serve;
  let b: Serve;
  let client: { id: string; secret: string };
  let env: Record<string, string>;

  beforeAll(async () => {
    database = await createTestDatabase();
    const portA = await freePort();
    issuer = `http://127.0.0.1:${portA}`;
    env = { LATCHKEY_DATA_DIR: temp.dataDir(), LATCHKEY_DATABASE: database.url, LATCHKEY_ISSUER: issuer, LATCHKEY_DATABASE_POOL_MAX: '4', LATCHKEY_REFRESH_REUSE_GRACE: '0', LATCHKEY_LOG_LEVEL: 'warn' };
    expect((await latchkey(['user', 'add', 'alice', '--password-stdin'], env, 'wonderland\n')).code).toBe(0);
    const added = await latchkey(['client', 'add', '--name', 'Mine', '--redirect-uri', REDIRECT, '--scope', 'openid profile', '--json'], env);
    const registration = JSON.parse(added.stdout) as { client_id: string; client_secret: string };
    client = { id: registration.client_id, secret: registration.client_secret };
    // Started together on a database already migrated by the commands above.
    const start = async (port: number): Promise<Serve> => {
      const server = spawnNode([BIN, 'serve', '--port', String(port)], env);
      const url = `http://127.0.0.1:${port}`;
      await waitFor(`${url}/readyz`);
      return { url, server };
    };
    [a, b] = await Promise.all([start(portA), start(await freePort())]);
  });

  afterAll(async () => {
    for (const serve of [a, b]) {
      serve.server.child.kill('SIGTERM');
      expect(await serve.server.exited).toBe(0);
    }
    await database.drop();
  });

  /** Logs alice in and consents on A (the issuer's host); the code that comes back, and its verifier. */
  async function codeFromA(browser = new Browser(issuer)): Promise<{ code: string; verifier: string }> {
    const { verifier, challenge } = pkce();
    // The helpers only read `url` from the server: here that is process A, the issuer.
    const server = { url: issuer } as TestServer;
    const { location } = await authorizeFlow(server, browser, { clientId: client.id, redirectUri: REDIRECT, scope: 'openid profile', challenge }, { user: { username: 'alice', password: 'wonderland' } });
    return { code: codeFrom(location), verifier };
  }

  async function token(on: Serve, form: Record<string, string>): Promise<{ status: number; json: Record<string, unknown> }> {
    const response = await fetch(`${on.url}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`${client.id}:${client.secret}`).toString('base64')}` },
      body: new URLSearchParams(form).toString(),
    });
    return { status: response.status, json: (await response.json()) as Record<string, unknown> };
  }

  const redeem = (on: Serve, code: string, verifier: string) =>
    token(on, { grant_type: 'authorization_code', code, redirect_uri: REDIRECT, code_verifier: verifier });

  /** GET on B as a load balancer forwards it: with the issuer's Host (fetch cannot set Host). */
  function getOnB(path: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
      const req = httpRequest(`${b.url}${path}`, { headers: { host: new URL(issuer).host, ...headers } }, (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      req.end();
    });
  }

  it('a session cookie from A is valid on B', async () => {
    const browser = new Browser(issuer);
    await codeFromA(browser);
    const cookie = [...browser.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
    const signedIn = await getOnB('/', { cookie });
    expect(signedIn.status).toBe(200);
    expect(signedIn.body).toMatch(/Signed in as <strong><bdi>alice<\/bdi><\/strong>/);
    expect((await getOnB('/', {})).body).not.toContain('Signed in as');
  });

  it('redeems on B a code issued on A; the access token signed by A verifies with B’s JWKS', async () => {
    const { code, verifier } = await codeFromA();
    const redeemed = await redeem(b, code, verifier);
    expect(redeemed.status).toBe(200);
    const jwks = (await (await fetch(`${b.url}/jwks`)).json()) as JSONWebKeySet;
    const { payload } = await jwtVerify(String(redeemed.json.access_token), createLocalJWKSet(jwks), { issuer });
    expect(payload.client_id).toBe(client.id);
  });

  it('the same code redeemed concurrently on A and B succeeds exactly once', async () => {
    const { code, verifier } = await codeFromA();
    const results = await Promise.all([a, b, a, b].map((on) => redeem(on, code, verifier)));
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    expect(results.filter((r) => r.status === 400 && r.json.error === 'invalid_grant')).toHaveLength(3);
  });

  it('a refresh token rotated on A is refused when replayed on B, and its family is revoked', async () => {
    const { code, verifier } = await codeFromA();
    const first = await redeem(a, code, verifier);
    const old = String(first.json.refresh_token);
    const rotated = await token(a, { grant_type: 'refresh_token', refresh_token: old });
    expect(rotated.status).toBe(200);
    const replay = await token(b, { grant_type: 'refresh_token', refresh_token: old });
    expect(replay).toMatchObject({ status: 400, json: { error: 'invalid_grant' } });
    // The successor A issued died with the family.
    const successor = await token(a, { grant_type: 'refresh_token', refresh_token: String(rotated.json.refresh_token) });
    expect(successor).toMatchObject({ status: 400, json: { error: 'invalid_grant' } });
  });

  it('a key rotated through the command line is published by both A and B', { timeout: 30_000 }, async () => {
    const rotated = await latchkey(['keys', 'rotate'], env);
    expect(rotated.code).toBe(0);
    const kids = /new signing keys: (\S+) (\S+)/.exec(rotated.stdout)?.slice(1) ?? [];
    expect(kids).toHaveLength(2);
    // Each process reloads its keys from the database within 5 s.
    await new Promise((resolve) => setTimeout(resolve, 5_500));
    for (const serve of [a, b]) {
      const published = ((await (await fetch(`${serve.url}/jwks`)).json()) as JSONWebKeySet).keys.map((k) => k.kid);
      expect(published).toEqual(expect.arrayContaining(kids));
    }
  });
});
