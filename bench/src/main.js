// `npm run bench`: what verifying the access token costs the Calendar API. A real authorization
// server (the built `latchkey serve`, on a fresh data folder) issues a user's token for
// calendar.read through the authorization code flow; the API runs in its own process; autocannon loads GET /calendar/events on
// 127.0.0.1 with the token, then the same route with no check, and prints requests/s, p50, p99
// and the ratio. Results go to bench/results/ (gitignored). Bounded: 2 s warm-up + 8 s measured
// per target, in alternating rounds. Goal (issue 3): verification costs under 15% of the route's throughput.
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath, URLSearchParams } from 'node:url';
import autocannon from 'autocannon';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '../..');
const LATCHKEY = path.join(ROOT, 'packages/server/bin/latchkey.js');
const WARM_UP_S = Number(process.env.BENCH_WARMUP ?? 2);
const DURATION_S = Number(process.env.BENCH_DURATION ?? 8);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 16);
const ROUNDS = 4;
const USER = { username: 'alice', password: 'wonderland' };
const REDIRECT_URI = 'http://127.0.0.1:3999/callback';

const children = [];

async function main() {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'latchkey-bench-'));
  try {
    const [asPort, apiPort] = [await freePort(), await freePort()];
    const issuer = `http://127.0.0.1:${asPort}`;
    const audience = `http://127.0.0.1:${apiPort}`;
    const env = { ...process.env, LATCHKEY_DATA_DIR: dataDir, LATCHKEY_PORT: String(asPort), LATCHKEY_ISSUER: issuer, LATCHKEY_LOG_LEVEL: 'warn' };

    await run(LATCHKEY, ['user', 'add', USER.username, '--password-stdin'], env, USER.password);
    await run(LATCHKEY, ['scope', 'add', 'calendar.read', '--description', 'See your calendar events', '--resource', audience], env);
    const client = JSON.parse(await run(LATCHKEY, ['client', 'add', '--name', 'Bench', '--redirect-uri', REDIRECT_URI, '--scope', 'calendar.read', '--json'], env));
    await ready(start(LATCHKEY, ['serve'], env), () => true, `${issuer}/healthz`);
    const token = await userToken(issuer, client);
    const sub = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()).sub;

    const api = start(path.join(HERE, 'api-server.js'), [], { ...env, BENCH_ISSUER: issuer, BENCH_AUDIENCE: audience, BENCH_DATA_DIR: dataDir, BENCH_SUB: sub });
    const urls = JSON.parse(await ready(api, (line) => line.startsWith('{')));

    // Both get the same request bytes; only one checks the token.
    const headers = { authorization: `Bearer ${token}` };
    const targets = [
      { name: 'no token check', url: `${urls.unchecked}/calendar/events`, headers },
      { name: 'with token check', url: `${urls.checked}/calendar/events`, headers },
    ];
    for (const target of targets) {
      const probe = await fetch(target.url, { headers: target.headers });
      if (probe.status !== 200) throw new Error(`${target.name}: ${target.url} answered ${probe.status}`);
    }
    console.log(`autocannon: ${CONNECTIONS} connections, ${WARM_UP_S} s warm-up + ${DURATION_S} s measured per target in ${ROUNDS} alternating rounds, on 127.0.0.1`);
    for (const target of targets) await load(target, WARM_UP_S);
    // The measured time is split into rounds that alternate the targets, so a change in the
    // machine's background load falls on both alike.
    const runs = Object.fromEntries(targets.map((t) => [t.name, []]));
    for (let round = 0; round < ROUNDS; round += 1) {
      for (const target of round % 2 === 0 ? targets : [...targets].reverse()) {
        const r = await load(target, DURATION_S / ROUNDS);
        if (r.non2xx > 0 || r.errors > 0) throw new Error(`${target.name}: ${r.non2xx} non-2xx answers, ${r.errors} errors`);
        runs[target.name].push(r);
      }
    }
    const mean = (values) => values.reduce((a, b) => a + b, 0) / values.length;
    const results = Object.fromEntries(
      Object.entries(runs).map(([name, rs]) => [
        name,
        {
          requestsPerSecond: mean(rs.map((r) => r.requests.average)),
          p50Ms: mean(rs.map((r) => r.latency.p50)),
          p99Ms: mean(rs.map((r) => r.latency.p99)),
          requests: rs.reduce((a, r) => a + r.requests.total, 0),
        },
      ]),
    );
    const base = results['no token check'];
    const checked = results['with token check'];
    const ratio = checked.requestsPerSecond / base.requestsPerSecond;
    console.log('');
    console.log('GET /calendar/events         requests/s     p50      p99');
    for (const [name, r] of Object.entries(results)) {
      console.log(`  ${name.padEnd(26)} ${r.requestsPerSecond.toFixed(0).padStart(10)} ${`${r.p50Ms.toFixed(1)} ms`.padStart(8)} ${`${r.p99Ms.toFixed(1)} ms`.padStart(8)}`);
    }
    console.log(`  ratio (checked / unchecked)  ${ratio.toFixed(3)}: verification costs ${((1 - ratio) * 100).toFixed(1)}% of throughput (goal: under 15%)`);

    const out = path.join(ROOT, 'bench/results');
    mkdirSync(out, { recursive: true });
    const file = path.join(out, `calendar-api-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
    const record = { benchmark: 'calendar-api GET /calendar/events', date: new Date().toISOString(), node: process.version, connections: CONNECTIONS, durationSeconds: DURATION_S, results, ratio };
    writeFileSync(file, `${JSON.stringify(record, null, 2)}\n`);
    console.log(`\nresults written to ${path.relative(ROOT, file)}`);
  } finally {
    await stopAll();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

function load(target, duration) {
  return autocannon({ url: target.url, headers: target.headers, connections: CONNECTIONS, duration });
}

/** The authorization code flow with PKCE, the browser's part played with fetch (as in README.md). */
async function userToken(issuer, client) {
  const cookies = new Map();
  const go = async (url, form) => {
    const headers = { cookie: [...cookies].map(([k, v]) => `${k}=${v}`).join('; ') };
    if (form !== undefined) headers['content-type'] = 'application/x-www-form-urlencoded';
    const response = await fetch(new URL(url, issuer), { method: form === undefined ? 'GET' : 'POST', headers, body: form, redirect: 'manual' });
    for (const cookie of response.headers.getSetCookie()) {
      const [pair = ''] = cookie.split(';');
      cookies.set(pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1));
    }
    return response;
  };
  const field = (html, name) => new RegExp(`name="${name}" value="([^"]*)"`).exec(html)?.[1] ?? '';
  const verifier = randomBytes(32).toString('base64url');
  const authorize = new URLSearchParams({
    response_type: 'code', client_id: client.client_id, redirect_uri: REDIRECT_URI, scope: 'calendar.read',
    code_challenge: createHash('sha256').update(verifier).digest('base64url'), code_challenge_method: 'S256',
  });
  let response = await go(`/authorize?${authorize}`);
  let page = await (await go(response.headers.get('location'))).text();
  response = await go('/login', new URLSearchParams({ csrf: field(page, 'csrf'), interaction: field(page, 'interaction'), username: USER.username, password: USER.password }));
  page = await (await go(response.headers.get('location'))).text();
  response = await go('/consent', new URLSearchParams({ csrf: field(page, 'csrf'), interaction: field(page, 'interaction'), scope: 'calendar.read', decision: 'allow' }));
  const code = new URL(response.headers.get('location') ?? '').searchParams.get('code');
  if (code === null) throw new Error(`the flow did not end with a code: ${response.status} ${response.headers.get('location')}`);
  response = await fetch(`${issuer}/token`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `Basic ${Buffer.from(`${encodeURIComponent(client.client_id)}:${encodeURIComponent(client.client_secret)}`).toString('base64')}`,
    },
    body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI, code_verifier: verifier }),
  });
  const body = await response.json();
  if (response.status !== 200) throw new Error(`token request failed: ${JSON.stringify(body)}`);
  return body.access_token;
}

