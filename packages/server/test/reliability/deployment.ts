// A production-like deployment for the reliability tests (SECURITY-CATALOG §13): the BUILT
// `latchkey serve` as a child process, set up with the `latchkey` commands, on a SQLite file in a
// temp folder, or on a fresh PostgreSQL database in the PostgreSQL pass (support/postgres.ts).
// Processes can be stopped with any signal and started again on the same data and the same port
// (so the issuer, and every token's `iss`, stay the same). `npm test` builds dist first.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Kysely } from 'kysely';
import { expect } from 'vitest';
import { openDatabase, type DatabaseConfig } from '../../src/store/kysely/dialect.js';
import type { Database } from '../../src/store/kysely/schema.js';
import { BIN, freePort, latchkey, spawnNode, waitFor } from '../cli/run-cli.js';
import { Browser } from '../support/browser.js';
import { authorizeFlow, codeFrom, pkce } from '../support/oauth.js';
import { createTestDatabase, testDatabaseKind, type TestDatabase } from '../support/postgres.js';
import type { TestServer } from '../support/server.js';

export const REDIRECT = 'https://mine.example/cb';
/** An API scope, so that the resource server can get client_credentials tokens. */
export const API_SCOPE = 'calendar.read';
export const ALICE = { username: 'alice', password: 'wonderland-7Qx!' };

export interface Credentials {
  clientId: string;
  secret: string;
}

export interface ServeProcess {
  readonly url: string;
  readonly pid: number;
  /** Everything the process wrote to stdout and stderr so far. */
  output(): string;
  /** Resolves with the exit code (null when a signal ended it). */
  readonly exited: Promise<number | null>;
  kill(signal: NodeJS.Signals): void;
}

export interface Deployment {
  readonly issuer: string;
  readonly env: Record<string, string>;
  /** A confidential web client (authorization_code, refresh_token). */
  readonly client: Credentials;
  /** A resource server: a confidential client_credentials client (scope API_SCOPE), used to introspect. */
  readonly resourceServer: Credentials;
  /** Starts `latchkey serve` on the deployment's port and waits until it is ready. */
  start(extraEnv?: Record<string, string>): Promise<ServeProcess>;
  /** Direct access to the database, for grey-box checks while no server runs. */
  openDatabase(): Kysely<Database>;
  /** Kills what still runs, drops the database and removes the folder. */
  close(): Promise<void>;
}

export interface DeploymentOptions {
  /** LATCHKEY_* settings for every process and command. */
  settings?: Record<string, string>;
}

/** Creates the data folder (or database), the user alice and the two clients, through the CLI. */
export async function createDeployment(options: DeploymentOptions = {}): Promise<Deployment> {
  const root = mkdtempSync(path.join(os.tmpdir(), 'latchkey-rel-'));
  const port = await freePort();
  const issuer = `http://127.0.0.1:${port}`;
  const database: TestDatabase | undefined = testDatabaseKind() === 'postgres' ? await createTestDatabase() : undefined;
  const databaseConfig: DatabaseConfig =
    database === undefined ? { kind: 'sqlite', path: path.join(root, 'data', 'latchkey.db') } : { kind: 'postgres', url: database.url, poolMax: 2 };
  const env: Record<string, string> = {
    LATCHKEY_DATA_DIR: path.join(root, 'data'),
    LATCHKEY_PORT: String(port),
    LATCHKEY_ISSUER: issuer,
    LATCHKEY_LOG_LEVEL: 'info',
    ...(database === undefined ? {} : { LATCHKEY_DATABASE: database.url, LATCHKEY_DATABASE_POOL_MAX: '4' }),
    ...options.settings,
  };
  const running = new Set<ServeProcess>();

  const added = await latchkey(['user', 'add', ALICE.username, '--password-stdin', '--email', 'alice@example.com'], env, `${ALICE.password}\n`);
  expect(added.code, added.stderr).toBe(0);
  const scope = await latchkey(['scope', 'add', API_SCOPE, '--description', 'See your calendar', '--resource', 'https://calendar.example'], env);
  expect(scope.code, scope.stderr).toBe(0);
  const client = await addClient(env, ['--name', 'Mine', '--redirect-uri', REDIRECT, '--scope', `openid profile email offline_access ${API_SCOPE}`]);
  const resourceServer = await addClient(env, ['--name', 'Calendar API', '--grant-type', 'client_credentials', '--scope', API_SCOPE]);

  return {
    issuer,
    env,
    client,
    resourceServer,
    async start(extraEnv = {}) {
      const serve = spawnNode([BIN, 'serve'], { ...env, ...extraEnv });
      const pid = serve.child.pid;
      if (pid === undefined) throw new Error('latchkey serve did not start');
      const serveProcess: ServeProcess = {
        url: issuer,
        pid,
        output: serve.output,
        exited: serve.exited,
        kill: (signal) => {
          serve.child.kill(signal);
        },
      };
      running.add(serveProcess);
      void serve.exited.then(() => running.delete(serveProcess));
      try {
        await waitFor(`${issuer}/readyz`);
      } catch (error) {
        throw new Error(`latchkey serve never became ready:\n${serve.output()}`, { cause: error });
      }
      return serveProcess;
    },
    openDatabase: () => openDatabase(databaseConfig),
    async close() {
      for (const serveProcess of running) {
        serveProcess.kill('SIGKILL');
        await serveProcess.exited;
      }
      await database?.drop();
      rmSync(root, { recursive: true, force: true });
    },
  };
}

/** `latchkey client add ... --json` on the deployment's database (the server may be running). */
export async function addClient(env: Record<string, string>, args: string[]): Promise<Credentials> {
  const result = await latchkey(['client', 'add', ...args, '--json'], env);
  expect(result.code, result.stderr).toBe(0);
  const registration = JSON.parse(result.stdout) as { client_id: string; client_secret: string };
  return { clientId: registration.client_id, secret: registration.client_secret };
}

