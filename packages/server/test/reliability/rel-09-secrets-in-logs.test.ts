// REL-09 (SECURITY-CATALOG §13; RFC 6819 §4.6.7, §5.1.4.1; RFC 9700 §4.9.3; OWASP Logging CS):
// secrets never reach the logs. The real `latchkey serve` runs at its most verbose log level
// (trace) with its output captured, the flows run with their error paths (wrong password, wrong
// client secrets, a replayed code, a wrong PKCE verifier, refresh-token reuse, revocation,
// logout), and every captured line is searched for every secret value the test saw: passwords,
// client secrets, codes, access, refresh and ID tokens, PKCE verifiers, session ids and CSRF
// tokens. SQLite, and PostgreSQL in the PostgreSQL pass.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browser, readForm, type Page } from '../support/browser.js';
import { pkce } from '../support/oauth.js';
import {
  ALICE,
  basic,
  createDeployment,
  post,
  REDIRECT,
  type Deployment,
  type ServeProcess,
} from './deployment.js';

/** Every secret value seen during a test, with what it is, for the failure message. */
class Secrets {
  readonly values = new Map<string, string>();
  add(what: string, value: unknown): void {
    if (typeof value === 'string' && value.length >= 8) this.values.set(value, what);
  }
  /** Session ids from the browser's cookie jar, CSRF tokens from a page's forms. */
  fromBrowser(browser: Browser, page?: Page): void {
    for (const [name, value] of browser.cookies) this.add(`cookie ${name}`, value);
    if (page !== undefined && page.body.includes('name="csrf"')) this.add('CSRF token', readForm(page.body).hidden.csrf);
  }
  /** The log lines that contain a secret, each with the secret's kind. */
  foundIn(output: string): string[] {
    const hits: string[] = [];
    for (const line of output.split('\n')) {
      for (const [value, what] of this.values) {
        // Also as it appears percent-encoded in a logged URL.
        if (line.includes(value) || line.includes(encodeURIComponent(value))) hits.push(`${what}: ${line.slice(0, 300)}`);
      }
    }
    return hits;
  }
}