function run(script, args, env, input = '') {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, ...args], { env, cwd: ROOT, stdio: ['pipe', 'pipe', 'inherit'] });
    child.stdin.end(input);
    let out = '';
    child.stdout.on('data', (d) => (out += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`${path.basename(script)} ${args.join(' ')} exited ${code}`))));
  });
}

function start(script, args, env) {
  const child = spawn(process.execPath, [script, ...args], { env, cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise((resolve) => child.on('exit', resolve));
  children.push({ child, exited });
  return child;
}

/** Resolves with the first stdout line matching `isReady`, or once `healthUrl` answers 200. */
async function ready(child, isReady, healthUrl) {
  if (healthUrl !== undefined) {
    for (let i = 0; i < 100; i += 1) {
      if (child.exitCode !== null) throw new Error('the server exited during startup');
      if (await fetch(healthUrl).then((r) => r.ok, () => false)) return '';
      await sleep(100);
    }
    throw new Error(`${healthUrl} did not answer`);
  }
  return new Promise((resolve, reject) => {
    createInterface({ input: child.stdout }).on('line', (line) => {
      if (isReady(line)) resolve(line);
    });
    child.on('exit', (code) => reject(new Error(`the API process exited (${code}) during startup`)));
  });
}

async function stopAll() {
  for (const { child } of children) if (child.exitCode === null) child.kill('SIGTERM');
  await Promise.all(children.map((c) => c.exited));
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