/** The protocol helpers read only `url` from a server: here, the deployment's issuer. */
function asServer(url: string): TestServer {
  return { url } as TestServer;
}

/** A browser signed in as alice that has consented once, so later authorizations need no page. */
export async function signedInBrowser(deployment: Deployment): Promise<Browser> {
  const browser = new Browser(deployment.issuer);
  await freshCode(deployment, browser);
  return browser;
}

/** A new authorization code for the web client (or `client`), and the PKCE verifier that redeems it. */
export async function freshCode(deployment: Deployment, browser: Browser, client: Credentials = deployment.client): Promise<{ code: string; verifier: string }> {
  const { verifier, challenge } = pkce();
  const { location } = await authorizeFlow(
    asServer(deployment.issuer),
    browser,
    { clientId: client.clientId, redirectUri: REDIRECT, scope: 'openid offline_access', challenge },
    { user: ALICE },
  );
  return { code: codeFrom(location), verifier };
}

export function basic(credentials: Credentials): string {
  return `Basic ${Buffer.from(`${encodeURIComponent(credentials.clientId)}:${encodeURIComponent(credentials.secret)}`).toString('base64')}`;
}

export interface Answer {
  status: number;
  json: Record<string, unknown>;
  headers: Headers;
  text: string;
}

/** A form POST to one of the back-channel endpoints, authenticated with HTTP Basic. */
export async function post(url: string, endpoint: string, credentials: Credentials, form: Record<string, string>): Promise<Answer> {
  const response = await fetch(`${url}${endpoint}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic(credentials) },
    body: new URLSearchParams(form).toString(),
  });
  const text = await response.text();
  let json: Record<string, unknown> = {};
  try {
    json = text === '' ? {} : (JSON.parse(text) as Record<string, unknown>);
  } catch {
    // A plain-text or HTML body: kept in `text`.
  }
  return { status: response.status, json, headers: response.headers, text };
}

export function redeem(url: string, deployment: Deployment, code: string, verifier: string, client: Credentials = deployment.client): Promise<Answer> {
  return post(url, '/token', client, { grant_type: 'authorization_code', code, redirect_uri: REDIRECT, code_verifier: verifier });
}

export function refresh(url: string, deployment: Deployment, refreshToken: string, client: Credentials = deployment.client): Promise<Answer> {
  return post(url, '/token', client, { grant_type: 'refresh_token', refresh_token: refreshToken });
}

/** RFC 7662 as the resource server: the whole introspection response. */
export async function introspect(url: string, deployment: Deployment, token: string): Promise<Record<string, unknown>> {
  const answer = await post(url, '/introspect', deployment.resourceServer, { token });
  expect(answer.status, answer.text).toBe(200);
  return answer.json;
}

export interface Tokens {
  accessToken: string;
  refreshToken: string;
  idToken: string;
}

/** A code obtained through the browser and redeemed: the tokens of one grant. */
export async function issueGrant(deployment: Deployment, browser: Browser, client: Credentials = deployment.client): Promise<Tokens> {
  const { code, verifier } = await freshCode(deployment, browser, client);
  const answer = await redeem(deployment.issuer, deployment, code, verifier, client);
  expect(answer.status, answer.text).toBe(200);
  return { accessToken: String(answer.json.access_token), refreshToken: String(answer.json.refresh_token), idToken: String(answer.json.id_token) };
}

/** The outcome of a request sent while the server may be stopping: an answer, or a closed connection. */
export type Outcome = { kind: 'answer'; status: number; text: string } | { kind: 'closed'; error: string };

export async function settle(request: Promise<Response>): Promise<Outcome> {
  try {
    const response = await request;
    return { kind: 'answer', status: response.status, text: await response.text() };
  } catch (error) {
    return { kind: 'closed', error: error instanceof Error ? `${error.message} ${String(error.cause ?? '')}` : String(error) };
  }
}

/** The process's resident memory in bytes (Linux /proc), or null where that is not available. */
export function residentMemory(pid: number): number | null {
  try {
    const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match?.[1] === undefined ? null : Number(match[1]) * 1024;
  } catch {
    return null;
  }
}

/**
 * Families whose refresh tokens break the rotation invariant (RFC 9700 §4.14.2): more than one
 * usable token (not rotated, not expired) in a family that is not revoked. Read straight from the
 * database, so tokens whose responses were lost in a crash are counted too.
 */
export async function familiesWithTwoActiveTokens(db: Kysely<Database>, now: number): Promise<{ family_id: string; active: number }[]> {
  const rows = await db
    .selectFrom('refresh_tokens')
    .innerJoin('token_families', 'token_families.id', 'refresh_tokens.family_id')
    .select(['refresh_tokens.family_id as family_id'])
    .select((eb) => eb.fn.countAll<number>().as('active'))
    .where('refresh_tokens.rotated_at', 'is', null)
    .where('refresh_tokens.expires_at', '>', now)
    .where('token_families.revoked_at', 'is', null)
    .groupBy('refresh_tokens.family_id')
    .execute();
  return rows.map((r) => ({ family_id: r.family_id, active: Number(r.active) })).filter((r) => r.active > 1);
}

/** Token families issued from a code that the database does not show as consumed. */
export async function familiesFromUnconsumedCodes(db: Kysely<Database>): Promise<string[]> {
  const rows = await db
    .selectFrom('token_families')
    .innerJoin('authorization_codes', 'authorization_codes.code_hash', 'token_families.code_hash')
    .select('token_families.id as id')
    .where('authorization_codes.consumed_at', 'is', null)
    .execute();
  return rows.map((r) => r.id);
}
