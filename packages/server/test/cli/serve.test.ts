// `latchkey serve` (CONTRACTS.md): runs until SIGINT/SIGTERM, then drains and exits 0; the other
// commands work on the database of the running server.
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { BIN, freePort, latchkey, oneLine, spawnNode, useTempRoot, waitFor } from './run-cli.js';

const temp = useTempRoot('serve');

async function startServe(): Promise<{ url: string; env: Record<string, string>; server: ReturnType<typeof spawnNode> }> {
  const port = await freePort();
  const env = { LATCHKEY_DATA_DIR: temp.dataDir(), LATCHKEY_PORT: String(port) };
  const server = spawnNode([BIN, 'serve'], env);
  const url = `http://127.0.0.1:${port}`;
  await waitFor(`${url}/healthz`);
  return { url, env, server };
}

describe('latchkey serve', () => {
  it.each(['SIGINT', 'SIGTERM'] as const)('listens, logs its issuer, and exits 0 on %s', async (signal) => {
    const { url, env, server } = await startServe();
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    expect(server.output()).toContain(`Latchkey authorization server at http://localhost:${env.LATCHKEY_PORT}`);
    server.child.kill(signal);
    expect(await server.exited).toBe(0);
    await expect(fetch(`${url}/healthz`)).rejects.toThrow();
  });

  it('exits 0 however often the signal repeats until it is gone (a Ctrl-C reaches it twice under npm start)', async () => {
    const { server } = await startServe();
    let gone = false;
    void server.exited.then(() => (gone = true));
    server.child.kill('SIGINT');
    // Repeats until the process is gone, the late ones landing while it exits: Node's teardown
    // stops handling signals, so one arriving then killed it (exit by signal: code null).
    while (!gone) {
      server.child.kill('SIGINT');
      await new Promise((r) => setImmediate(r));
    }
    expect(await server.exited, server.output()).toBe(0);
  });

  it('serves what the command line adds to its database while it runs (within 5 s)', async () => {
    const { url, env, server } = await startServe();
    try {
      const added = await latchkey(['scope', 'add', 'photos.read', '--description', 'See your photos', '--resource', 'https://photos.example'], env);
      expect(added.code).toBe(0);
      let scopes: string[] = [];
      for (let i = 0; i < 60 && !scopes.includes('photos.read'); i += 1) {
        const metadata = (await (await fetch(`${url}/.well-known/oauth-authorization-server`)).json()) as { scopes_supported: string[] };
        scopes = metadata.scopes_supported;
        if (!scopes.includes('photos.read')) await new Promise((r) => setTimeout(r, 100));
      }
      expect(scopes).toContain('photos.read');
    } finally {
      server.child.kill('SIGINT');
      expect(await server.exited).toBe(0);
    }
  });

  it('refuses arguments it does not take, in one line with exit code 2', async () => {
    const result = await latchkey(['serve', 'now'], { LATCHKEY_DATA_DIR: temp.dataDir() });
    expect(result.code).toBe(2);
    expect(oneLine(result.stderr)).toMatch(/^latchkey: unexpected argument "now"; usage: latchkey serve/);
  });

  it('reports a port in use in one line and exits 1', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const address = blocker.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    try {
      const result = await latchkey(['serve', '--port', String(port), '--log-level', 'silent'], { LATCHKEY_DATA_DIR: temp.dataDir() });
      expect(result.code).toBe(1);
      expect(oneLine(result.stderr)).toMatch(/^latchkey: .*EADDRINUSE/);
    } finally {
      blocker.close();
    }
  });
});
