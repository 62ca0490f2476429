// `npm run bench`, part 2 (issue 7): the token endpoint under the refresh_token grant, on SQLite
// and (when LATCHKEY_BENCH_POSTGRES names a cluster's admin URL) PostgreSQL, with one and with
// two `latchkey serve` processes on the same database, side by side in one run. Every request
// rotates a different refresh token, so enough of them are created first, straight into the
// store (as the authorization code grant would). Every answer must be 200; bounded: 2 s warm-up
// + 8 s measured per configuration. Prints requests/s, p50 and p99, and writes JSON results.
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import pg from 'pg';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '../..');
const LATCHKEY = path.join(ROOT, 'packages/server/bin/latchkey.js');
const { createStore } = await import(path.join(ROOT, 'packages/server/dist/store/index.js'));
const WARM_UP_S = Number(process.env.BENCH_WARMUP ?? 2);
const DURATION_S = Number(process.env.BENCH_DURATION ?? 8);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 16);
// Enough single-use tokens for the fastest plausible rate over warm-up and measurement.
const TOKENS = Number(process.env.BENCH_TOKENS ?? 60_000);

const hash = (secret) => createHash('sha256').update(secret, 'utf8').digest('base64url');

async function main() {
  const configs = [{ name: 'sqlite', processes: 1 }, { name: 'sqlite', processes: 2 }];
  const admin = process.env.LATCHKEY_BENCH_POSTGRES;
  if (admin) configs.push({ name: 'postgres', processes: 1 }, { name: 'postgres', processes: 2 });
  console.log(`refresh_token grant at POST /token: autocannon, ${CONNECTIONS} connections in all, ${WARM_UP_S} s warm-up + ${DURATION_S} s measured, on 127.0.0.1`);
  const results = [];
  for (const config of configs) results.push({ ...config, ...(await measure(config, admin)) });

  console.log('');
  console.log('database   processes   requests/s     p50      p99');
  for (const r of results) {
    console.log(`  ${r.name.padEnd(10)} ${String(r.processes).padStart(5)} ${r.requestsPerSecond.toFixed(0).padStart(14)} ${`${r.p50Ms.toFixed(1)} ms`.padStart(8)} ${`${r.p99Ms.toFixed(1)} ms`.padStart(8)}`);
  }
  const out = path.join(ROOT, 'bench/results');
  mkdirSync(out, { recursive: true });
  const file = path.join(out, `token-endpoint-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, `${JSON.stringify({ benchmark: 'POST /token refresh_token', date: new Date().toISOString(), node: process.version, results }, null, 2)}\n`);
  console.log(`\nresults written to ${path.relative(ROOT, file)}`);
}

async function measure(config, admin) {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'latchkey-bench-token-'));
  const children = [];
  let dropDatabase = async () => {};
  try {
    const env = { ...process.env, LATCHKEY_DATA_DIR: dataDir, LATCHKEY_LOG_LEVEL: 'warn', LATCHKEY_ISSUER: 'http://127.0.0.1:1' };
    if (config.name === 'postgres') {
      const name = `latchkey_bench_${randomBytes(6).toString('hex')}`;
      await withAdmin(admin, (c) => c.query(`create database ${name}`));
      dropDatabase = () => withAdmin(admin, (c) => c.query(`drop database if exists ${name} with (force)`));
      const url = new URL(admin);
      url.pathname = `/${name}`;
      env.LATCHKEY_DATABASE = url.href;
    }
    await run(['user', 'add', 'alice', '--password-stdin'], env, 'wonderland');
    const client = JSON.parse(await run(['client', 'add', '--name', 'Bench', '--redirect-uri', 'http://127.0.0.1:3999/cb', '--scope', 'openid', '--json'], env));
    const tokens = await createRefreshTokens(env, client.client_id);

    const ports = [];
    for (let i = 0; i < config.processes; i += 1) {
      const port = await freePort();
      ports.push(port);
      const child = spawn(process.execPath, [LATCHKEY, 'serve', '--port', String(port)], { env, stdio: 'ignore' });
      children.push({ child, exited: new Promise((resolve) => child.on('exit', resolve)) });
      await waitFor(`http://127.0.0.1:${port}/readyz`);
    }
    const basic = `Basic ${Buffer.from(`${client.client_id}:${client.client_secret}`).toString('base64')}`;
    let next = 0;
    const load = (port, duration, connections) =>
      autocannon({
        url: `http://127.0.0.1:${port}/token`,
        connections,
        duration,
        requests: [
          {
            method: 'POST',
            headers: { authorization: basic, 'content-type': 'application/x-www-form-urlencoded' },
            setupRequest: (request) => {
              if (next >= tokens.length) throw new Error('out of refresh tokens: raise BENCH_TOKENS');
              return { ...request, body: `grant_type=refresh_token&refresh_token=${tokens[next++]}` };
            },
          },
        ],
      });
    const perProcess = Math.max(1, Math.floor(CONNECTIONS / ports.length));
    await Promise.all(ports.map((port) => load(port, WARM_UP_S, perProcess)));
    const runs = await Promise.all(ports.map((port) => load(port, DURATION_S, perProcess)));
    for (const r of runs) if (r.non2xx > 0 || r.errors > 0) throw new Error(`${config.name} x${config.processes}: ${r.non2xx} non-2xx, ${r.errors} errors: invalid run`);
    return {
      requestsPerSecond: runs.reduce((sum, r) => sum + r.requests.average, 0),
      p50Ms: Math.max(...runs.map((r) => r.latency.p50)),
      p99Ms: Math.max(...runs.map((r) => r.latency.p99)),
      requests: runs.reduce((sum, r) => sum + r.requests.total, 0),
    };
  } finally {
    for (const { child } of children) if (child.exitCode === null) child.kill('SIGTERM');
    await Promise.all(children.map((c) => c.exited));
    await dropDatabase();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** Single-use refresh tokens for alice, stored as the authorization code grant stores them. */
async function createRefreshTokens(env, clientId) {
  const database = env.LATCHKEY_DATABASE === undefined ? { kind: 'sqlite', path: path.join(env.LATCHKEY_DATA_DIR, 'latchkey.db') } : { kind: 'postgres', url: env.LATCHKEY_DATABASE };
  const store = await createStore(database);
  try {
    const user = await store.users.findByUsernameKey('alice');
    const now = Math.floor(Date.now() / 1000);
    const tokens = [];
    for (let start = 0; start < TOKENS; start += 500) {
      await Promise.all(
        Array.from({ length: Math.min(500, TOKENS - start) }, async () => {
          const token = randomBytes(32).toString('base64url');
          const familyId = randomBytes(12).toString('base64url');
          await store.refreshTokens.createFamily(
            { id: familyId, clientId, userId: user.id, scopes: ['openid'], codeHash: null, createdAt: now, revokedAt: null },
            { tokenHash: hash(token), familyId, clientId, userId: user.id, scopes: ['openid'], issuedAt: now, expiresAt: now + 86_400, rotatedAt: null },
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

async function withAdmin(url, work) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await work(client);
  } finally {
    await client.end();
  }
}

function run(args, env, input = '') {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [LATCHKEY, ...args], { env, cwd: ROOT, stdio: ['pipe', 'pipe', 'inherit'] });
    child.stdin.end(input);
    let out = '';
    child.stdout.on('data', (d) => (out += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`latchkey ${args.join(' ')} exited ${code}`))));
  });
}

async function waitFor(url) {
  for (let i = 0; i < 150; i += 1) {
    if (await fetch(url).then((r) => r.ok, () => false)) return;
    await sleep(100);
  }
  throw new Error(`${url} did not answer`);
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

await main();
