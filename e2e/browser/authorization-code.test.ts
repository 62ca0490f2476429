// The whole Authorization Code flow in a real browser (Debian's Chromium via playwright-core),
// against `latchkey serve` started as a separate process, with a client registered by
// `latchkey client add`: log in, grant two of three scopes, receive the code at the client's
// callback, exchange it, and stop the server with Ctrl-C.
import { mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, freePort, ROOT, serve, tempDir, type RunningServer } from '../support/processes.js';

const ARTIFACTS = path.join(ROOT, 'test-results');

describe('a browser completes the flow against latchkey serve', () => {
  let browser: Browser;
  let server: RunningServer;
  let callback: Server;
  let callbackUrl: string;
  const received: URL[] = [];
  let env: Record<string, string>;

  beforeAll(async () => {
    const port = await freePort();
    env = { LATCHKEY_DATA_DIR: tempDir(), LATCHKEY_PORT: String(port), LATCHKEY_LOG_LEVEL: 'warn' };
    const callbackPort = await freePort();
    callbackUrl = `http://127.0.0.1:${callbackPort}/callback`;
    // The client's redirect target: records what the browser brings back.
    callback = createServer((request, response) => {
      const url = new URL(request.url ?? '/', callbackUrl);
      if (url.pathname === '/callback') received.push(url);
      response.writeHead(200, { 'content-type': 'text/html' }).end('<h1>Back at the app</h1>');
    });
    await new Promise<void>((resolve) => callback.listen(callbackPort, '127.0.0.1', resolve));
    server = await serve(env, `http://localhost:${port}`);
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
  });

  afterAll(async () => {
    await browser?.close();
    callback?.close();
    if (server !== undefined && server.process.exitCode === null) await server.stop('SIGKILL');
  });

  it('logs in, grants two of three scopes, and gets tokens for them', { timeout: 90_000 }, async () => {
    const userAdd = await cli(['user', 'add', 'alice', '--password-stdin', '--name', 'Alice'], env, 'wonderland\n');
    expect(userAdd.code).toBe(0);
    const scopeAdd = await cli(['scope', 'add', 'calendar.read', '--description', 'See your calendar events', '--resource', 'http://localhost:4001'], env);
    expect(scopeAdd.code).toBe(0);
    const clientAdd = await cli(['client', 'add', '--name', 'Mine', '--redirect-uri', callbackUrl, '--scope', 'openid profile calendar.read', '--json'], env);
    expect(clientAdd.code).toBe(0);
    const registered = JSON.parse(clientAdd.stdout) as { client_id: string; client_secret: string };

    const verifier = 'a'.repeat(20) + 'B'.repeat(23);
    const challenge = await sha256base64url(verifier);
    const authorize = new URL(`${server.url}/authorize`);
    authorize.search = new URLSearchParams({
      response_type: 'code',
      client_id: registered.client_id,
      redirect_uri: callbackUrl,
      scope: 'openid profile calendar.read',
      state: 'browser-state',
      code_challenge: challenge,
      code_challenge_method: 'S256',
    }).toString();

    mkdirSync(ARTIFACTS, { recursive: true });
    const page = await browser.newPage();
    page.setDefaultTimeout(15_000);
    await page.goto(authorize.href);
    await page.getByLabel('Username').fill('alice');
    await page.getByLabel('Password').fill('wonderland');
    await page.screenshot({ path: path.join(ARTIFACTS, 'login.png') });
    await page.getByRole('button', { name: 'Sign in' }).click();

    await page.waitForURL(/\/consent\?/).catch(async (e: unknown) => {
      await page.screenshot({ path: path.join(ARTIFACTS, 'failure.png') });
      throw new Error(`${String(e)} at ${page.url()}: ${(await page.textContent('body')) ?? ''}`);
    });
    expect(await page.textContent('h1')).toContain('Mine');
    await page.getByLabel(/See your name/).uncheck();
    await page.screenshot({ path: path.join(ARTIFACTS, 'consent.png') });
    await page.getByRole('button', { name: 'Allow' }).click();
    await page.waitForURL((url) => url.href.startsWith(callbackUrl));

    expect(received).toHaveLength(1);
    const back = received[0] as URL;
    expect(back.searchParams.get('state')).toBe('browser-state');
    expect(back.searchParams.get('iss')).toBe(server.url);
    const code = back.searchParams.get('code') ?? '';

    const response = await fetch(`${server.url}/token`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from(`${registered.client_id}:${registered.client_secret}`).toString('base64')}`,
      },
      body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: callbackUrl, code_verifier: verifier }).toString(),
    });
    const tokens = (await response.json()) as Record<string, unknown>;
    expect(response.status).toBe(200);
    expect(tokens.scope).toBe('openid calendar.read');
    expect(typeof tokens.refresh_token).toBe('string');
    const claims = JSON.parse(Buffer.from(String(tokens.access_token).split('.')[1] ?? '', 'base64url').toString()) as Record<string, unknown>;
    expect(claims.aud).toBe('http://localhost:4001');

    expect(await server.stop('SIGINT')).toBe(0);
  });
});

async function sha256base64url(text: string): Promise<string> {
  const { createHash } = await import('node:crypto');
  return createHash('sha256').update(text).digest('base64url');
}
