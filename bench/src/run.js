// `npm run bench` (issue 9): Latchkey beside node-oidc-provider 9 and a bare ES256 signing server,
// all on 127.0.0.1, each server in its own fresh process per scenario so that its CPU time and
// peak RSS are its own; the servers compared in a scenario run side by side and are measured in
// alternating rounds, so that the machine's changing background load falls on all of them
// alike. Measures client_credentials issuance (HTTP Basic), introspection of a valid token, the
// refresh_token grant (every request rotates a pre-created token), the whole authorization code
// flow of a user who already consented, and the demo Calendar API's GET /calendar/events with
// and without the token check. Every load is bounded (warm-up, then a
// measured window) and every response is checked: any non-2xx, error or bad body marks that
// measurement INVALID. Prints one table and the ratios against the targets, and writes
// bench/results/bench-<timestamp>.json.
//
// Env: BENCH_WARMUP (s, default 2), BENCH_DURATION (s, 8), BENCH_CONNECTIONS (50),
// BENCH_ONLY (comma-separated scenario names: client_credentials, introspection, refresh_token,
// authorization_code, calendar), BENCH_TOKENS (refresh tokens to create; default: sized from the
// server's client_credentials rate), LATCHKEY_BENCH_POSTGRES (a cluster admin URL: Latchkey on
// PostgreSQL too), BENCH_PROFILE_DIR (run the Latchkey servers with --cpu-prof into that folder).
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { URLSearchParams, fileURLToPath } from 'node:url';
import { ROOT, freePort, startServer, stopServer } from './lib/children.js';
import {
  Browser, DEPLOYMENT_NODE_FLAGS, REDIRECT_URI, authorizeInteractive, basic, createRefreshTokens, exchangeCode, pkce, prepareLatchkey,
  serviceToken, startLatchkey,
} from './lib/latchkey.js';
import { Problems, activeCheck, cannon, flows, keepAliveAgent, send, tokenResponseCheck } from './lib/load.js';
import { contender, failedRow, sideBySide as measureSideBySide, summarize } from './lib/side-by-side.js';
import { CLK_TCK, familyCpuMicros, peakRssMiB } from './lib/proc.js';
import { BARE_SIGNER as BARE, FASTIFY_SIGNER, POOL_SIGNER, checks, checksText, table } from './lib/report.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const WARM_UP_S = Number(process.env.BENCH_WARMUP ?? 2);
const DURATION_S = Number(process.env.BENCH_DURATION ?? 8);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const ONLY = new Set((process.env.BENCH_ONLY ?? '').split(',').map((s) => s.trim()).filter(Boolean));
const TOKENS = process.env.BENCH_TOKENS === undefined ? undefined : Number(process.env.BENCH_TOKENS);
const POSTGRES = process.env.LATCHKEY_BENCH_POSTGRES || undefined;
const PROFILE_DIR = process.env.BENCH_PROFILE_DIR || undefined;
const LIMITS = { p99LimitMs: 10, rssLimitMiB: 120 };
const OIDC_VERSION = JSON.parse(readFileSync(path.join(ROOT, 'node_modules/oidc-provider/package.json'), 'utf8')).version;
const OIDC = `oidc-provider ${OIDC_VERSION}`;
const BARE_FIXED = 'bare node:http, fixed answer';
const FASTIFY_FIXED = 'Fastify, fixed answer';
// Each scenario's measured time is split into rounds that alternate its servers (or, for the
// Calendar API, its two routes).
const ROUNDS = 4;

const wanted = (/** @type {string} */ name) => ONLY.size === 0 || ONLY.has(name);

/** @type {import('./lib/report.js').Row[]} */
const rows = [];
/** @type {string[]} */
const notes = [];

/**
 * Starts a fresh server, warms it up, measures it in one window, reads its peak RSS, stops it;
 * adds a row. For a measurement with no peer beside it (the code flow); the others go side by
 * side (`sideBySide`).
 * @param {string} scenario
 * @param {string} server
 * @template {import('./lib/children.js').Server} S
 * @param {() => Promise<S>} start
 * @param {(server: S) => Promise<{ run: (seconds: number, problems: Problems) => Promise<import('./lib/load.js').Measurement>, notes?: string[], after?: () => string[] }>} prepare
 */
