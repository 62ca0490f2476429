// Latchkey under test: a data folder (or PostgreSQL database) prepared with the CLI, servers
// started from the built `latchkey serve`, refresh tokens written straight into the store, and
// the browser's part of the authorization code flow played with fetch.
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { URLSearchParams, pathToFileURL } from 'node:url';
import pg from 'pg';
import { LATCHKEY, ROOT, freePort, latchkey, startServer } from './children.js';
import { commandName, parentPid } from './proc.js';

export const USER = { username: 'alice', password: 'wonderland' };
export const REDIRECT_URI = 'http://127.0.0.1:3999/callback';

/**
 * @typedef {{ client_id: string, client_secret: string }} Credentials
 * @typedef {{
 *   label: string, database: 'sqlite' | 'postgres', env: NodeJS.ProcessEnv, dataDir: string,
 *   port: number, issuer: string, audience: string, service: Credentials, web: Credentials,
 *   databasePid?: number, dispose: () => Promise<void>,
 * }} Instance
 * `databasePid`: the PostgreSQL cluster's postmaster, when it runs on this machine, so that the
 * CPU of its processes can be read (proc.js familyCpuMicros).
 */

/**
 * A fresh Latchkey database with alice, the API scopes (resource `audience`), a service client
 * (client_credentials; also the introspecting resource server) and a web client (authorization
 * code + refresh). `postgresAdmin`: a cluster admin URL to create the database on; else SQLite.
 * @returns {Promise<Instance>}
 */
export async function prepareLatchkey({ audience, postgresAdmin = /** @type {string | undefined} */ (undefined) }) {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'latchkey-bench-'));
  const port = await freePort();
  const issuer = `http://127.0.0.1:${port}`;
  /** @type {NodeJS.ProcessEnv} */
  const env = { ...process.env, LATCHKEY_DATA_DIR: dataDir, LATCHKEY_PORT: String(port), LATCHKEY_ISSUER: issuer, LATCHKEY_LOG_LEVEL: process.env.LATCHKEY_LOG_LEVEL ?? 'warn' };
  delete env.LATCHKEY_DATABASE;
  let dropDatabase = async () => {};
  /** @type {number | undefined} */
  let databasePid;
  if (postgresAdmin !== undefined) {
    const name = `latchkey_bench_${randomBytes(6).toString('hex')}`;
    await withAdmin(postgresAdmin, async (c) => {
      await c.query(`create database ${name}`);
      // A backend's parent is the postmaster. A cluster on another machine has no process here,
      // or one of another program under the same id: then its CPU is not read.
      const { rows } = await c.query('select pg_backend_pid() as pid');
      const backend = Number(rows[0]?.pid);
      if (commandName(backend)?.startsWith('postgres')) databasePid = parentPid(backend);
    });
    dropDatabase = () => withAdmin(postgresAdmin, (c) => c.query(`drop database if exists ${name} with (force)`));
    const url = new URL(postgresAdmin);
    url.pathname = `/${name}`;
    env.LATCHKEY_DATABASE = url.href;
  }
  const dispose = async () => {
    await dropDatabase();
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    await latchkey(['user', 'add', USER.username, '--password-stdin'], env, USER.password);
    for (const [name, description] of [['api.read', 'Read the bench API'], ['calendar.read', 'See your calendar events']]) {
      await latchkey(['scope', 'add', name, '--description', description, '--resource', audience], env);
    }
    const service = JSON.parse(await latchkey(['client', 'add', '--name', 'Bench service', '--grant-type', 'client_credentials', '--scope', 'api.read', '--json'], env));
    const web = JSON.parse(await latchkey(['client', 'add', '--name', 'Bench web', '--redirect-uri', REDIRECT_URI, '--scope', 'openid api.read calendar.read', '--json'], env));
    const database = postgresAdmin === undefined ? 'sqlite' : 'postgres';
    return { label: `latchkey (${database})`, database, env, dataDir, port, issuer, audience, service, web, ...(databasePid === undefined ? {} : { databasePid }), dispose };
  } catch (error) {
    await dispose();
    throw error;
  }
}

/**
 * The node flags docs/DEPLOYMENT.md recommends for `latchkey serve` (the bench's Calendar API
 * process gets them too, as its README recommends): a 4 MiB young generation from
 * the start, about 20 MiB less peak RSS under load at the same throughput than V8's 16 MiB, and
 * without V8's 1 MiB start, after which 3 of 10 refresh runs settled into frequent full
 * collections and a 16-34 ms p99 (docs/PERFORMANCE.md). BENCH_LATCHKEY_NODE_ARGS comes after
 * them, so it can override them.
 */
export const DEPLOYMENT_NODE_FLAGS = ['--max-semi-space-size=4', '--min-semi-space-size=4'];

/**
 * A fresh `latchkey serve` on the instance's port, or on `port`: a second process of the same
 * instance (same issuer, same store), as a deployment runs several; `nodeArgs` e.g. --cpu-prof.
 */
export async function startLatchkey(/** @type {Instance} */ instance, /** @type {string[]} */ nodeArgs = [], port = instance.port) {
  const base = `http://127.0.0.1:${port}`;
  const server = await startServer(LATCHKEY, ['serve', '--port', String(port)], instance.env, { url: `${base}/readyz`, nodeArgs: [...DEPLOYMENT_NODE_FLAGS, ...nodeArgs] });
  return Object.assign(server, { base });
}

const hash = (/** @type {string} */ secret) => createHash('sha256').update(secret, 'utf8').digest('base64url');

