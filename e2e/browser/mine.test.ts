// Issue 5 in a real browser (Debian's Chromium via playwright-core), against `npm start` itself
// (scripts/start.js: Latchkey, the Calendar API and Mine as three processes) with two-second access
// tokens: alice signs in to Mine, grants everything but calendar.write, sees her events, is told she
// cannot add one, allows it (incremental authorization), adds one; waits past the token's expiry
// and the calendar still loads (Mine refreshed, as the Access page says); after Disconnect the
// calendar asks her to sign in again. Every URL uses `localhost`: cookies are per host.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, ROOT, tempDir } from '../support/processes.js';

const ARTIFACTS = path.join(ROOT, 'test-results');
// The API accepts a token up to 5 s past its expiry (clock tolerance): wait past both.
const PAST_EXPIRY_MS = 2_000 + 5_000 + 1_500;

describe('Mine in a browser, on npm start', () => {
  let browser: Browser;
  let demo: ChildProcess;
  let exited: Promise<number | null>;
  let output = '';
  let mineUrl: string;

  beforeAll(async () => {
    const [port, apiPort, minePort] = [await freePort(), await freePort(), await freePort()];
    mineUrl = `http://localhost:${minePort}`;
    const env = { LATCHKEY_DATA_DIR: tempDir('latchkey-mine-'), LATCHKEY_PORT: String(port), API_PORT: String(apiPort), MINE_PORT: String(minePort), LATCHKEY_ACCESS_TOKEN_TTL: '2' };
    demo = spawn(process.execPath, [path.join(ROOT, 'scripts/start.js')], { cwd: ROOT, env: { ...process.env, ...env } });
    demo.stdout?.on('data', (d: Buffer) => (output += d.toString()));
    demo.stderr?.on('data', (d: Buffer) => (output += d.toString()));
    exited = new Promise((resolve) => demo.on('exit', (code) => resolve(code)));
    for (let i = 0; i < 300 && !output.includes('Press Ctrl-C'); i += 1) {
      if (demo.exitCode !== null) throw new Error(`the demo exited: ${output}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
    mkdirSync(ARTIFACTS, { recursive: true });
  });

  afterAll(async () => {
    await browser?.close();
    if (demo !== undefined && demo.exitCode === null) {
      demo.kill('SIGKILL');
      await exited;
    }
  });

  it('signs in, allows adding events, survives expiry by refreshing, and disconnects', { timeout: 120_000 }, async () => {
    const page = await browser.newPage();
    page.setDefaultTimeout(15_000);
    const shot = (name: string) => page.screenshot({ path: path.join(ARTIFACTS, `mine-${name}.png`), fullPage: true });
    const failWith = async (error: unknown): Promise<never> => {
      await shot('failure');
      throw new Error(`${String(error)} at ${page.url()}: ${(await page.textContent('body')) ?? ''}`);
    };

    await page.goto(`${mineUrl}/`);
    await shot('home');
    await page.getByRole('link', { name: /Sign in with Latchkey/ }).click();
    await page.getByLabel('Username').fill('alice');
    await page.getByLabel('Password').fill('wonderland');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(/\/consent\?/).catch(failWith);
    await page.getByLabel(/Add and delete events/).uncheck();
    await shot('consent');
    await page.getByRole('button', { name: 'Allow' }).click();
    await page.waitForURL(`${mineUrl}/`).catch(failWith);

    await page.getByRole('link', { name: 'Your calendar' }).first().click();
    await expect.poll(() => page.textContent('h1')).toBe('Your calendar');
    expect(await page.textContent('body')).toContain('Tea party with the Mad Hatter');
    expect(await page.textContent('body')).toContain('You did not allow Mine to add events');
    await shot('calendar-read-only');

    await page.getByRole('button', { name: 'Allow Mine to add events' }).click();
    await page.waitForURL(/\/consent\?/).catch(failWith);
    await shot('consent-calendar-write');
    await page.getByRole('button', { name: 'Allow' }).click();
    await page.waitForURL(`${mineUrl}/calendar`).catch(failWith);
    await page.getByLabel('Title').fill('Lobster Quadrille rehearsal');
    await page.getByRole('button', { name: 'Add event' }).click();
    await page.waitForURL(`${mineUrl}/calendar`);
    expect(await page.textContent('ul.events')).toContain('Lobster Quadrille rehearsal');
    await shot('calendar-added');

    await page.waitForTimeout(PAST_EXPIRY_MS);
    await page.goto(`${mineUrl}/calendar`);
    expect(await page.textContent('ul.events')).toContain('Lobster Quadrille rehearsal');
    await page.getByRole('link', { name: 'Access' }).click();
    expect(await page.textContent('.refreshes')).toMatch(/Mine refreshed the access token \d+ times?/);
    expect(await page.textContent('.refresh-token')).toContain('Mine holds a refresh token');
    expect(await page.textContent('ul.scopes')).toContain('calendar.write');
    await shot('access');

    await page.getByRole('button', { name: 'Disconnect' }).click();
    await page.waitForURL(`${mineUrl}/`);
    expect(await page.textContent('body')).toContain('Mine is disconnected');
    await page.goto(`${mineUrl}/calendar`);
    expect(await page.textContent('body')).toContain('Sign in with Latchkey');
    await shot('calendar-after-disconnect');

    demo.kill('SIGINT');
    expect(await exited).toBe(0);
  });
});