async function measure(scenario, server, start, prepare) {
  process.stdout.write(`  ${scenario}, ${server} ... `);
  const started = await start();
  try {
    const { run, notes: extra = [], after } = await prepare(started);
    const problems = new Problems();
    await run(WARM_UP_S, problems);
    const m = await run(DURATION_S, problems);
    const row = summarize(scenario, server, [m], problems, peakRssMiB(started.pid), [...extra, ...(after?.() ?? [])]);
    rows.push(row);
    console.log(`${row.requestsPerSecond.toFixed(0)} req/s${row.valid ? '' : `  INVALID: ${problems.non2xx} non-2xx, ${problems.errors} errors, ${problems.timeouts} timeouts, ${problems.badBodies} bad bodies; first: ${problems.first}`}`);
    return row;
  } catch (error) {
    console.log(`FAILED: ${error instanceof Error ? error.message : String(error)}`);
    rows.push(failedRow(scenario, server, error));
    return undefined;
  } finally {
    await stopServer(started);
  }
}

/**
 * The servers of one scenario side by side (lib/side-by-side.js): fresh, warmed up, then measured
 * in ROUNDS alternating rounds; their rows are added in the order given.
 * @param {string} scenario
 * @param {import('./lib/side-by-side.js').Contender<import('./lib/children.js').Server>[]} contenders
 */
async function sideBySide(scenario, contenders) {
  console.log(`  ${scenario}: ${contenders.length} servers side by side, ${WARM_UP_S} s warm-up each, then ${ROUNDS} alternating rounds of ${DURATION_S / ROUNDS} s each`);
  const measured = await measureSideBySide(scenario, contenders, {
    warmUpSeconds: WARM_UP_S, durationSeconds: DURATION_S, rounds: ROUNDS, peakRss: peakRssMiB, stop: stopServer,
    log: (/** @type {string} */ line) => console.log(`    ${line}`),
  });
  rows.push(...measured);
}

/**
 * An autocannon load on one URL, as a `measure` runner; for a Latchkey instance on a PostgreSQL
 * cluster of this machine, the cluster's CPU is read around each window too.
 */
const cannonRun = (/** @type {import('./lib/children.js').Server} */ server, /** @type {Parameters<typeof cannon>[0]} */ target, /** @type {import('./lib/latchkey.js').Instance | undefined} */ lk = undefined) => {
  const databasePid = lk?.databasePid;
  const database = databasePid === undefined ? undefined : () => familyCpuMicros(databasePid);
  return (/** @type {number} */ seconds, /** @type {Problems} */ problems) => cannon(target, { seconds, connections: CONNECTIONS, pid: server.pid, problems, gc: server.gcCounts, database });
};

const form = { 'content-type': 'application/x-www-form-urlencoded' };

/** How many refresh tokens a server needs: its client_credentials rate is an upper bound for its refresh rate. */
function tokensFor(/** @type {string} */ server) {
  if (TOKENS !== undefined) return TOKENS;
  const cc = rows.find((r) => r.scenario === 'client_credentials' && r.server === server && Number.isFinite(r.requestsPerSecond));
  // Not measured in this run (BENCH_ONLY): enough for 15,000 rotations/s over warm-up and measurement.
  if (cc === undefined) return Math.ceil(15_000 * (WARM_UP_S + DURATION_S));
  return Math.min(200_000, Math.max(5000, Math.ceil(cc.requestsPerSecond * (WARM_UP_S + DURATION_S) * 1.1) + 2000));
}

/** Hands out the pre-created refresh tokens one per request; past the end, a token that fails (and so invalidates the run). */
function tokenFeed(/** @type {string[]} */ tokens) {
  let next = 0;
  let short = 0;
  return {
    body: () => {
      if (next < tokens.length) return `grant_type=refresh_token&refresh_token=${tokens[next++]}`;
      short += 1;
      return 'grant_type=refresh_token&refresh_token=exhausted-raise-BENCH_TOKENS';
    },
    used: () => `${next} tokens used${short > 0 ? `; RAN OUT of tokens ${short} times: raise BENCH_TOKENS` : ''}`,
  };
}

