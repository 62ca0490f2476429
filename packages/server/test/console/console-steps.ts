// Steps shared by the console and account page tests: sign in through the login form, open a
// page's form by its action, register an app through the console form.
import { parse } from 'node-html-parser';
import { expect } from 'vitest';
import { Browser, readForm, type Page } from '../support/browser.js';
import type { TestServer } from '../support/server.js';
import { ALICE } from '../support/users.js';

export const REDIRECT = 'https://app.example/cb';

export async function signIn(server: TestServer, user = ALICE): Promise<Browser> {
  const browser = new Browser(server.url);
  const page = await browser.get('/login');
  const form = readForm(page.body);
  const after = await browser.post(form.action, { ...form.hidden, username: user.username, password: user.password });
  expect(after.status).toBe(303);
  return browser;
}

/** The form of `page` whose action is `action`, with its hidden inputs. */
export function formAt(page: Page, action: string): ReturnType<typeof readForm> {
  return readForm(page.body, `form[action="${action}"]`);
}

export interface Registration {
  name?: string;
  redirectUris?: string;
  scopes?: string[];
  kind?: string;
}

/** Posts the console's register form; `page` is the answer (the app's page on success). */
export async function register(browser: Browser, r: Registration = {}): Promise<Page> {
  const consolePage = await browser.get('/console');
  expect(consolePage.status).toBe(200);
  const form = formAt(consolePage, '/console');
  return browser.post('/console', {
    ...form.hidden,
    name: r.name ?? 'Mine',
    redirect_uris: r.redirectUris ?? REDIRECT,
    scope: r.scopes ?? ['openid', 'offline_access', 'api.read'],
    kind: r.kind ?? 'confidential',
  });
}

/** The client id and the secret (if shown) on an app's page. */
export function credentialsOn(page: Page): { clientId: string; secret: string | null } {
  const root = parse(page.body);
  const clientId = root.querySelector('#client-id')?.text.trim();
  if (clientId === undefined) throw new Error(`no client id on the page:\n${page.body.slice(0, 500)}`);
  return { clientId, secret: root.querySelector('#client-secret')?.text.trim() ?? null };
}

export function alertOn(page: Page): string | undefined {
  return parse(page.body).querySelector('[role=alert]')?.text.trim();
}

export function csrfOf(page: Page): string {
  const value = parse(page.body).querySelector('input[name=csrf]')?.getAttribute('value');
  if (value === undefined) throw new Error('no csrf field');
  return value;
}
