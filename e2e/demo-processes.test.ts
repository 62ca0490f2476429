// `npm start` runs the authorization server and the Calendar API as two processes
// (scripts/start.js): two demos side by side, SIGTERM stops both with exit 0, and an API that
// cannot start stops the whole demo with a non-zero exit instead of leaving half of it running.
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { freePort, ROOT, tempDir } from './support/processes.js';

interface Demo {
  output: () => string;
  exited: Promise<number | null>;
  kill: (signal: NodeJS.Signals) => void;
}

async function startDemo(env: Record<string, string>, waitForReady = true): Promise<Demo> {
  const child = spawn(process.execPath, [path.join(ROOT, 'scripts/start.js')], { cwd: ROOT, env: { ...process.env, ...env } });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  for (let i = 0; waitForReady && i < 300 && !output.includes('Press Ctrl-C'); i += 1) {
    if (child.exitCode !== null) throw new Error(`the demo exited: ${output}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return { output: () => output, exited, kill: (signal) => child.kill(signal) };
}

async function demoEnv(): Promise<Record<string, string>> {
  return { LATCHKEY_DATA_DIR: tempDir('latchkey-demo-'), LATCHKEY_PORT: String(await freePort()), API_PORT: String(await freePort()), MINE_PORT: String(await freePort()) };
}

describe('npm start: the demo processes', () => {
  it('runs two demos side by side, each with its own API, and SIGTERM stops each with exit 0', { timeout: 60_000 }, async () => {
    const envs = [await demoEnv(), await demoEnv()];
    const demos = await Promise.all(envs.map((env) => startDemo(env)));
    for (const env of envs) {
      expect((await fetch(`http://127.0.0.1:${env.API_PORT}/healthz`)).status).toBe(200);
      const challenge = (await fetch(`http://127.0.0.1:${env.API_PORT}/calendar/events`)).headers.get('www-authenticate');
      expect(challenge).toBe(`Bearer realm="http://localhost:${env.API_PORT}"`);
    }
    for (const demo of demos) demo.kill('SIGTERM');
    expect(await Promise.all(demos.map((d) => d.exited))).toEqual([0, 0]);
  });

  it('stops the authorization server and exits non-zero when the API cannot start', { timeout: 60_000 }, async () => {
    const env = await demoEnv();
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(Number(env.API_PORT), '127.0.0.1', resolve));
    try {
      const demo = await startDemo(env, false);
      expect(await demo.exited).toBe(1);
      expect(demo.output()).toContain('EADDRINUSE');
      expect(demo.output()).not.toContain('Press Ctrl-C');
      await expect(fetch(`http://127.0.0.1:${env.LATCHKEY_PORT}/healthz`)).rejects.toThrow();
    } finally {
      taken.close();
    }
  });
});