// --- the peers -------------------------------------------------------------------------------

/** @param {string} resource */
async function oidcProvider(resource, refreshTokens = 0) {
  const port = await freePort();
  const tokenFile = path.join(os.tmpdir(), `oidc-bench-tokens-${randomBytes(6).toString('hex')}.txt`);
  const client = { client_id: 'bench-service', client_secret: randomBytes(32).toString('base64url') };
  const server = await startServer(path.join(HERE, 'peers/oidc-provider-server.js'), [], {
    ...process.env,
    BENCH_PORT: String(port),
    BENCH_CLIENT_ID: client.client_id,
    BENCH_CLIENT_SECRET: client.client_secret,
    BENCH_RESOURCE: resource,
    BENCH_REDIRECT_URI: REDIRECT_URI,
    BENCH_REFRESH_TOKENS: String(refreshTokens),
    BENCH_REFRESH_TOKENS_FILE: tokenFile,
  }, { line: (l) => l.startsWith('{'), timeoutMs: 300_000 });
  const url = JSON.parse(server.line).url;
  /** @type {string[]} */
  let tokens = [];
  if (refreshTokens > 0) {
    tokens = readFileSync(tokenFile, 'utf8').split('\n').filter(Boolean);
    rmSync(tokenFile, { force: true });
  }
  return Object.assign(server, { url, client, tokens });
}

/**
 * A signer peer: `peers/bare-signer.js` (node:http) or `peers/fastify-signer.js`; `answer: 'fixed'`
 * signs nothing; `sign: 'pool'` signs on libuv's thread pool instead of the event loop.
 */
async function signer(/** @type {string} */ file, answer = 'token', sign = 'loop') {
  const port = await freePort();
  const server = await startServer(path.join(HERE, 'peers', file), [], { ...process.env, BENCH_PORT: String(port), BENCH_ANSWER: answer, BENCH_SIGN: sign }, { line: (l) => l.startsWith('{') });
  return Object.assign(server, { url: JSON.parse(server.line).url });
}

// --- the scenarios ---------------------------------------------------------------------------

/** @param {import('./lib/latchkey.js').Instance[]} latchkeys @param {string} resource */
async function clientCredentials(latchkeys, resource) {
  const body = 'grant_type=client_credentials&scope=api.read';
  const check = tokenResponseCheck();
  /** @type {import('./lib/side-by-side.js').Contender<import('./lib/children.js').Server>[]} */
  const contenders = [];
  for (const [name, file, sign] of [[BARE, 'bare-signer.js', 'loop'], [POOL_SIGNER, 'bare-signer.js', 'pool'], [FASTIFY_SIGNER, 'fastify-signer.js', 'loop']]) {
    contenders.push(contender(name, () => signer(file, 'token', sign), async (s) => ({
      run: cannonRun(s, { url: `${s.url}/token`, method: 'POST', headers: { ...form, authorization: 'Basic YmVuY2g6YmVuY2g=' }, body, check }),
    })));
  }
  contenders.push(contender(OIDC, () => oidcProvider(resource), async (p) => {
    // With `resource`, oidc-provider issues an ES256 JWT (RFC 9068) like Latchkey's; without, an opaque one.
    const extra = `&resource=${encodeURIComponent(resource)}`;
    const sample = await serviceToken(`${p.url}/token`, p.client, extra);
    if (JSON.parse(Buffer.from(sample.split('.')[0], 'base64url').toString()).alg !== 'ES256') throw new Error('oidc-provider did not issue an ES256 JWT');
    return { run: cannonRun(p, { url: `${p.url}/token`, method: 'POST', headers: { ...form, authorization: basic(p.client) }, body: body + extra, check }) };
  }));
  for (const lk of latchkeys) {
    contenders.push(contender(lk.label, () => startLatchkey(lk, profileArgs(lk, 'client_credentials')), async (s) => ({
      run: cannonRun(s, { url: `${lk.issuer}/token`, method: 'POST', headers: { ...form, authorization: basic(lk.service) }, body, check }, lk),
    })));
  }
  await sideBySide('client_credentials', contenders);
}

