// `npm start` (CONTRACTS.md): seeds the demo on first start, prints the URLs and the demo login,
// lets the seeded "Mine" client complete the flow as alice and read her demo events from the
// Calendar API, stops cleanly on Ctrl-C (SIGINT, exit 0), and reuses its data on a second start.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Browser } from '../packages/server/test/support/browser.js';
import { authorizeFlow, codeFrom, pkce, tokenRequest } from '../packages/server/test/support/oauth.js';
import type { TestServer } from '../packages/server/test/support/server.js';
import { freePort, ROOT, tempDir } from './support/processes.js';

interface Demo {
  output: () => string;
  stop: () => Promise<number | null>;
}

async function startDemo(env: Record<string, string>): Promise<Demo> {
  const child = spawn(process.execPath, [path.join(ROOT, 'scripts/start.js')], { cwd: ROOT, env: { ...process.env, ...env } });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  for (let i = 0; i < 300 && !output.includes('Press Ctrl-C'); i += 1) {
    if (child.exitCode !== null) throw new Error(`the demo exited: ${output}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    output: () => output,
    stop: async () => {
      child.kill('SIGINT');
      return exited;
    },
  };
}

describe('npm start', () => {
  it('runs the demo, which Mine can sign in to as alice, and stops on Ctrl-C', { timeout: 60_000 }, async () => {
    const dataDir = tempDir('latchkey-demo-');
    const [port, apiPort, minePort] = [await freePort(), await freePort(), await freePort()];
    const env = { LATCHKEY_DATA_DIR: dataDir, LATCHKEY_PORT: String(port), API_PORT: String(apiPort), MINE_PORT: String(minePort) };
    const demo = await startDemo(env);
    const issuer = `http://localhost:${port}`;
    expect(demo.output()).toContain(issuer);
    expect(demo.output()).toContain(`http://localhost:${apiPort}`);
    expect(demo.output()).toContain(`http://localhost:${minePort}`);
    expect(demo.output()).toContain('alice / wonderland');
    // Mine, the third process, answers with its sign-in button.
    const mineHome = await fetch(`http://localhost:${minePort}/`);
    expect(mineHome.status).toBe(200);
    expect(await mineHome.text()).toContain('Sign in with Latchkey');

    const mine = JSON.parse(readFileSync(path.join(dataDir, 'mine-client.json'), 'utf8')) as Record<string, string>;
    expect(mine).toMatchObject({ issuer, redirect_uri: `http://localhost:${minePort}/callback` });
    const server = { url: issuer } as TestServer;
    const { verifier, challenge } = pkce();
    const { location } = await authorizeFlow(server, new Browser(issuer), {
      clientId: mine.client_id ?? '',
      redirectUri: mine.redirect_uri ?? '',
      scope: 'openid calendar.read calendar.write',
      challenge,
    });
    const tokens = await tokenRequest(
      server,
      { grant_type: 'authorization_code', code: codeFrom(location), redirect_uri: mine.redirect_uri ?? '', code_verifier: verifier },
      { clientId: mine.client_id ?? '', secret: mine.client_secret ?? '' },
    );
    expect(tokens.status).toBe(200);
    expect(tokens.json.scope).toBe('openid calendar.read calendar.write');
    const claims = JSON.parse(Buffer.from(String(tokens.json.access_token).split('.')[1] ?? '', 'base64url').toString()) as Record<string, unknown>;
    expect(claims.aud).toBe(`http://localhost:${apiPort}`);

    // The Calendar API runs beside it, trusts its tokens, and has alice's demo events.
    const events = await fetch(`http://localhost:${apiPort}/calendar/events`, { headers: { authorization: `Bearer ${String(tokens.json.access_token)}` } });
    expect(events.status).toBe(200);
    const { events: list } = (await events.json()) as { events: { title: string }[] };
    expect(list.map((e) => e.title)).toContain('Tea party with the Mad Hatter');
    expect((await fetch(`http://localhost:${apiPort}/calendar/events`)).status).toBe(401);
    expect(await demo.stop()).toBe(0);

    // A second start reuses the data: the same client, the same user, no error.
    const again = await startDemo(env);
    expect(JSON.parse(readFileSync(path.join(dataDir, 'mine-client.json'), 'utf8'))).toEqual(mine);
    expect(await again.stop()).toBe(0);
  });
});
