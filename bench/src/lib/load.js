// Load generators. Each measured window is bracketed by reads of the server's CPU time, so CPU
// per request is the server's own work for the requests completed in that window; and of this
// process's, the load generator's, which shares the machine's cores with the server. Every
// response counts: a non-2xx answer, a connection error, a timeout or a body that fails its
// check, in the warm-up or the measured window, makes the measurement invalid.
import { request as httpRequest, Agent } from 'node:http';
import autocannon from 'autocannon';
import { cpuMicros } from './proc.js';

/**
 * @typedef {{ requests: number, seconds: number, cpuMicros: number, loadCpuMicros: number, latencies: { p50: number, p99: number },
 *   non2xx: number, errors: number, timeouts: number, gc?: import('./children.js').GcCounts | null,
 *   databaseCpuMicros?: number | null }} Measurement
 * `cpuMicros` is the server's CPU time over the window, `loadCpuMicros` this process's (the load
 * generator, autocannon or the flows with their checks); with several loads at once in this
 * process, each sees the CPU of all of them. `gc`: the server's garbage collections in the
 * window, when it was asked for them and answered. `databaseCpuMicros`: the CPU of the
 * database's own processes over the window (PostgreSQL's), when a reading was given. What went
 * wrong, bodies included, accumulates in the Problems passed in.
 * @typedef {() => Promise<import('./children.js').GcCounts | null>} GcCounter
 */

/** The collections between two readings of a server's counts; null when either is missing. */
export function gcBetween(/** @type {import('./children.js').GcCounts | null} */ before, /** @type {import('./children.js').GcCounts | null} */ after) {
  if (before === null || after === null) return null;
  return { young: after.young - before.young, full: after.full - before.full };
}

/** This process's user plus system CPU time since `since` (a process.cpuUsage()), in microseconds. */
function ownCpuMicros(/** @type {NodeJS.CpuUsage} */ since) {
  const used = process.cpuUsage(since);
  return used.user + used.system;
}

/** Counts of what went wrong, shared by the warm-up and the measured window. */
export class Problems {
  constructor() {
    this.non2xx = 0;
    this.errors = 0;
    this.timeouts = 0;
    this.badBodies = 0;
    /** @type {string | null} */
    this.first = null;
  }

  note(/** @type {string} */ what) {
    this.first ??= what;
  }

  get count() {
    return this.non2xx + this.errors + this.timeouts + this.badBodies;
  }
}

/**
 * One autocannon run against `target` for `seconds`.
 * @param {{ url: string, method?: string, headers?: Record<string, string>, body?: string,
 *   setupBody?: () => string, check?: (body: string) => string | null }} target
 *   `check` answers null for a good body, else what is wrong; `setupBody` gives each request its own body.
 * @param {{ seconds: number, connections: number, pid: number, problems: Problems, gc?: GcCounter, database?: () => number }} options
 *   `database` reads the database's processes' CPU time in microseconds (familyCpuMicros).
 * @returns {Promise<Measurement>}
 */
export async function cannon(target, { seconds, connections, pid, problems, gc, database }) {
  /** @type {Record<string, unknown>} */
  const request = { method: target.method ?? 'GET', headers: target.headers ?? {}, body: target.body };
  if (target.setupBody !== undefined) {
    const next = target.setupBody;
    request.setupRequest = (/** @type {Record<string, unknown>} */ r) => ({ ...r, body: next() });
  }
  request.onResponse = (/** @type {number} */ status, /** @type {string} */ body) => {
    if (status < 200 || status > 299) {
      problems.note(`HTTP ${status}: ${String(body).slice(0, 200)}`);
      return;
    }
    const wrong = target.check?.(body) ?? null;
    if (wrong !== null) {
      problems.badBodies += 1;
      problems.note(`bad body (${wrong}): ${String(body).slice(0, 200)}`);
    }
  };
  const gcBefore = (await gc?.()) ?? null;
  const cpuBefore = cpuMicros(pid);
  const databaseBefore = database?.();
  const ownBefore = process.cpuUsage();
  const started = process.hrtime.bigint();
  const result = await autocannon({ url: target.url, connections, duration: seconds, requests: [request] });
  const elapsed = Number(process.hrtime.bigint() - started) / 1e9;
  const cpuAfter = cpuMicros(pid);
  const loadCpuMicros = ownCpuMicros(ownBefore);
  const databaseAfter = database?.();
  const gcAfter = (await gc?.()) ?? null;
  problems.non2xx += result.non2xx;
  problems.errors += result.errors;
  problems.timeouts += result.timeouts;
  if (result.errors > 0 || result.timeouts > 0) problems.note(`${result.errors} connection errors, ${result.timeouts} timeouts`);
  return {
    requests: result.requests.total,
    seconds: elapsed,
    cpuMicros: cpuAfter - cpuBefore,
    loadCpuMicros,
    latencies: { p50: result.latency.p50, p99: result.latency.p99 },
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    gc: gcBetween(gcBefore, gcAfter),
    databaseCpuMicros: databaseBefore === undefined || databaseAfter === undefined ? null : databaseAfter - databaseBefore,
  };
}