/**
 * A user's access token from the code flow, through a Latchkey on the instance's own port (its
 * pages send a browser to the issuer's origin), stopped before the measured servers start.
 * @param {import('./lib/latchkey.js').Instance} lk
 * @returns {Promise<string | Error>} the error, for the measurement that needed the token to report
 */
async function userAccessToken(lk) {
  try {
    const server = await startLatchkey(lk);
    try {
      const { verifier, challenge } = pkce();
      const code = await authorizeInteractive(new Browser(lk.issuer), lk.web, 'api.read', challenge);
      return (await exchangeCode(lk.issuer, lk.web, code, verifier)).access_token;
    } finally {
      await stopServer(server);
    }
  } catch (error) {
    return new Error(`no user token for the measurement: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** @param {import('./lib/latchkey.js').Instance[]} latchkeys @param {string} resource */
async function introspection(latchkeys, resource) {
  /** @type {Map<import('./lib/latchkey.js').Instance, string | Error>} */
  const userTokens = new Map();
  for (const lk of latchkeys) userTokens.set(lk, await userAccessToken(lk));
  /** @type {import('./lib/side-by-side.js').Contender<import('./lib/children.js').Server>[]} */
  const contenders = [];
  // The ceilings: a fixed answer to the same request, no work at all, on node:http and on Fastify.
  for (const [name, file] of [[BARE_FIXED, 'bare-signer.js'], [FASTIFY_FIXED, 'fastify-signer.js']]) {
    contenders.push(contender(name, () => signer(file, 'fixed'), async (s) => ({
      run: cannonRun(s, { url: `${s.url}/token`, method: 'POST', headers: { ...form, authorization: 'Basic YmVuY2g6YmVuY2g=' }, body: `token=${'x'.repeat(400)}`, check: activeCheck }),
    })));
  }
  contenders.push(contender(OIDC, () => oidcProvider(resource), async (p) => {
    // No `resource`: an opaque token, stored, which is what oidc-provider can introspect.
    const token = await serviceToken(`${p.url}/token`, p.client);
    return {
      run: cannonRun(p, { url: `${p.url}/token/introspection`, method: 'POST', headers: { ...form, authorization: basic(p.client) }, body: `token=${token}`, check: activeCheck }),
      notes: ['opaque client_credentials token'],
    };
  }));
  for (const lk of latchkeys) {
    contenders.push(contender(lk.label, () => startLatchkey(lk, profileArgs(lk, 'introspection')), async (s) => {
      const token = await serviceToken(`${lk.issuer}/token`, lk.service);
      return {
        run: cannonRun(s, { url: `${lk.issuer}/introspect`, method: 'POST', headers: { ...form, authorization: basic(lk.service) }, body: `token=${token}`, check: activeCheck }, lk),
        notes: ['JWT client_credentials access token (Latchkey issues no opaque access tokens)'],
      };
    }));
    // What a resource server mostly asks about: a user's token, whose grant is checked too. A
    // second process of the same instance (same issuer and store) on a port of its own, to run
    // beside the first.
    contenders.push(contender(`${lk.label}, user token`, async () => startLatchkey(lk, profileArgs(lk, 'introspection-user'), await freePort()), async (s) => {
      const token = userTokens.get(lk);
      if (typeof token !== 'string') throw token ?? new Error('no user token for the measurement');
      return {
        run: cannonRun(s, { url: `${s.base}/introspect`, method: 'POST', headers: { ...form, authorization: basic(lk.service) }, body: `token=${token}`, check: activeCheck }, lk),
        notes: ["a user's JWT access token from the code flow: the revocation list and the token's grant are checked (no target; for context)"],
      };
    }));
  }
  await sideBySide('introspection', contenders);
}

/** @param {import('./lib/latchkey.js').Instance[]} latchkeys @param {string} resource */
async function refresh(latchkeys, resource) {
  const check = tokenResponseCheck(true);
  const oidcCount = tokensFor(OIDC);
  /** @type {import('./lib/side-by-side.js').Contender<import('./lib/children.js').Server>[]} */
  const contenders = [];
  contenders.push(contender(OIDC, () => oidcProvider(resource, oidcCount), async (p) => {
    const feed = tokenFeed(p.tokens);
    return {
      run: cannonRun(p, { url: `${p.url}/token`, method: 'POST', headers: { ...form, authorization: basic(p.client) }, setupBody: feed.body, check }),
      notes: [`${p.tokens.length} refresh tokens created in the server's memory at startup (counted in its RSS)`],
      after: () => [feed.used()],
    };
  }));
  for (const lk of latchkeys) {
    const count = tokensFor(lk.label);
    const t0 = Date.now();
    const tokens = await createRefreshTokens(lk, count);
    const createdIn = (Date.now() - t0) / 1000;
    contenders.push(contender(lk.label, () => startLatchkey(lk, profileArgs(lk, 'refresh_token')), async (s) => {
      const feed = tokenFeed(tokens);
      return {
        run: cannonRun(s, { url: `${lk.issuer}/token`, method: 'POST', headers: { ...form, authorization: basic(lk.web) }, setupBody: feed.body, check }, lk),
        notes: [`${tokens.length} refresh tokens written to the store beforehand (${createdIn.toFixed(1)} s)`],
        after: () => [feed.used()],
      };
    }));
  }
  await sideBySide('refresh_token', contenders);
}