/** Single-use refresh tokens for alice (api.read, one family each), stored as the authorization code grant stores them. */
export async function createRefreshTokens(/** @type {Instance} */ instance, /** @type {number} */ count, clientId = instance.web.client_id, scopes = ['api.read']) {
  const { createStore } = await import(pathToFileURL(path.join(ROOT, 'packages/server/dist/store/index.js')).href);
  const { firstRefreshToken } = await import(pathToFileURL(path.join(ROOT, 'packages/server/dist/tokens/refresh-token-format.js')).href);
  const database = instance.env.LATCHKEY_DATABASE === undefined
    ? { kind: 'sqlite', path: path.join(instance.dataDir, 'latchkey.db') }
    : { kind: 'postgres', url: instance.env.LATCHKEY_DATABASE };
  const store = await createStore(database);
  try {
    const user = await store.users.findByUsernameKey(USER.username);
    const now = Math.floor(Date.now() / 1000);
    /** @type {string[]} */
    const tokens = [];
    for (let start = 0; start < count; start += 500) {
      await Promise.all(
        Array.from({ length: Math.min(500, count - start) }, async () => {
          const { token, chain } = firstRefreshToken();
          const familyId = randomBytes(12).toString('base64url');
          await store.refreshTokens.createFamily(
            { id: familyId, clientId, userId: user.id, scopes, codeHash: null, createdAt: now, revokedAt: null },
            { chain, tokenHash: hash(token), issuedAt: now, expiresAt: now + 86_400 },
          );
          tokens.push(token);
        }),
      );
    }
    return tokens;
  } finally {
    await store.close();
  }
}

export function basic(/** @type {Credentials} */ client) {
  return `Basic ${Buffer.from(`${encodeURIComponent(client.client_id)}:${encodeURIComponent(client.client_secret)}`).toString('base64')}`;
}

export function pkce() {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

/** A cookie jar and fetch with manual redirects: the browser, as far as the flow needs one. */
export class Browser {
  constructor(/** @type {string} */ origin) {
    this.origin = origin;
    /** @type {Map<string, string>} */
    this.cookies = new Map();
  }

  cookieHeader() {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  async go(/** @type {string} */ url, /** @type {URLSearchParams | undefined} */ form = undefined) {
    /** @type {Record<string, string>} */
    const headers = { cookie: this.cookieHeader() };
    if (form !== undefined) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      headers.origin = this.origin;
    }
    const response = await fetch(new URL(url, this.origin), { method: form === undefined ? 'GET' : 'POST', headers, body: form, redirect: 'manual' });
    for (const cookie of response.headers.getSetCookie()) {
      const [pair = ''] = cookie.split(';');
      this.cookies.set(pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1));
    }
    return response;
  }
}

/** Every hidden input of the page's form, as posted back by a browser. */
function hiddenFields(/** @type {string} */ html) {
  const form = new URLSearchParams();
  for (const [input] of html.matchAll(/<input[^>]*type="hidden"[^>]*>/g)) {
    const name = /name="([^"]*)"/.exec(input)?.[1];
    const value = /value="([^"]*)"/.exec(input)?.[1] ?? '';
    if (name !== undefined) form.set(name, value.replaceAll('&amp;', '&').replaceAll('&quot;', '"'));
  }
  return form;
}

/**
 * The authorization request as a browser makes it, signing in and consenting whenever asked;
 * resolves with the code at the redirect URI.
 */
export async function authorizeInteractive(/** @type {Browser} */ browser, /** @type {Credentials} */ client, /** @type {string} */ scope, /** @type {string} */ challenge) {
  const query = new URLSearchParams({ response_type: 'code', client_id: client.client_id, redirect_uri: REDIRECT_URI, scope, code_challenge: challenge, code_challenge_method: 'S256' });
  let response = await browser.go(`/authorize?${query}`);
  for (let step = 0; step < 8; step += 1) {
    const location = response.headers.get('location');
    if (response.status < 300 || response.status > 399 || location === null) break;
    const target = new URL(location, browser.origin);
    if (target.href.startsWith(REDIRECT_URI)) {
      const code = target.searchParams.get('code');
      if (code === null) throw new Error(`the flow ended without a code: ${target.href}`);
      return code;
    }
    response = await browser.go(target.href);
    if (target.pathname === '/login' || target.pathname === '/consent') {
      const form = hiddenFields(await response.text());
      if (target.pathname === '/login') {
        form.set('username', USER.username);
        form.set('password', USER.password);
      } else {
        for (const s of scope.split(' ')) form.append('scope', s);
        form.set('decision', 'allow');
      }
      response = await browser.go(target.pathname, form);
    }
  }
  throw new Error(`the authorization flow did not reach the client: ${response.status} ${(await response.text()).slice(0, 200)}`);
}

/** Exchanges a code at the token endpoint (client_secret_basic); resolves with the token response. */
export async function exchangeCode(/** @type {string} */ issuer, /** @type {Credentials} */ client, /** @type {string} */ code, /** @type {string} */ verifier) {
  const response = await fetch(`${issuer}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic(client) },
    body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI, code_verifier: verifier }),
  });
  const body = await response.json();
  if (response.status !== 200) throw new Error(`code exchange failed: ${response.status} ${JSON.stringify(body)}`);
  return body;
}

/** A client_credentials access token for the service client. */
export async function serviceToken(/** @type {string} */ tokenUrl, /** @type {Credentials} */ client, extra = '') {
  const response = await fetch(tokenUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic(client) },
    body: `grant_type=client_credentials&scope=api.read${extra}`,
  });
  const body = await response.json();
  if (response.status !== 200) throw new Error(`client_credentials failed: ${response.status} ${JSON.stringify(body)}`);
  return /** @type {string} */ (body.access_token);
}

async function withAdmin(/** @type {string} */ url, /** @type {(c: pg.Client) => Promise<unknown>} */ work) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await work(client);
  } finally {
    await client.end();
  }
}