/**
 * `connections` workers each running `flow` back to back for `seconds`; latency is per flow.
 * `flow` throws to report a failed flow.
 * @param {(agent: Agent) => Promise<void>} flow
 * @param {{ seconds: number, connections: number, pid: number, problems: Problems, agent: Agent, gc?: GcCounter }} options
 * @returns {Promise<Measurement>}
 */
export async function flows(flow, { seconds, connections, pid, problems, agent, gc }) {
  /** @type {number[]} */
  const latencies = [];
  const gcBefore = (await gc?.()) ?? null;
  const cpuBefore = cpuMicros(pid);
  const ownBefore = process.cpuUsage();
  const started = process.hrtime.bigint();
  const end = Date.now() + seconds * 1000;
  const worker = async () => {
    while (Date.now() < end) {
      const t0 = process.hrtime.bigint();
      try {
        await flow(agent);
        latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
      } catch (error) {
        problems.errors += 1;
        problems.note(error instanceof Error ? error.message : String(error));
      }
    }
  };
  await Promise.all(Array.from({ length: connections }, worker));
  const elapsed = Number(process.hrtime.bigint() - started) / 1e9;
  const cpuAfter = cpuMicros(pid);
  const loadCpuMicros = ownCpuMicros(ownBefore);
  const gcAfter = (await gc?.()) ?? null;
  latencies.sort((a, b) => a - b);
  const at = (/** @type {number} */ q) => (latencies.length === 0 ? NaN : latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]);
  return {
    requests: latencies.length,
    seconds: elapsed,
    cpuMicros: cpuAfter - cpuBefore,
    loadCpuMicros,
    latencies: { p50: at(0.5), p99: at(0.99) },
    non2xx: 0,
    errors: problems.errors,
    timeouts: 0,
    gc: gcBetween(gcBefore, gcAfter),
  };
}

/** A keep-alive connection pool of `connections` sockets, as autocannon keeps. */
export function keepAliveAgent(/** @type {number} */ connections) {
  return new Agent({ keepAlive: true, maxSockets: connections });
}

/**
 * One HTTP request on `agent`; resolves with status, headers and body text.
 * @param {Agent} agent
 * @param {string} url
 * @param {{ method?: string, headers?: Record<string, string>, body?: string }} [options]
 * @returns {Promise<{ status: number, headers: import('node:http').IncomingHttpHeaders, body: string }>}
 */
export function send(agent, url, options = {}) {
  return new Promise((resolve, reject) => {
    const headers = { ...options.headers };
    if (options.body !== undefined) headers['content-length'] = String(Buffer.byteLength(options.body));
    const req = httpRequest(url, { agent, method: options.method ?? 'GET', headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      res.on('error', reject);
    });
    req.setTimeout(10_000, () => req.destroy(new Error(`timeout: ${url}`)));
    req.on('error', reject);
    req.end(options.body);
  });
}

/** A token endpoint answer with a JWT access token (and, if asked, a refresh token). */
export function tokenResponseCheck(refresh = false) {
  return (/** @type {string} */ text) => {
    let body;
    try {
      body = JSON.parse(text);
    } catch {
      return 'not JSON';
    }
    if (typeof body.access_token !== 'string' || body.access_token.split('.').length !== 3) return 'no JWT access_token';
    if (String(body.token_type).toLowerCase() !== 'bearer') return 'token_type is not Bearer';
    if (refresh && typeof body.refresh_token !== 'string') return 'no refresh_token';
    return null;
  };
}

export function activeCheck(/** @type {string} */ text) {
  try {
    return JSON.parse(text).active === true ? null : 'not active';
  } catch {
    return 'not JSON';
  }
}