/** @param {import('./lib/latchkey.js').Instance[]} latchkeys */
async function authorizationCode(latchkeys) {
  const scope = 'openid api.read';
  for (const lk of latchkeys) {
    const agent = keepAliveAgent(CONNECTIONS);
    await measure('authorization_code flow', lk.label, () => startLatchkey(lk, profileArgs(lk, 'authorization_code')), async (s) => {
      // Sign in and consent once, through the real pages; from then on the session cookie and the grant stand.
      const browser = new Browser(lk.issuer);
      const first = pkce();
      await exchangeCode(lk.issuer, lk.web, await authorizeInteractive(browser, lk.web, scope, first.challenge), first.verifier);
      const cookie = browser.cookieHeader();
      const authorization = basic(lk.web);
      const flow = async (/** @type {import('node:http').Agent} */ a) => {
        const { verifier, challenge } = pkce();
        const state = randomBytes(12).toString('base64url');
        const query = new URLSearchParams({ response_type: 'code', client_id: lk.web.client_id, redirect_uri: REDIRECT_URI, scope, state, code_challenge: challenge, code_challenge_method: 'S256' });
        const authz = await send(a, `${lk.issuer}/authorize?${query}`, { headers: { cookie } });
        const location = authz.headers.location;
        if (authz.status < 300 || authz.status > 399 || location === undefined || !location.startsWith(REDIRECT_URI)) {
          throw new Error(`authorize answered ${authz.status} ${location ?? authz.body.slice(0, 200)}`);
        }
        const back = new URL(location).searchParams;
        const code = back.get('code');
        if (code === null || back.get('state') !== state || back.get('iss') !== lk.issuer) throw new Error(`bad redirect: ${location}`);
        const token = await send(a, `${lk.issuer}/token`, {
          method: 'POST',
          headers: { ...form, authorization },
          body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI, code_verifier: verifier }).toString(),
        });
        if (token.status !== 200) throw new Error(`token answered ${token.status} ${token.body.slice(0, 200)}`);
        const body = JSON.parse(token.body);
        if (typeof body.access_token !== 'string' || typeof body.id_token !== 'string' || typeof body.refresh_token !== 'string') {
          throw new Error(`token response lacks a token: ${token.body.slice(0, 200)}`);
        }
      };
      return {
        run: (seconds, problems) => flows(flow, { seconds, connections: CONNECTIONS, pid: s.pid, problems, agent, gc: s.gcCounts }),
        notes: ['per flow: GET /authorize (session cookie, PKCE S256, state) -> 303 with code -> POST /token; scope "openid api.read", RS256 ID token (the client default); requests/s counts flows, CPU per flow'],
      };
    });
    agent.destroy();
  }
}

