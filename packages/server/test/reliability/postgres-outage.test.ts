// REL-03 and issue 7: PostgreSQL goes away under light load and comes back. While it is down the
// server answers 503 (temporarily_unavailable, or a plain page), never a 500 or a stack trace,
// and /readyz says not ready; when it returns, service resumes by itself, and nothing issued
// before the outage was lost. Runs in the PostgreSQL pass (.ci/run), on a cluster of its own
// that it can stop and start.
import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browser } from '../support/browser.js';
import { authorizeFlow, authorizeUrl, codeFrom, pkce, tokenRequest } from '../support/oauth.js';
import { testDatabaseKind } from '../support/postgres.js';
import { addClient, freePort, seed, startServer, type TestServer } from '../support/server.js';

/** Runs a PostgreSQL binary, as the `postgres` user when we are root (initdb refuses root). */
function pgRun(bin: string, args: string[]): void {
  const asRoot = process.getuid?.() === 0;
  execFileSync(asRoot ? 'runuser' : bin, asRoot ? ['-u', 'postgres', '--', bin, ...args] : args, { stdio: 'ignore', timeout: 60_000 });
}

class Cluster {
  readonly dir = mkdtempSync(path.join(os.tmpdir(), 'latchkey-outage-'));
  private readonly bin: string;
  constructor(readonly port: number) {
    const version = readdirSync('/usr/lib/postgresql').sort().at(-1) ?? '';
    this.bin = `/usr/lib/postgresql/${version}/bin`;
    chmodSync(this.dir, 0o755);
    if (process.getuid?.() === 0) chownSync(this.dir, Number(execFileSync('id', ['-u', 'postgres']).toString().trim()), Number(execFileSync('id', ['-g', 'postgres']).toString().trim()));
    pgRun(`${this.bin}/initdb`, ['-D', `${this.dir}/data`, '-U', 'postgres', '-A', 'trust', '--no-sync']);
  }
  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
  }
  start(): void {
    pgRun(`${this.bin}/pg_ctl`, ['-D', `${this.dir}/data`, '-l', `${this.dir}/log`, '-w', '-t', '60', 'start', '-o', `-p ${this.port} -k ${this.dir} -c listen_addresses=127.0.0.1 -c fsync=off`]);
  }
  stop(): void {
    pgRun(`${this.bin}/pg_ctl`, ['-D', `${this.dir}/data`, '-m', 'fast', '-w', 'stop']);
  }
  remove(): void {
    try {
      this.stop();
    } catch {
      // Already stopped.
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

describe.runIf(testDatabaseKind() === 'postgres' && existsSync('/usr/lib/postgresql'))('REL-03: the database goes away and comes back', () => {
  let cluster: Cluster;
  let server: TestServer;
  beforeAll(async () => {
    cluster = new Cluster(await freePort());
    cluster.start();
    server = await startServer({ database: cluster.url, databasePoolMax: '4' });
    await seed(server);
  }, 90_000);
  afterAll(async () => {
    await server?.close().catch(() => undefined);
    cluster?.remove();
  });

  it('answers 503 while it is down, recovers by itself, and loses nothing issued before', { timeout: 120_000 }, async () => {
    const { client, secret } = await addClient(server, { redirectUris: ['https://app.example/cb'], scopes: ['openid', 'api.read'] });
    const auth = { clientId: client.id, secret: secret ?? '' };
    const { verifier, challenge } = pkce();
    const { location } = await authorizeFlow(server, new Browser(server.url), { clientId: client.id, redirectUri: 'https://app.example/cb', scope: 'openid api.read', challenge });
    const issued = await tokenRequest(server, { grant_type: 'authorization_code', code: codeFrom(location), redirect_uri: 'https://app.example/cb', code_verifier: verifier }, auth);
    expect(issued.status).toBe(200);

    cluster.stop();
    const refresh = await tokenRequest(server, { grant_type: 'refresh_token', refresh_token: String(issued.json.refresh_token) }, auth);
    expect(refresh.status).toBe(503);
    expect(refresh.json.error).toBe('temporarily_unavailable');
    expect(refresh.headers.get('retry-after')).not.toBeNull();
    expect((await fetch(`${server.url}/readyz`)).status).toBe(503);
    // A complete request, so that answering it needs the database (a session, the pending
    // request) whatever the server still has in its short read caches (client, scopes): 503, and
    // no redirect anywhere.
    const page = await fetch(authorizeUrl(server, { clientId: client.id, redirectUri: 'https://app.example/cb', scope: 'openid api.read', challenge: pkce().challenge }), { redirect: 'manual' });
    expect(page.status).toBe(503);
    expect(page.headers.get('location')).toBeNull();
    expect(await page.text()).not.toMatch(/at .*\.(js|ts):\d+|postgres:\/\//);
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);

    cluster.start();
    let ready = 0;
    for (let i = 0; i < 60 && ready !== 200; i += 1) {
      ready = (await fetch(`${server.url}/readyz`)).status;
      if (ready !== 200) await new Promise((r) => setTimeout(r, 500));
    }
    expect(ready).toBe(200);
    // The refresh token issued before the outage still works, once: nothing was lost or reused.
    const after = await tokenRequest(server, { grant_type: 'refresh_token', refresh_token: String(issued.json.refresh_token) }, auth);
    expect(after.status).toBe(200);
    expect(after.json.scope).toBe('openid api.read');
  });
});
