// Login throttling (CONTRACTS.md "Pages"; D-5; SEC-52 and SEC-63; RFC 6819 §5.1.4.2.4; OWASP
// Authentication CS "Login Throttling"): after 5 failures for one account, 429 with Retry-After
// from at most 2 s, doubling with each further failure; refused attempts are not checked and do
// not count; a successful login resets the account; a client address has its own limit (≥ 20).
// The server's clock is moved with advance() instead of sleeping.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Browser, type Page } from '../support/browser.js';
import { addClient, ALICE, seed, startServer, type TestServer } from '../support/server.js';
import { openLogin, postLogin, silentAuthorize, type Form } from './pages.js';

describe('login throttling', () => {
  let server: TestServer;
  let browser: Browser;
  let form: Form;
  let clientId: string;
  beforeEach(async () => {
    server = await startServer();
    await seed(server);
    clientId = (await addClient(server)).client.id;
    browser = new Browser(server.url);
    form = (await openLogin(browser)).form;
  });
  afterEach(async () => server.close());

  const attempt = (username: string, password = 'wrong-password', headers: Record<string, string> = {}): Promise<Page> =>
    postLogin(browser, form, username, password, headers);

  async function fail(times: number, username = ALICE.username): Promise<void> {
    for (let i = 0; i < times; i += 1) expect((await attempt(username)).status).toBe(401);
  }

  function expectBlocked(page: Page, retryAfter?: number): number {
    expect(page.status).toBe(429);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    const seconds = Number(page.headers.get('retry-after'));
    expect(Number.isInteger(seconds)).toBe(true);
    expect(seconds).toBeGreaterThan(0);
    // The server's clock is real time plus advance(): a second may tick between two requests.
    if (retryAfter !== undefined) expect([retryAfter - 1, retryAfter]).toContain(seconds);
    expect(page.body).toContain('Too many failed sign-in attempts');
    expect(page.headers.getSetCookie()).toEqual([]);
    return seconds;
  }

  async function expectSignedOut(): Promise<void> {
    expect((await silentAuthorize(server, browser, clientId)).searchParams.get('error')).toBe('login_required');
  }

  it('SEC-52 (a): after 5 failures the account answers 429 with a Retry-After of at most 2 s', async () => {
    await fail(5);
    const seconds = expectBlocked(await attempt(ALICE.username));
    expect(seconds).toBeLessThanOrEqual(2);
  });

  it('SEC-52 (a): the right password during the block gets 429 too and creates no session', async () => {
    await fail(5);
    expectBlocked(await attempt(ALICE.username, ALICE.password));
    await expectSignedOut();
  });

  it('SEC-52: Retry-After doubles with each further failure (2, 4, 8, 16 s)', async () => {
    await fail(5);
    for (const delay of [2, 4, 8, 16]) {
      expectBlocked(await attempt(ALICE.username), delay);
      server.advance(delay);
      expect((await attempt(ALICE.username)).status).toBe(401);
    }
    expectBlocked(await attempt(ALICE.username), 32);
  });

  it('SEC-52: attempts answered 429 are not checked and do not count', async () => {
    await fail(5);
    for (let i = 0; i < 10; i += 1) expectBlocked(await attempt(ALICE.username), 2);
    server.advance(2);
    // Ten refused attempts later, the next failure is only the sixth: the delay is 4 s, not 2^16.
    expect((await attempt(ALICE.username)).status).toBe(401);
    expectBlocked(await attempt(ALICE.username), 4);
  });

  it('SEC-52 (d): once the delay has passed the right password signs in, and the count starts again from zero', async () => {
    await fail(5);
    expectBlocked(await attempt(ALICE.username, ALICE.password), 2);
    server.advance(2);
    const after = await attempt(ALICE.username, ALICE.password);
    expect(after.status).toBe(303);
    form = (await openLogin(browser)).form; // the session, and so the CSRF token, changed at login
    await fail(5);
    expectBlocked(await attempt(ALICE.username), 2);
  });

  it('D-11: failures typed as ALICE, Alice and ａｌｉｃｅ all count against alice', async () => {
    for (const typed of ['ALICE', 'Alice', 'ａｌｉｃｅ', 'ＡＬＩＣＥ', 'alice']) expect((await attempt(typed)).status).toBe(401);
    expectBlocked(await attempt('Ａｌｉｃｅ', ALICE.password));
    await expectSignedOut();
  });

  it('SEC-52: an unknown account is throttled exactly like a real one, so the 429 reveals nothing (OWASP Authentication CS)', async () => {
    await fail(5, 'nobody-here');
    await fail(5, ALICE.username);
    const unknown = await attempt('nobody-here');
    const known = await attempt(ALICE.username);
    expectBlocked(unknown, 2);
    expectBlocked(known, 2);
    const normalize = (body: string, username: string) => body.replaceAll(`value="${username}"`, 'value="X"').replace(/Wait \d+ seconds/, 'Wait N seconds');
    expect(normalize(known.body, ALICE.username)).toBe(normalize(unknown.body, 'nobody-here'));
  });

  it('a name no account can have (with U+0000, which PostgreSQL text cannot hold, or a space) is answered 401, then throttled by its own count', async () => {
    for (const impossible of ['\u0000', 'al ice', 'x\u0000y']) {
      const page = await attempt(impossible);
      expect(page.status).toBe(401);
      expect(page.body).toContain('Wrong username or password');
    }
    await fail(4, '\u0000');
    expectBlocked(await attempt('\u0000'), 2);
    // Its count is its own: another impossible name and alice are not blocked.
    expect((await attempt('al ice')).status).toBe(401);
    expect((await attempt(ALICE.username)).status).toBe(401);
  });

  it('one account blocked does not block another', async () => {
    await fail(5);
    expectBlocked(await attempt(ALICE.username));
    expect((await attempt('bob', 'through-the-looking-glass')).status).toBe(303);
  });

  it('SEC-52 (b): one address spraying many usernames is stopped after at least 20 failures (OWASP Credential Stuffing CS)', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 30; i += 1) statuses.push((await attempt(`user${i}`)).status);
    expect(statuses.slice(0, 20)).toEqual(Array(20).fill(401));
    expect(statuses.slice(20)).toContain(429);
    // The address is blocked for every account, the right password included.
    expectBlocked(await attempt(ALICE.username, ALICE.password));
    await expectSignedOut();
  });

  it('SEC-52 (b): signing in to an own account does not wipe the failures sprayed at others from that address', async () => {
    for (let i = 0; i < 19; i += 1) expect((await attempt(`sprayed-${i}`)).status).toBe(401);
    expect((await attempt(ALICE.username, ALICE.password)).status).toBe(303);
    // The session id (and its CSRF token) changed at login: fetch the form again.
    form = (await openLogin(browser)).form;
    // Still 19 failures on the address: the twentieth blocks it.
    expect((await attempt('sprayed-19')).status).toBe(401);
    expectBlocked(await attempt('sprayed-20'));
  });

  it('SEC-52 (c): a rotating X-Forwarded-For does not bypass either limit (RFC 9700 §4.13, D-5)', async () => {
    for (let i = 0; i < 5; i += 1) expect((await attempt(ALICE.username, 'wrong', { 'x-forwarded-for': `203.0.113.${i}` })).status).toBe(401);
    expectBlocked(await attempt(ALICE.username, ALICE.password, { 'x-forwarded-for': '198.51.100.7' }));
    const statuses: number[] = [];
    for (let i = 0; i < 25; i += 1) statuses.push((await attempt(`user${i}`, 'wrong', { 'x-forwarded-for': `198.51.100.${i}`, forwarded: `for=198.51.100.${i}` })).status);
    expect(statuses).toContain(429);
  });

  it('SEC-63: 30 concurrent wrong-password posts: at most 5 are evaluated, the rest get 429 (OWASP Authentication CS)', async () => {
    const pages = await Promise.all(Array.from({ length: 30 }, () => attempt(ALICE.username)));
    const statuses = pages.map((p) => p.status);
    expect(statuses.filter((s) => s === 401).length).toBeLessThanOrEqual(5);
    expect(statuses.filter((s) => s !== 401 && s !== 429)).toEqual([]);
    for (const page of pages.filter((p) => p.status === 429)) expectBlocked(page);
  });

  it('SEC-63: the right password sent inside the burst once the threshold is crossed does not sign in', async () => {
    let answered = 0;
    let release: () => void = () => undefined;
    const crossed = new Promise<void>((resolve) => (release = resolve));
    const burst = Array.from({ length: 30 }, () =>
      attempt(ALICE.username).then((page) => {
        answered += page.status === 401 ? 1 : 0;
        if (answered >= 5 || page.status === 429) release();
        return page;
      }),
    );
    await crossed;
    const right = await attempt(ALICE.username, ALICE.password);
    const pages = await Promise.all(burst);
    expect(pages.filter((p) => p.status === 401).length).toBeLessThanOrEqual(5);
    expectBlocked(right);
    await expectSignedOut();
  });

  it('SEC-63: a second burst with the right password hidden among wrong ones, while blocked: all 429, no session', async () => {
    await fail(5);
    const passwords = Array.from({ length: 11 }, (_, i) => (i === 6 ? ALICE.password : `wrong-${i}`));
    const pages = await Promise.all(passwords.map((password) => attempt(ALICE.username, password)));
    expect(pages.map((p) => p.status)).toEqual(Array(11).fill(429));
    await expectSignedOut();
  });
});
