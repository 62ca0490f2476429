// `npm run bench:processes -w bench` (issue 7): the refresh_token grant at POST /token on SQLite
// and (when LATCHKEY_BENCH_POSTGRES names a cluster's admin URL) PostgreSQL, with one and with
// two `latchkey serve` processes on the same database, side by side in one run. Every request
// rotates a different refresh token, so enough of them are written straight into the store
// first. Every answer must be 200; bounded: BENCH_WARMUP (2 s) + BENCH_DURATION (8 s) per
// configuration, BENCH_CONNECTIONS (50) in all, split between the processes. Prints requests/s,
// p50 and p99, and writes bench/results/token-endpoint-<timestamp>.json.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { LATCHKEY, ROOT, freePort, startServer, stopServer } from './lib/children.js';
import { basic, createRefreshTokens, prepareLatchkey } from './lib/latchkey.js';
import { Problems, cannon, tokenResponseCheck } from './lib/load.js';

const WARM_UP_S = Number(process.env.BENCH_WARMUP ?? 2);
const DURATION_S = Number(process.env.BENCH_DURATION ?? 8);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
// Enough single-use tokens for the fastest plausible rate over warm-up and measurement.
const TOKENS = Number(process.env.BENCH_TOKENS ?? 60_000);

async function main() {
  const configs = [{ name: 'sqlite', processes: 1 }, { name: 'sqlite', processes: 2 }];
  const admin = process.env.LATCHKEY_BENCH_POSTGRES || undefined;
  if (admin) configs.push({ name: 'postgres', processes: 1 }, { name: 'postgres', processes: 2 });
  console.log(`refresh_token grant at POST /token: autocannon, ${CONNECTIONS} connections in all, ${WARM_UP_S} s warm-up + ${DURATION_S} s measured, on 127.0.0.1`);
  const results = [];
  for (const config of configs) results.push({ ...config, ...(await measure(config, admin)) });

  console.log('');
  console.log('database   processes   requests/s     p50      p99  valid');
  for (const r of results) {
    console.log(`  ${r.name.padEnd(10)} ${String(r.processes).padStart(5)} ${r.requestsPerSecond.toFixed(0).padStart(14)} ${`${r.p50Ms.toFixed(1)} ms`.padStart(8)} ${`${r.p99Ms.toFixed(1)} ms`.padStart(8)}  ${r.valid ? 'yes' : `INVALID: ${r.problem}`}`);
  }
  const out = path.join(ROOT, 'bench/results');
  mkdirSync(out, { recursive: true });
  const file = path.join(out, `token-endpoint-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, `${JSON.stringify({ benchmark: 'POST /token refresh_token', date: new Date().toISOString(), node: process.version, connections: CONNECTIONS, results }, null, 2)}\n`);
  console.log(`\nresults written to ${path.relative(ROOT, file)}`);
  if (results.some((r) => !r.valid)) process.exitCode = 1;
}

async function measure(/** @type {{ name: string, processes: number }} */ config, /** @type {string | undefined} */ admin) {
  const lk = await prepareLatchkey({ audience: 'http://127.0.0.1:1', postgresAdmin: config.name === 'postgres' ? admin : undefined });
  /** @type {import('./lib/children.js').Server[]} */
  const servers = [];
  try {
    const tokens = await createRefreshTokens(lk, TOKENS);
    const ports = [];
    for (let i = 0; i < config.processes; i += 1) {
      const port = await freePort();
      ports.push(port);
      servers.push(await startServer(LATCHKEY, ['serve', '--port', String(port)], lk.env, { url: `http://127.0.0.1:${port}/readyz` }));
    }
    let next = 0;
    const problems = new Problems();
    const perProcess = Math.max(1, Math.floor(CONNECTIONS / ports.length));
    const load = (/** @type {number} */ i, /** @type {number} */ seconds) =>
      cannon(
        {
          url: `http://127.0.0.1:${ports[i]}/token`,
          method: 'POST',
          headers: { authorization: basic(lk.web), 'content-type': 'application/x-www-form-urlencoded' },
          setupBody: () => `grant_type=refresh_token&refresh_token=${next < tokens.length ? tokens[next++] : 'exhausted-raise-BENCH_TOKENS'}`,
          check: tokenResponseCheck(true),
        },
        { seconds, connections: perProcess, pid: servers[i].pid, problems },
      );
    await Promise.all(ports.map((_, i) => load(i, WARM_UP_S)));
    const runs = await Promise.all(ports.map((_, i) => load(i, DURATION_S)));
    return {
      requestsPerSecond: runs.reduce((sum, r) => sum + r.requests / r.seconds, 0),
      p50Ms: Math.max(...runs.map((r) => r.latencies.p50)),
      p99Ms: Math.max(...runs.map((r) => r.latencies.p99)),
      requests: runs.reduce((sum, r) => sum + r.requests, 0),
      valid: problems.count === 0,
      problem: problems.first,
    };
  } finally {
    for (const s of servers) await stopServer(s);
    await lk.dispose();
  }
}

await main();
