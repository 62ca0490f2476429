// `latchkey serve` (CONTRACTS.md): runs until SIGINT/SIGTERM, then drains and exits 0; the other
// commands work on the database of the running server.
import { connect, createServer } from 'node:net';
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

  it('drains a keep-alive connection whose request finishes after the signal, without waiting for the drain timeout', async () => {
    const { url, server } = await startServe();
    const socket = connect(Number(new URL(url).port), '127.0.0.1');
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    let received = '';
    socket.on('data', (d: Buffer) => (received += d.toString()));
    const closedByServer = new Promise<void>((resolve) => socket.once('end', () => resolve()));
    // The request is in flight when the signal arrives: its headers are sent, its body is not.
    const body = 'grant_type=client_credentials';
    socket.write(`POST /token HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${body.length}\r\n\r\n`);
    await new Promise((r) => setTimeout(r, 200));
    server.child.kill('SIGTERM');
    for (let i = 0; i < 100 && !server.output().includes('stopping: finishing in-flight requests'); i += 1) await new Promise((r) => setTimeout(r, 20));
    socket.write(body);
    // It is answered (no client credentials: 401), and then the server ends the idle connection
    // itself; a client that keeps it open does not hold the process until the drain timeout.
    await closedByServer;
    expect(received).toMatch(/^HTTP\/1\.1 401 /);
    expect(await server.exited).toBe(0);
    expect(server.output()).not.toContain('drain timeout');
    socket.destroy();
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
