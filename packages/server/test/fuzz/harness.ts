// The fuzz harness: a live server with the seed users and scopes, fast-check's run settings, one
// request at a time over a raw socket with a deadline, and the check that the server is still
// whole afterwards (GET /healthz, then a full authorization code flow, a refresh and userinfo).
import { appendFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import fc from 'fast-check';
import { expect } from 'vitest';
import { seed, startServer, type ClientOptions, type TestServer } from '../support/server.js';
import { expectSuccess, newClient, refresh, tokensFor, type TestClient } from '../token/fixtures.js';
import { sendRaw, type RawAnswer } from './raw-http.js';
import { toWire, type RequestSpec, type WireRequest } from './wire.js';

export interface FuzzServer {
  server: TestServer;
  host: string;
  port: number;
}

export async function startFuzzServer(): Promise<FuzzServer> {
  const server = await startServer();
  await seed(server);
  const url = new URL(server.url);
  return { server, host: url.host, port: Number(url.port) };
}

export function addFuzzClient(f: FuzzServer, options: ClientOptions = {}): Promise<TestClient> {
  return newClient(f.server, options);
}

/** A request unanswered after this long is a hang, which fails the property. */
const DEADLINE_MS = 10_000;

export async function send(f: FuzzServer, spec: RequestSpec): Promise<{ answer: RawAnswer; wire: WireRequest }> {
  const wire = toWire(spec, f.host);
  const answer = await sendRaw(f.port, wire.bytes, { timeoutMs: DEADLINE_MS, endAfterWrite: wire.endAfterWrite, head: wire.head });
  // FUZZ_TRACE=<file>: one line per request (status and the start of the answer), to see what a run reached.
  const trace = process.env.FUZZ_TRACE;
  if (trace !== undefined) appendFileSync(trace, `${spec.method} ${spec.path} ${answer.status} ${wire.connectionLevel} ${answer.headers.location?.slice(0, 200) ?? ''} ${answer.body.replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' ').slice(0, 160)}\n`);
  return { answer, wire };
}

/**
 * fast-check settings. FUZZ_SEED (and FUZZ_PATH, both printed by a failure) replay a run;
 * FUZZ_RUNS overrides every property's number of runs. Each property also stops after a time
 * budget, so the suite stays bounded on a loaded machine (an interrupted run is not a failure).
 */
export function fuzzOptions<T>(numRuns: number, budgetMs = 12_000): fc.Parameters<T> {
  const seedText = process.env.FUZZ_SEED;
  const path = process.env.FUZZ_PATH;
  const runs = process.env.FUZZ_RUNS;
  return {
    numRuns: runs === undefined ? numRuns : Number(runs),
    interruptAfterTimeLimit: runs === undefined ? budgetMs : 60 * 60 * 1000,
    markInterruptAsFailure: false,
    ...(seedText === undefined ? {} : { seed: Number(seedText) }),
    ...(path === undefined ? {} : { path }),
  };
}

/** Long enough for the properties, whose budget is 12 s each, and their shrinking. */
export const FUZZ_TEST_TIMEOUT = 120_000;

/**
 * Runs `fuzz` while another client asks GET /healthz every 100 ms on its own connections: the
 * server keeps serving during the fuzz, not only after it (issue 6).
 */
export async function whileWatchingHealth(f: FuzzServer, fuzz: () => Promise<void>): Promise<void> {
  let running = true;
  let probes = 0;
  const failures: string[] = [];
  const watch = (async () => {
    while (running) {
      try {
        const a = await sendRaw(f.port, Buffer.from(`GET /healthz HTTP/1.1\r\nhost: ${f.host}\r\nconnection: close\r\n\r\n`), { timeoutMs: 3_000 });
        probes += 1;
        if (a.status !== 200) failures.push(`${a.kind} ${a.status} ${a.body.slice(0, 100)}`);
      } catch (error) {
        failures.push(String(error));
      }
      await sleep(100);
    }
  })();
  try {
    await fuzz();
  } finally {
    running = false;
    await watch;
  }
  expect(failures, 'GET /healthz during the fuzz').toEqual([]);
  expect(probes).toBeGreaterThan(0);
}

/** After the fuzz: still alive, and a whole flow still works (issue 6). */
export async function expectStillServing(f: FuzzServer): Promise<void> {
  const health = await fetch(`${f.server.url}/healthz`);
  expect(health.status).toBe(200);
  expect(await health.json()).toEqual({ status: 'ok' });
  // RFC 6749 §4.1: authorize, log in, consent, redeem the code; then §6 refresh and OIDC userinfo.
  const client = await addFuzzClient(f);
  const tokens = await tokensFor(f.server, client, { scope: 'openid profile api.read offline_access' });
  expectSuccess(await refresh(f.server, client, tokens.refreshToken));
  const me = await fetch(`${f.server.url}/userinfo`, { headers: { authorization: `Bearer ${tokens.accessToken}` } });
  expect(me.status).toBe(200);
  expect(await me.json()).toMatchObject({ preferred_username: 'alice' });
}
