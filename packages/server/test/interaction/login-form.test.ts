// The login page as people and test robots fill it in (CONTRACTS.md "Pages"), the one message
// for an unknown user and a wrong password (SEC-53, OWASP Authentication CS), usernames compared
// after case folding (SEC-68 d, D-11), and redirects after login (SEC-54, RFC 9700 §4.12).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdminInputError } from '../../src/admin/errors.js';
import { addUser } from '../../src/admin/users.js';
import { hashSecret } from '../../src/tokens/secrets.js';
import { Browser, readForm } from '../support/browser.js';
import { addClient, ALICE, seed, startServer, type TestServer } from '../support/server.js';
import { openLogin, postLogin, SESSION_COOKIE, userId } from './pages.js';

describe('the login page', () => {
  let server: TestServer;
  let clientId: string;
  beforeAll(async () => {
    server = await startServer();
    await seed(server);
    clientId = (await addClient(server, { name: 'Calendar Helper' })).client.id;
  });
  afterAll(async () => server.close());

  it('is a POST form with labelled username and password inputs and a submit button (CONTRACTS.md "Pages")', async () => {
    const { page, form } = await openLogin(new Browser(server.url));
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    const element = form.root.querySelector('form');
    expect(element?.getAttribute('method')?.toLowerCase()).toBe('post');
    const username = form.root.querySelector('input[name=username]');
    const password = form.root.querySelector('input[name=password]');
    expect(username).not.toBeNull();
    expect(password?.getAttribute('type')).toBe('password');
    for (const input of [username, password]) {
      const id = input?.getAttribute('id') ?? '';
      expect(id).not.toBe('');
      const label = form.root.querySelector(`label[for=${id}]`);
      expect(label?.text.trim()).not.toBe('');
    }
    const submit = form.root.querySelectorAll('form button').filter((b) => (b.getAttribute('type') ?? 'submit') === 'submit');
    expect(submit).toHaveLength(1);
    expect(form.hidden.csrf).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('posts the hidden csrf and interaction inputs back as is and continues the pending request (CONTRACTS.md "Pages")', async () => {
    const browser = new Browser(server.url);
    const start = await browser.get(`/authorize?response_type=code&client_id=${clientId}&redirect_uri=https%3A%2F%2Fapp.example%2Fcb&scope=openid&code_challenge=${'a'.repeat(43)}&code_challenge_method=S256`);
    const page = await browser.get(start.location ?? '');
    const form = readForm(page.body);
    expect(Object.keys(form.hidden).sort()).toEqual(['csrf', 'interaction']);
    expect(new URL(start.location ?? '').searchParams.get('interaction')).toBe(form.hidden.interaction);
    expect(page.body).toContain('Calendar Helper');
    const after = await postLogin(browser, form, ALICE.username, ALICE.password);
    expect(after.status).toBe(303);
    const next = new URL(after.location ?? '');
    expect(next.pathname).toBe('/consent');
    expect(next.searchParams.get('interaction')).toBe(form.hidden.interaction);
  });

  it('SEC-53: an unknown user and a wrong password get the same status, headers, body and message (OWASP Authentication CS, CWE-204)', async () => {
    const browser = new Browser(server.url);
    const { form } = await openLogin(browser);
    const unknown = await postLogin(browser, form, 'nobody-here', 'wrong-password');
    const wrong = await postLogin(browser, form, ALICE.username, 'wrong-password');
    expect(unknown.status).toBe(401);
    expect(wrong.status).toBe(unknown.status);
    // The username typed is echoed into the form; everything else must be byte-identical.
    const normalize = (body: string, username: string) => body.replaceAll(`value="${username}"`, 'value="USERNAME"');
    expect(normalize(wrong.body, ALICE.username)).toBe(normalize(unknown.body, 'nobody-here'));
    expect(wrong.body).toContain('Wrong username or password.');
    const headerNames = (h: Headers) => [...h.keys()].filter((k) => !['date', 'content-length'].includes(k)).sort();
    expect(headerNames(wrong.headers)).toEqual(headerNames(unknown.headers));
    expect(wrong.headers.getSetCookie()).toEqual([]);
    expect(unknown.headers.getSetCookie()).toEqual([]);
    expect(readForm(wrong.body).hidden).toEqual(readForm(unknown.body).hidden);
  });

  it('SEC-68 (d), D-11: ALICE and full-width ａｌｉｃｅ sign in to the same account as alice', async () => {
    const alice = await userId(server, 'alice');
    for (const typed of ['ALICE', 'ａｌｉｃｅ', 'Ａｌｉｃｅ']) {
      const browser = new Browser(server.url);
      const { form } = await openLogin(browser);
      const after = await postLogin(browser, form, typed, ALICE.password);
      expect(after.status).toBe(303);
      const session = await server.store.sessions.find(hashSecret(browser.cookies.get(SESSION_COOKIE) ?? ''), server.now());
      expect(session?.userId).toBe(alice);
      expect((await browser.get('/')).body).toContain('<bdi>alice</bdi>');
    }
  });

  it('SEC-68 (d), D-11: no second account can be created as ALICE or ａｌｉｃｅ (PRECIS UsernameCaseMapped)', async () => {
    for (const username of ['ALICE', 'ａｌｉｃｅ', 'Alice', 'ＡＬＩＣＥ']) {
      const created = addUser(server.store, { username, password: 'another-password' }, server.now());
      await expect(created).rejects.toBeInstanceOf(AdminInputError);
      await expect(created).rejects.toThrow('already exists');
    }
    // And the real alice still signs in with her own password.
    const browser = new Browser(server.url);
    const { form } = await openLogin(browser);
    expect((await postLogin(browser, form, 'ALICE', 'another-password')).status).toBe(401);
    expect((await postLogin(browser, form, 'alice', ALICE.password)).status).toBe(303);
  });

  it('SEC-54 (b): return_to and next parameters pointing elsewhere are ignored (RFC 9700 §4.11, RFC 6749 §10.15)', async () => {
    for (const target of ['https://evil.example', '//evil.example', '/\\evil.example', 'https:evil.example']) {
      const browser = new Browser(server.url);
      const { form } = await openLogin(browser, `/login?return_to=${encodeURIComponent(target)}&next=${encodeURIComponent(target)}`);
      expect(form.action).toBe('/login');
      const after = await browser.post(`/login?return_to=${encodeURIComponent(target)}&next=${encodeURIComponent(target)}`, {
        ...form.hidden,
        next: target,
        return_to: target,
        username: ALICE.username,
        password: ALICE.password,
      });
      expect(after.status).toBe(303);
      expect(after.location).toBe(`${server.url}/`);
    }
  });

  it('SEC-54 (a), (b): login answers 303 (never 307/308) and continues the pending request on the server itself, never at a posted target (RFC 9700 §4.12)', async () => {
    const browser = new Browser(server.url);
    const start = await browser.get(`/authorize?response_type=code&client_id=${clientId}&redirect_uri=https%3A%2F%2Fapp.example%2Fcb&scope=openid&code_challenge=${'b'.repeat(43)}&code_challenge_method=S256`);
    const page = await browser.get(start.location ?? '');
    const form = readForm(page.body);
    const after = await browser.post('/login?return_to=https%3A%2F%2Fevil.example', { ...form.hidden, next: 'https://evil.example', username: ALICE.username, password: ALICE.password });
    expect(after.status).toBe(303);
    expect(new URL(after.location ?? '').origin).toBe(server.url);
    expect(new URL(after.location ?? '').pathname).toBe('/consent');
    expect((await browser.get(after.location ?? '')).status).toBe(200);
  });
});
