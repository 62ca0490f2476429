// The developer console and "Connected apps" in a real browser (Debian's Chromium via
// playwright-core), against an in-process server on a fresh store: sign in, register an app by
// the form's labels, use it for an Authorization Code flow to a local callback, rotate its secret
// and see the old one refused, then remove its access and see its refresh token refused.
import { mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, seed, startServer, type TestServer } from '../../packages/server/test/support/server.js';
import { pkce } from '../../packages/server/test/support/oauth.js';
import { ROOT } from '../support/processes.js';

const ARTIFACTS = path.join(ROOT, 'test-results');

describe('the console and connected apps in a browser', () => {
  let browser: Browser;
  let server: TestServer;
  let callback: Server;
  let callbackUrl: string;
  const received: URL[] = [];

  beforeAll(async () => {
    server = await startServer();
    await seed(server);
    const callbackPort = await freePort();
    callbackUrl = `http://127.0.0.1:${callbackPort}/callback`;
    callback = createServer((request, response) => {
      const url = new URL(request.url ?? '/', callbackUrl);
      if (url.pathname === '/callback') received.push(url);
      response.writeHead(200, { 'content-type': 'text/html' }).end('<h1>Back at Mine</h1>');
    });
    await new Promise<void>((resolve) => callback.listen(callbackPort, '127.0.0.1', resolve));
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
    mkdirSync(ARTIFACTS, { recursive: true });
  });

  afterAll(async () => {
    await browser?.close();
    callback?.close();
    await server?.close();
  });

  async function token(form: Record<string, string>, clientId: string, secret: string): Promise<{ status: number; json: Record<string, unknown> }> {
    const response = await fetch(`${server.url}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`${clientId}:${secret}`).toString('base64')}` },
      body: new URLSearchParams(form).toString(),
    });
    return { status: response.status, json: (await response.json()) as Record<string, unknown> };
  }

  async function shot(page: Page, name: string): Promise<void> {
    await page.screenshot({ path: path.join(ARTIFACTS, `console-${name}.png`), fullPage: true });
  }

  it('registers an app, uses it, rotates its secret, and removes its access', { timeout: 90_000 }, async () => {
    const page = await browser.newPage();
    page.setDefaultTimeout(15_000);
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(String(error)));
    // Every page and the console script load; Chromium's own favicon probe may 404.
    page.on('response', (response) => {
      if (response.status() >= 400 && !response.url().endsWith('/favicon.ico')) errors.push(`${response.status()} ${response.url()}`);
    });

    // Sign in from the home page, then open the console from its link.
    await page.goto(`${server.url}/`);
    await page.getByRole('link', { name: 'Sign in' }).click();
    await page.getByLabel('Username').fill('alice');
    await page.getByLabel('Password').fill('wonderland');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('link', { name: 'Developer console' }).click();
    await page.waitForURL(`${server.url}/console`);

    // Register "Mine" by the form's labels.
    await page.getByLabel('Name', { exact: true }).fill('Mine');
    await page.getByLabel('Redirect URIs').fill(callbackUrl);
    await page.getByRole('checkbox', { name: /^api\.read/ }).check();
    await page.getByRole('radio', { name: /^Confidential/ }).check();
    await shot(page, 'register');
    await page.getByRole('button', { name: 'Register app' }).click();
    await expect.poll(() => page.locator('#client-secret').count()).toBe(1);
    const clientId = ((await page.locator('#client-id').textContent()) ?? '').trim();
    const firstSecret = ((await page.locator('#client-secret').textContent()) ?? '').trim();
    expect(firstSecret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    // The copy button appears only because the same-origin script ran (CSP script-src 'self').
    await expect.poll(() => page.getByRole('button', { name: 'Copy secret' }).isVisible()).toBe(true);
    await shot(page, 'registered');

    // Use it: the whole Authorization Code flow to the local callback.
    const { verifier, challenge } = pkce();
    const authorize = new URL(`${server.url}/authorize`);
    authorize.search = new URLSearchParams({
      response_type: 'code',
      client_id: clientId,
      redirect_uri: callbackUrl,
      scope: 'openid offline_access api.read',
      state: 'console-state',
      code_challenge: challenge,
      code_challenge_method: 'S256',
    }).toString();
    await page.goto(authorize.href);
    await page.waitForURL(/\/consent\?/);
    await page.getByRole('button', { name: 'Allow' }).click();
    await page.waitForURL((url) => url.href.startsWith(callbackUrl));
    const back = received.at(-1);
    expect(back?.searchParams.get('state')).toBe('console-state');
    const code = back?.searchParams.get('code') ?? '';
    const tokens = await token({ grant_type: 'authorization_code', code, redirect_uri: callbackUrl, code_verifier: verifier }, clientId, firstSecret);
    expect(tokens.status).toBe(200);
    let refreshToken = String(tokens.json.refresh_token);

    // Rotate the secret: the old one is refused at once, the new one works.
    await page.goto(`${server.url}/console/apps/${clientId}`);
    expect(await page.locator('#client-secret').count()).toBe(0);
    await page.getByRole('button', { name: 'Rotate secret' }).click();
    await expect.poll(() => page.locator('#client-secret').count()).toBe(1);
    const secondSecret = ((await page.locator('#client-secret').textContent()) ?? '').trim();
    expect(secondSecret).not.toBe(firstSecret);
    await shot(page, 'rotated');
    const old = await token({ grant_type: 'refresh_token', refresh_token: refreshToken }, clientId, firstSecret);
    expect(old.status).toBe(401);
    expect(old.json.error).toBe('invalid_client');
    const fresh = await token({ grant_type: 'refresh_token', refresh_token: refreshToken }, clientId, secondSecret);
    expect(fresh.status).toBe(200);
    refreshToken = String(fresh.json.refresh_token);

    // Remove its access in Connected apps: the app's refresh token is refused.
    await page.goto(`${server.url}/`);
    await page.getByRole('link', { name: 'Connected apps' }).click();
    const card = page.getByRole('region', { name: 'Mine' });
    await expect.poll(() => card.getByText('See your things').isVisible()).toBe(true);
    await shot(page, 'connected-apps');
    await card.getByRole('button', { name: 'Remove access' }).click();
    await expect.poll(() => page.getByText('Access removed.').isVisible()).toBe(true);
    await shot(page, 'access-removed');
    const refused = await token({ grant_type: 'refresh_token', refresh_token: refreshToken }, clientId, secondSecret);
    expect(refused.status).toBe(400);
    expect(refused.json.error).toBe('invalid_grant');
    expect(errors).toEqual([]);
  });
});
