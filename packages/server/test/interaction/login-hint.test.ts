// OIDC Core §3.1.2.1 login_hint: pre-fills the username on the login page, escaped (SEC-51);
// it never signs anyone in by itself.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browser, readForm } from '../support/browser.js';
import { authorizeUrl, follow, pkce } from '../support/oauth.js';
import { addClient, seed, startServer, type TestServer } from '../support/server.js';

describe('login_hint', () => {
  let server: TestServer;
  let clientId: string;
  beforeAll(async () => {
    server = await startServer();
    await seed(server);
    clientId = (await addClient(server)).client.id;
  });
  afterAll(async () => server.close());

  async function loginPageFor(hint: string) {
    const browser = new Browser(server.url);
    const start = await browser.get(
      authorizeUrl(server, { clientId, redirectUri: 'https://app.example/cb', challenge: pkce().challenge, extra: { login_hint: hint } }),
    );
    return follow(browser, start);
  }

  it('pre-fills the username field', async () => {
    const page = await loginPageFor('alice');
    const input = readForm(page.body).root.querySelector('input[name=username]');
    expect(input?.getAttribute('value')).toBe('alice');
  });

  it('is escaped: markup in the hint stays text (SEC-51)', async () => {
    const page = await loginPageFor('"><svg onload=alert(4)>');
    expect(page.body).not.toContain('<svg');
    expect(readForm(page.body).root.querySelector('input[name=username]')?.getAttribute('value')).toBe('"><svg onload=alert(4)>');
  });
});
