// `npm start` (scripts/start.js, CONTRACTS.md): seeds the demo on first start, reuses it on the
// next, prints the URLs and the demo login, and stops cleanly with exit 0 on Ctrl-C.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createStore } from '../../src/store/index.js';
import { verifyPassword } from '../../src/interaction/password.js';
import { hashSecret } from '../../src/tokens/secrets.js';
import { freePort, oneLine, ROOT, spawnNode, useTempRoot, waitFor } from './run-cli.js';

const START = path.join(ROOT, 'scripts/start.js');
const temp = useTempRoot('start');

async function demoEnv(dataDir: string): Promise<Record<string, string>> {
  return {
    LATCHKEY_DATA_DIR: dataDir,
    LATCHKEY_PORT: String(await freePort()),
    API_PORT: String(await freePort()),
    MINE_PORT: String(await freePort()),
  };
}

async function runDemoOnce(env: Record<string, string>): Promise<string> {
  const demo = spawnNode([START], env);
  await waitFor(`http://127.0.0.1:${env.LATCHKEY_PORT}/healthz`);
  // The banner is printed once the server listens.
  for (let i = 0; i < 50 && !demo.output().includes('Ctrl-C'); i += 1) await new Promise((r) => setTimeout(r, 100));
  demo.child.kill('SIGINT');
  expect(await demo.exited).toBe(0);
  return demo.output();
}

interface MineCredentials {
  client_id: string;
  client_secret: string;
  redirect_uri: string;
  issuer: string;
}

describe('npm start', () => {
  it('seeds alice, the demo scopes and Mine once, prints the URLs and login, and exits 0 on SIGINT', async () => {
    const dataDir = temp.dataDir();
    const env = await demoEnv(dataDir);
    const output = await runDemoOnce(env);
    expect(output).toContain(`http://localhost:${env.LATCHKEY_PORT}`);
    expect(output).toContain(`http://localhost:${env.API_PORT}`);
    expect(output).toContain(`http://localhost:${env.MINE_PORT}`);
    expect(output).toContain('alice / wonderland');

    const file = path.join(dataDir, 'mine-client.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const mine = JSON.parse(readFileSync(file, 'utf8')) as MineCredentials;
    expect(mine).toMatchObject({ redirect_uri: `http://localhost:${env.MINE_PORT}/callback`, issuer: `http://localhost:${env.LATCHKEY_PORT}` });
    expect(mine.client_secret).toMatch(/^[A-Za-z0-9_-]{43}$/);

    const store = await createStore({ kind: 'sqlite', path: path.join(dataDir, 'latchkey.db') });
    try {
      const alice = await store.users.findByUsernameKey('alice');
      expect(alice).toMatchObject({ username: 'alice', name: 'Alice Liddell', email: 'alice@example.com' });
      expect(await verifyPassword('wonderland', alice?.passwordHash)).toBe(true);
      const scopes = await store.scopes.findMany(['calendar.read', 'calendar.write', 'drive.read']);
      expect(scopes.map((s) => [s.name, s.resource]).sort()).toEqual([
        ['calendar.read', `http://localhost:${env.API_PORT}`],
        ['calendar.write', `http://localhost:${env.API_PORT}`],
        ['drive.read', `http://localhost:${env.API_PORT}`],
      ]);
      const client = await store.clients.findById(mine.client_id);
      expect(client).toMatchObject({
        name: 'Mine',
        redirectUris: [mine.redirect_uri],
        tokenEndpointAuthMethod: 'client_secret_basic',
        pkceRequired: true,
        secretHash: hashSecret(mine.client_secret),
      });
      expect(client?.scopes).toEqual(['openid', 'profile', 'email', 'offline_access', 'calendar.read', 'calendar.write', 'drive.read']);
    } finally {
      await store.close();
    }

    // A second start reuses everything: same Mine, same credentials file.
    await runDemoOnce(env);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(mine);
  });

  it('refuses a bad port in one line with exit code 2 and writes nothing', async () => {
    const dataDir = temp.dataDir();
    const demo = spawnNode([START], { ...(await demoEnv(dataDir)), API_PORT: 'abc' });
    expect(await demo.exited).toBe(2);
    expect(oneLine(demo.output())).toBe('latchkey demo: API_PORT must be a port number from 1 to 65535, got "abc"');
    expect(existsSync(dataDir)).toBe(false);
  });
});

describe('npm start and Ctrl-C', () => {
  // A terminal's Ctrl-C signals the whole foreground process group (npm, its shell, node); a
  // test harness may signal npm alone, which forwards it to the script's process. Both exit 0.
  it.each([
    ['the process group, as a terminal does', true],
    ['npm alone, which forwards it', false],
  ])('SIGINT to %s: stops and exits 0', async (_label, group) => {
    const env = await demoEnv(temp.dataDir());
    const base = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('LATCHKEY_')));
    const npm = spawn('npm', ['start', '--silent'], { cwd: ROOT, env: { ...base, ...env }, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    npm.stdout.on('data', (d: Buffer) => (output += d.toString()));
    npm.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const exited = new Promise<number | null>((resolve) => npm.on('exit', (code) => resolve(code)));
    try {
      await waitFor(`http://127.0.0.1:${env.LATCHKEY_PORT}/healthz`);
      for (let i = 0; i < 50 && !output.includes('Ctrl-C'); i += 1) await new Promise((r) => setTimeout(r, 100));
      if (group) process.kill(-(npm.pid ?? 0), 'SIGINT');
      else npm.kill('SIGINT');
      const stopped = await Promise.race([exited, new Promise<'running'>((r) => setTimeout(() => r('running'), 10_000))]);
      // The output goes in the failure message: what the demo printed says why it did not exit 0.
      expect(stopped, `npm start printed:\n${output}`).toBe(0);
      await expect(fetch(`http://127.0.0.1:${env.LATCHKEY_PORT}/healthz`)).rejects.toThrow();
    } finally {
      // npm runs in a process group of its own: whatever is left of it (its shell, node) goes.
      try {
        process.kill(-(npm.pid ?? 0), 'SIGKILL');
      } catch {
        // the group has exited
      }
    }
  });
});