describe('REL-09: no secret in the server log, at log level trace', () => {
  let deployment: Deployment;
  let server: ServeProcess;
  beforeAll(async () => {
    deployment = await createDeployment({ settings: { LATCHKEY_LOG_LEVEL: 'trace', LATCHKEY_REFRESH_REUSE_GRACE: '0' } });
    server = await deployment.start();
  });
  afterAll(async () => {
    server?.kill('SIGTERM');
    await server?.exited;
    await deployment?.close();
  });

  it('the flows and their error paths log no password, client secret, code, token, verifier, session id or CSRF token', { timeout: 60_000 }, async () => {
    const url = deployment.issuer;
    const secrets = new Secrets();
    secrets.add('alice password', ALICE.password);
    secrets.add('client secret', deployment.client.secret);
    secrets.add('resource server secret', deployment.resourceServer.secret);
    const { client, resourceServer } = deployment;
    const browser = new Browser(url);

    // Log in (a wrong password first), consent, get a code.
    const authorize = (challenge: string) =>
      browser.get(`/authorize?response_type=code&client_id=${client.clientId}&redirect_uri=${encodeURIComponent(REDIRECT)}&scope=openid%20offline_access&state=s1&code_challenge=${challenge}&code_challenge_method=S256`);
    const first = pkce();
    secrets.add('PKCE verifier', first.verifier);
    let page = await authorize(first.challenge);
    page = await browser.get(page.location ?? '');
    secrets.fromBrowser(browser, page);
    const wrongPassword = 'not-alices-password-91';
    secrets.add('wrong password', wrongPassword);
    let form = readForm(page.body);
    page = await browser.post(form.action, { ...form.hidden, username: ALICE.username, password: wrongPassword });
    expect(page.status).toBe(401);
    form = readForm(page.body);
    page = await browser.post(form.action, { ...form.hidden, username: ALICE.username, password: ALICE.password });
    expect(page.status).toBe(303);
    page = await browser.get(page.location ?? '');
    secrets.fromBrowser(browser, page);
    form = readForm(page.body);
    page = await browser.post(form.action, { ...form.hidden, scope: ['openid', 'offline_access'], decision: 'allow' });
    const code = new URL(page.location ?? '').searchParams.get('code');
    secrets.add('authorization code', code);

    const redeemForm = (c: string, verifier: string) => ({ grant_type: 'authorization_code', code: c, redirect_uri: REDIRECT, code_verifier: verifier });
    const issued = await post(url, '/token', client, redeemForm(code ?? '', first.verifier));
    expect(issued.status).toBe(200);
    for (const name of ['access_token', 'refresh_token', 'id_token']) secrets.add(name, issued.json[name]);
    // A replayed code (which revokes what it issued), and a wrong verifier on a fresh code.
    expect((await post(url, '/token', client, redeemForm(code ?? '', first.verifier))).json.error).toBe('invalid_grant');
    const second = pkce();
    const wrong = pkce();
    secrets.add('PKCE verifier', second.verifier);
    secrets.add('PKCE verifier', wrong.verifier);
    page = await authorize(second.challenge);
    const code2 = new URL(page.location ?? '').searchParams.get('code');
    secrets.add('authorization code', code2);
    expect((await post(url, '/token', client, redeemForm(code2 ?? '', wrong.verifier))).json.error).toBe('invalid_grant');

    // client_secret_post, and wrong secrets both ways.
    const third = pkce();
    secrets.add('PKCE verifier', third.verifier);
    page = await authorize(third.challenge);
    const code3 = new URL(page.location ?? '').searchParams.get('code');
    secrets.add('authorization code', code3);
    const posted = await fetch(`${url}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ ...redeemForm(code3 ?? '', third.verifier), client_id: client.clientId, client_secret: client.secret }).toString(),
    });
    const tokens = (await posted.json()) as Record<string, unknown>;
    expect(posted.status).toBe(200);
    for (const name of ['access_token', 'refresh_token', 'id_token']) secrets.add(name, tokens[name]);
    const wrongSecret = 'wrong-client-secret-0123456789';
    secrets.add('wrong client secret', wrongSecret);
    expect((await post(url, '/token', { clientId: client.clientId, secret: wrongSecret }, { grant_type: 'refresh_token', refresh_token: String(tokens.refresh_token) })).status).toBe(401);
    const wrongPost = await fetch(`${url}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: String(tokens.refresh_token), client_id: client.clientId, client_secret: wrongSecret }).toString(),
    });
    expect(wrongPost.status).toBe(401);

    // Rotation, then reuse of the old refresh token (which revokes the family).
    const rotated = await post(url, '/token', client, { grant_type: 'refresh_token', refresh_token: String(tokens.refresh_token) });
    expect(rotated.status).toBe(200);
    for (const name of ['access_token', 'refresh_token']) secrets.add(name, rotated.json[name]);
    expect((await post(url, '/token', client, { grant_type: 'refresh_token', refresh_token: String(tokens.refresh_token) })).json.error).toBe('invalid_grant');

    // Introspection, userinfo (header and body), revocation.
    expect((await post(url, '/introspect', resourceServer, { token: String(rotated.json.access_token) })).status).toBe(200);
    expect((await post(url, '/introspect', resourceServer, { token: String(issued.json.refresh_token) })).status).toBe(200);
    expect((await fetch(`${url}/userinfo`, { headers: { authorization: `Bearer ${String(rotated.json.access_token)}` } })).status).toBe(401);
    expect((await fetch(`${url}/userinfo`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `access_token=${String(issued.json.access_token)}` })).status).toBe(401);
    expect((await post(url, '/revoke', client, { token: String(rotated.json.refresh_token) })).status).toBe(200);
    expect((await fetch(`${url}/introspect`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic({ clientId: resourceServer.clientId, secret: wrongSecret }) }, body: 'token=x' })).status).toBe(401);

    // Sign out, with the CSRF token of the home page.
    page = await browser.get('/');
    secrets.fromBrowser(browser, page);
    form = readForm(page.body, 'form[action="/logout"]');
    expect((await browser.post(form.action, form.hidden)).status).toBe(303);

    await new Promise((r) => setTimeout(r, 200));
    const output = server.output();
    expect(output).toContain('incoming request');
    expect(secrets.values.size).toBeGreaterThan(15);
    expect(secrets.foundIn(output)).toEqual([]);
  });

  it('a client that puts its secret or a token in the URL (which RFC 6749 §2.3.1 and RFC 6750 §2.3 forbid or discourage) does not get it logged', async () => {
    const url = deployment.issuer;
    const secrets = new Secrets();
    const { client } = deployment;
    secrets.add('client secret', client.secret);
    const token = `${'e30'}.${'eyJzdWIiOiJ4In0'}.${'c2lnbmF0dXJlLXZhbHVlLTEyMzQ1Njc4OQ'}`;
    secrets.add('access token', token);
    secrets.add('refresh token', 'refresh-token-in-a-url-0123456789');

    const before = server.output().length;
    // Each is refused; none should leave the secret in the log on its way.
    expect((await fetch(`${url}/token?client_id=${client.clientId}&client_secret=${client.secret}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'grant_type=client_credentials' })).status).toBeGreaterThanOrEqual(400);
    expect((await fetch(`${url}/userinfo?access_token=${token}`)).status).toBeGreaterThanOrEqual(400);
    expect((await fetch(`${url}/revoke?token=refresh-token-in-a-url-0123456789`)).status).toBe(405);
    await new Promise((r) => setTimeout(r, 200));
    expect(secrets.foundIn(server.output().slice(before))).toEqual([]);
  });
});
