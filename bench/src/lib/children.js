// Child processes for the bench: every server under test runs in its own process, so that its
// CPU time and peak RSS can be read from /proc without the load generator's.
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { clearTimeout, setTimeout } from 'node:timers';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const LATCHKEY = path.join(ROOT, 'packages/server/bin/latchkey.js');

/** @typedef {{ child: import('node:child_process').ChildProcess, pid: number, exited: Promise<number | null>, stderr: () => string }} Server */

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
  const child = spawn(process.execPath, [...(ready.nodeArgs ?? []), script, ...args], { env, cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  // Kept for the error message if it dies; not echoed, so warnings do not break the table.
  let stderr = '';
  child.stderr.on('data', (d) => {
    stderr = (stderr + d.toString()).slice(-4000);
  });
  const exited = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
  const server = { child, pid: /** @type {number} */ (child.pid), exited, stderr: () => stderr };
  const timeoutMs = ready.timeoutMs ?? 60_000;
  const lines = createInterface({ input: child.stdout });
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
      lines.on('line', () => {});
      return { ...server, line };
    }
    lines.on('line', () => {});
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
