// Child processes for the bench: every server under test runs in its own process, so that its
// CPU time and peak RSS can be read from /proc without the load generator's.
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { clearTimeout, setTimeout } from 'node:timers';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { GC_COUNTS_MARK, parseGcCounts } from './gc-counts.js';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const LATCHKEY = path.join(ROOT, 'packages/server/bin/latchkey.js');

/** Loaded into every server (`node --import`): its garbage collections, counted (gc-counter.js). */
const GC_COUNTER = pathToFileURL(path.join(ROOT, 'bench/src/gc-counter.js')).href;
/**
 * How long to wait for a server's counts before doing without them: long, since a live server
 * answers at once and a dead one is seen when it exits. Not a duration a load uses either: a
 * timer of autocannon's own duration, set and cleared just before it starts, made it run a
 * whole extra second (its rounds took 3 s instead of 2; tested).
 */
const GC_ANSWER_MS = 30_000;

/**
 * @typedef {{ young: number, full: number }} GcCounts
 * @typedef {{ child: import('node:child_process').ChildProcess, pid: number, exited: Promise<number | null>, stderr: () => string,
 *   gcCounts: () => Promise<GcCounts | null> }} Server
 * `gcCounts` answers the collections the server has made since it started, or null when it does
 * not answer in time (it is busy dying, say).
 */

/**
 * Starts `node script args` and resolves once it is ready: when `ready.line` is given, with the
 * first stdout line it accepts; otherwise once `ready.url` answers 200.
 * @param {string} script
 * @param {string[]} args
 * @param {NodeJS.ProcessEnv} env
 * @param {{ line?: (line: string) => boolean, url?: string, nodeArgs?: string[], timeoutMs?: number }} ready
 * @returns {Promise<Server & { line: string }>}
 */
export async function startServer(script, args, env, ready) {
  const child = spawn(process.execPath, ['--import', GC_COUNTER, ...(ready.nodeArgs ?? []), script, ...args], { env, cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  // Kept for the error message if it dies; not echoed, so warnings do not break the table.
  let stderr = '';
  child.stderr.on('data', (d) => {
    stderr = (stderr + d.toString()).slice(-4000);
  });
  const exited = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
  const lines = createInterface({ input: child.stdout });
  /** @type {((counts: GcCounts) => void)[]} */
  let waiting = [];
  lines.on('line', (line) => {
    if (!line.startsWith(GC_COUNTS_MARK)) return;
    const answered = waiting;
    waiting = [];
    // A line that does not parse answers null at once: no counts, rather than a 30 s wait.
    const counts = parseGcCounts(line.slice(GC_COUNTS_MARK.length));
    for (const answer of answered) answer(counts);
  });
  const gcCounts = () => {
    if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(null);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(null), GC_ANSWER_MS);
      timer.unref();
      const answer = (/** @type {GcCounts | null} */ counts) => {
        clearTimeout(timer);
        resolve(counts);
      };
      waiting.push(answer);
      void exited.then(() => answer(null));
      child.kill('SIGUSR2');
    });
  };
  const server = { child, pid: /** @type {number} */ (child.pid), exited, stderr: () => stderr, gcCounts };
  const timeoutMs = ready.timeoutMs ?? 60_000;
  const died = exited.then((code) => {
    throw new Error(`${path.basename(script)} exited (${code}) during startup: ${stderr.trim().split('\n').slice(-5).join(' | ')}`);
  });
  died.catch(() => {});
  try {
    if (ready.line !== undefined) {
      const accept = ready.line;
      // Unreferenced, so a pending timeout does not keep the bench alive once it is done.
      let timer;
      const line = await Promise.race([
        new Promise((resolve) => lines.on('line', (l) => accept(l) && resolve(l))),
        died,
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error(`${path.basename(script)} was not ready within ${timeoutMs} ms`)), timeoutMs);
          timer.unref();
        }),
      ]).finally(() => clearTimeout(timer));
      return { ...server, line };
    }
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (child.exitCode !== null) await died;
      if (await fetch(/** @type {string} */ (ready.url)).then((r) => r.ok, () => false)) return { ...server, line: '' };
      await sleep(50);
    }
    throw new Error(`${ready.url} did not answer within ${timeoutMs} ms`);
  } catch (error) {
    await stopServer(server);
    throw error;
  }
}

/** SIGTERM, then SIGKILL if it has not exited within 10 s (Latchkey drains for up to 10 s). */
export async function stopServer(/** @type {Server | undefined} */ server) {
  if (server === undefined) return;
  if (server.child.exitCode === null && server.child.signalCode === null) server.child.kill('SIGTERM');
  const timer = setTimeout(() => server.child.kill('SIGKILL'), 10_000);
  await server.exited;
  clearTimeout(timer);
}

/** Runs the `latchkey` command to completion; resolves with its stdout. */
export function latchkey(/** @type {string[]} */ args, /** @type {NodeJS.ProcessEnv} */ env, input = '') {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [LATCHKEY, ...args], { env, cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
    child.stdin.end(input);
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d.toString()));
    child.stderr.on('data', (d) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`latchkey ${args.join(' ')} exited ${code}: ${err.trim()}`))));
  });
}

/** @returns {Promise<number>} a port free on 127.0.0.1 right now */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export async function waitFor(/** @type {string} */ url, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await fetch(url).then((r) => r.ok, () => false)) return;
    await sleep(100);
  }
  throw new Error(`${url} did not answer`);
}