/** The demo Calendar API's route with the token check and without, in alternating rounds. */
async function calendar(/** @type {import('./lib/latchkey.js').Instance} */ lk) {
  const issuer = await startLatchkey(lk);
  let api;
  try {
    const browser = new Browser(lk.issuer);
    const { verifier, challenge } = pkce();
    const token = (await exchangeCode(lk.issuer, lk.web, await authorizeInteractive(browser, lk.web, 'calendar.read', challenge), verifier)).access_token;
    const sub = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()).sub;
    // With the node flags a deployment gives it (examples/calendar-api/README.md): with V8's
    // default young generation, which grows to 16 MiB under this load, its peak RSS was 135-143
    // MiB; with them, 112-115.
    api = await startServer(path.join(HERE, 'api-server.js'), [], {
      ...lk.env, BENCH_ISSUER: lk.issuer, BENCH_AUDIENCE: lk.audience, BENCH_DATA_DIR: lk.dataDir, BENCH_SUB: sub,
    }, { line: (l) => l.startsWith('{'), nodeArgs: DEPLOYMENT_NODE_FLAGS });
    const urls = JSON.parse(api.line);
    // The same request bytes to both; only one checks the token.
    const headers = { authorization: `Bearer ${token}` };
    const check = (/** @type {string} */ text) => {
      try {
        return Array.isArray(JSON.parse(text).events) ? null : 'no events';
      } catch {
        return 'not JSON';
      }
    };
    const apiPid = api.pid;
    const targets = [
      { scenario: 'GET /calendar/events unchecked', url: `${urls.unchecked}/calendar/events` },
      { scenario: 'GET /calendar/events checked', url: `${urls.checked}/calendar/events` },
    ].map((t) => ({ ...t, problems: new Problems(), /** @type {import('./lib/load.js').Measurement[]} */ runs: [] }));
    process.stdout.write(`  GET /calendar/events, checked and unchecked in ${ROUNDS} alternating rounds ... `);
    for (const t of targets) await cannon({ url: t.url, headers, check }, { seconds: WARM_UP_S, connections: CONNECTIONS, pid: apiPid, problems: t.problems });
    // Alternating rounds, so a change in the machine's background load falls on both alike.
    for (let round = 0; round < ROUNDS; round += 1) {
      for (const t of round % 2 === 0 ? targets : [...targets].reverse()) {
        t.runs.push(await cannon({ url: t.url, headers, check }, { seconds: DURATION_S / ROUNDS, connections: CONNECTIONS, pid: apiPid, problems: t.problems, gc: api.gcCounts }));
      }
    }
    const rss = peakRssMiB(apiPid);
    for (const t of targets) {
      rows.push(summarize(t.scenario, 'calendar-api (fastify)', t.runs, t.problems, rss, ["both routes in one API process: peak RSS is that process's; p50/p99 are means over the rounds"]));
    }
    console.log(targets.map((t) => `${rows.find((r) => r.scenario === t.scenario)?.requestsPerSecond.toFixed(0)} req/s`).join(', '));
  } catch (error) {
    console.log(`FAILED: ${error instanceof Error ? error.message : String(error)}`);
    for (const scenario of ['GET /calendar/events unchecked', 'GET /calendar/events checked']) {
      rows.push(failedRow(scenario, 'calendar-api (fastify)', error));
    }
  } finally {
    await stopServer(api);
    await stopServer(issuer);
  }
}
/** With BENCH_PROFILE_DIR: each Latchkey server writes a CPU profile named after its scenario. */
function profileArgs(/** @type {import('./lib/latchkey.js').Instance} */ lk, /** @type {string} */ scenario) {
  // BENCH_LATCHKEY_NODE_ARGS: node flags for the Latchkey servers only, to measure one (e.g. a V8 heap setting).
  const extra = (process.env.BENCH_LATCHKEY_NODE_ARGS ?? '').split(' ').filter((a) => a !== '');
  if (PROFILE_DIR === undefined) return extra;
  const dir = path.resolve(PROFILE_DIR, `${scenario}-${lk.database}`);
  mkdirSync(dir, { recursive: true });
  return [...extra, '--cpu-prof', `--cpu-prof-dir=${dir}`];
}

