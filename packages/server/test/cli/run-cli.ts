// Runs the BUILT `latchkey` command (packages/server/bin/latchkey.js -> dist) as a child process,
// the way users run it. `npm test` builds first; by hand: npx tsc -b packages/server/tsconfig.build.json
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll } from 'vitest';
export { freePort } from '../support/ports.js';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
export const BIN = path.join(ROOT, 'packages/server/bin/latchkey.js');

if (!existsSync(path.join(ROOT, 'packages/server/dist/cli/main.js'))) {
  throw new Error('packages/server/dist is missing: run `npx tsc -b packages/server/tsconfig.build.json` (npm test does)');
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The environment without any LATCHKEY_* setting of the machine running the tests. */
function cleanEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  const base = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('LATCHKEY_')));
  return { ...base, ...env };
}

/** Runs `latchkey ...args` to completion; `input` is written to its standard input. */
export function latchkey(args: string[], env: Record<string, string> = {}, input = ''): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: cleanEnv(env), cwd: ROOT });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.on('error', () => {}); // the command may exit before reading its input
    child.stdin.end(input);
  });
}

/** Starts a long-running process (`latchkey serve`, `npm start`'s script) with piped output. */
export function spawnNode(args: string[], env: Record<string, string>): { child: ChildProcess; output(): string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, args, { env: cleanEnv(env), cwd: ROOT });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

/** A temp folder for the test file, removed afterwards; `dataDir()` is a not-yet-existing folder in it. */
export function useTempRoot(label: string): { root: string; dataDir(name?: string): string } {
  const root = mkdtempSync(path.join(os.tmpdir(), `latchkey-cli-${label}-`));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  let n = 0;
  return { root, dataDir: (name = `data-${++n}`) => path.join(root, name) };
}

/** The one line a failing command prints, without its newline; fails when there is more. */
export function oneLine(stderr: string): string {
  const lines = stderr.split('\n');
  if (lines.length !== 2 || lines[1] !== '') throw new Error(`expected exactly one line on stderr, got: ${JSON.stringify(stderr)}`);
  return lines[0] ?? '';
}

export async function waitFor(url: string, tries = 200): Promise<void> {
  for (let i = 0; i < tries; i += 1) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} never answered`);
}