async function main() {
  const started = Date.now();
  console.log(`Latchkey bench: ${CONNECTIONS} connections, ${WARM_UP_S} s warm-up + ${DURATION_S} s measured per measurement, 127.0.0.1; ` +
    `Node ${process.version}, ${os.cpus().length} CPUs, load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  const apiPort = await freePort();
  const resource = `http://127.0.0.1:${apiPort}`;
  /** @type {import('./lib/latchkey.js').Instance[]} */
  const latchkeys = [];
  try {
    latchkeys.push(await prepareLatchkey({ audience: resource }));
    if (POSTGRES !== undefined) latchkeys.push(await prepareLatchkey({ audience: resource, postgresAdmin: POSTGRES }));
    else notes.push('PostgreSQL not measured: set LATCHKEY_BENCH_POSTGRES to a cluster admin URL (e.g. source .ci/postgres.sh && start_postgres, then LATCHKEY_BENCH_POSTGRES=$LATCHKEY_TEST_POSTGRES)');

    if (wanted('client_credentials')) await clientCredentials(latchkeys, resource);
    if (wanted('introspection')) await introspection(latchkeys, resource);
    if (wanted('refresh_token')) await refresh(latchkeys, resource);
    if (wanted('authorization_code')) await authorizationCode(latchkeys);
    if (wanted('calendar')) await calendar(latchkeys[0]);
  } finally {
    for (const lk of latchkeys) await lk.dispose();
  }

  notes.push(
    'each server runs in its own process, started fresh for each scenario (the Calendar API\'s two routes share one); ' +
      `the servers of a scenario run side by side and are measured in ${ROUNDS} alternating rounds of ${DURATION_S / ROUNDS} s after a ${WARM_UP_S} s warm-up each (the code flow in one ${DURATION_S} s window); ` +
      'p50 and p99 are means over the rounds; ' +
      'CPU µs/req = the server process\'s utime+stime (/proc/<pid>/stat, all threads) over the measured window / responses in it; ' +
      `peak RSS = VmHWM of that process at the end of the measurement; GCs young/full = its garbage collections over the measured windows (scavenges / mark-compacts, ` +
      'counted in the process by bench/src/gc-counter.js and read before and after each window); ' +
      `CLK_TCK ${CLK_TCK}`,
    'the load generator (autocannon, or the flow loop) runs in this process on the same machine and competes with the server for CPU',
  );
  const list = checks(rows, LIMITS);
  console.log('');
  console.log(table(rows));
  console.log('');
  console.log(checksText(list));
  const annotated = rows.filter((r) => r.notes.length > 0);
  if (annotated.length > 0) {
    console.log('');
    for (const r of annotated) console.log(`${r.scenario}, ${r.server}: ${r.notes.join('; ')}`);
  }
  const invalid = rows.filter((r) => !r.valid);
  if (invalid.length > 0) {
    console.log('');
    for (const r of invalid) console.log(`INVALID ${r.scenario}, ${r.server}: ${r.problem}`);
  }
  console.log('');
  for (const n of notes) console.log(`note: ${n}`);

  const out = path.join(ROOT, 'bench/results');
  mkdirSync(out, { recursive: true });
  const date = new Date();
  const file = path.join(out, `bench-${date.toISOString().replace(/[:.]/g, '-')}.json`);
  const record = {
    benchmark: 'issue 9: Latchkey vs node-oidc-provider vs a bare ES256 signer',
    date: date.toISOString(),
    node: process.version,
    machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, loadavg: os.loadavg(), totalMemMiB: Math.round(os.totalmem() / 2 ** 20) },
    settings: { warmupSeconds: WARM_UP_S, durationSeconds: DURATION_S, connections: CONNECTIONS, only: [...ONLY], postgres: POSTGRES !== undefined, oidcProvider: OIDC_VERSION, clkTck: CLK_TCK },
    rows,
    checks: list,
    notes,
    wallSeconds: (Date.now() - started) / 1000,
  };
  writeFileSync(file, `${JSON.stringify(record, null, 2)}\n`);
  console.log(`\nresults written to ${path.relative(ROOT, file)} (${record.wallSeconds.toFixed(0)} s in all)`);
  // Invalid measurements are a failed bench run.
  if (invalid.length > 0) process.exitCode = 1;
}

await main();
