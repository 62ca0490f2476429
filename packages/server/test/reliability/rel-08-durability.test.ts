// REL-08 (SECURITY-CATALOG §13): a security state change acknowledged to the user or the client
// survives a crash. Revoking a refresh token, revoking an access token (RFC 7009), removing an
// app's access on "Connected apps", and signing out are each answered, then `latchkey serve` is
// killed with SIGKILL at once; after the restart on the same data, each one still holds, and
// nothing else was revoked with it. (The backup-restore half of REL-08 is an operations matter:
// docs/SECURITY.md.) SQLite, and PostgreSQL in the PostgreSQL pass.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'node-html-parser';
import { Browser, readForm } from '../support/browser.js';
import {
  addClient,
  createDeployment,
  introspect,
  issueGrant,
  post,
  refresh,
  REDIRECT,
  signedInBrowser,
  type Credentials,
  type Deployment,
} from './deployment.js';

/** The "Remove access" form of one app on the Connected apps page: its action and hidden fields. */
function removeAccessForm(html: string, clientId: string): { action: string; hidden: Record<string, string> } {
  const form = parse(html)
    .querySelectorAll('form')
    .find((f) => f.querySelector('input[name="client_id"]')?.getAttribute('value') === clientId);
  if (form === undefined) throw new Error(`no Remove access form for ${clientId}`);
  const hidden: Record<string, string> = {};
  for (const input of form.querySelectorAll('input[type="hidden"]')) hidden[input.getAttribute('name') ?? ''] = input.getAttribute('value') ?? '';
  return { action: form.getAttribute('action') ?? '', hidden };
}

describe('REL-08: revocation, withdrawn consent and logout survive kill -9', () => {
  let deployment: Deployment;
  beforeAll(async () => {
    deployment = await createDeployment();
  });
  afterAll(async () => deployment?.close());

  it('each change answered just before the crash still holds after the restart', { timeout: 60_000 }, async () => {
    let server = await deployment.start();
    const url = deployment.issuer;
    const other: Credentials = await addClient(deployment.env, ['--name', 'Other App', '--redirect-uri', REDIRECT, '--scope', 'openid offline_access']);
    const browser = await signedInBrowser(deployment);
    const untouched = await issueGrant(deployment, browser);
    const refreshRevoked = await issueGrant(deployment, browser);
    const accessRevoked = await issueGrant(deployment, browser);
    const removed = await issueGrant(deployment, browser, other);
    // A second browser of alice's, which signs out.
    const leaving = await signedInBrowser(deployment);
    const home = readForm((await leaving.get('/')).body, 'form[action="/logout"]');
    const cookiesBeforeSignOut = new Map(leaving.cookies);
    const apps = removeAccessForm((await browser.get('/account/apps')).body, other.clientId);

    // Four acknowledged changes, then the crash as soon as the last answer is in.
    const answers = await Promise.all([
      post(url, '/revoke', deployment.client, { token: refreshRevoked.refreshToken, token_type_hint: 'refresh_token' }),
      post(url, '/revoke', deployment.client, { token: accessRevoked.accessToken, token_type_hint: 'access_token' }),
      browser.post(apps.action, apps.hidden),
      leaving.post(home.action, home.hidden),
    ]);
    server.kill('SIGKILL');
    expect(answers.map((a) => a.status)).toEqual([200, 200, 303, 303]);
    expect(await server.exited).toBeNull();

    server = await deployment.start();
    try {
      // The refresh token's revocation ended its whole grant (D-3), access token included.
      expect(await introspect(url, deployment, refreshRevoked.refreshToken)).toEqual({ active: false });
      expect(await introspect(url, deployment, refreshRevoked.accessToken)).toEqual({ active: false });
      const reuse = await refresh(url, deployment, refreshRevoked.refreshToken);
      expect({ status: reuse.status, error: reuse.json.error }).toEqual({ status: 400, error: 'invalid_grant' });

      // The revoked access token stays on the revocation list; its refresh token was not touched.
      expect(await introspect(url, deployment, accessRevoked.accessToken)).toEqual({ active: false });
      expect((await introspect(url, deployment, accessRevoked.refreshToken)).active).toBe(true);

      // Removed access: the other app's tokens are dead and its consent is gone.
      expect(await introspect(url, deployment, removed.accessToken)).toEqual({ active: false });
      const removedRefresh = await refresh(url, deployment, removed.refreshToken, other);
      expect({ status: removedRefresh.status, error: removedRefresh.json.error }).toEqual({ status: 400, error: 'invalid_grant' });
      const listed = await browser.get('/account/apps');
      expect(listed.status).toBe(200);
      expect(listed.body).not.toContain('Other App');
      const again = await browser.get(`/authorize?response_type=code&client_id=${other.clientId}&redirect_uri=${encodeURIComponent(REDIRECT)}&scope=openid&code_challenge=${'B'.repeat(43)}&code_challenge_method=S256&prompt=none`);
      expect(new URL(again.location ?? '').searchParams.get('error')).toBe('consent_required');

      // The signed-out session stays signed out, even with the old cookie.
      const replayed = new Browser(url);
      for (const [name, value] of cookiesBeforeSignOut) replayed.cookies.set(name, value);
      const silent = await replayed.get(`/authorize?response_type=code&client_id=${deployment.client.clientId}&redirect_uri=${encodeURIComponent(REDIRECT)}&scope=openid&code_challenge=${'C'.repeat(43)}&code_challenge_method=S256&prompt=none`);
      expect(new URL(silent.location ?? '').searchParams.get('error')).toBe('login_required');

      // Nothing else went with them.
      expect((await introspect(url, deployment, untouched.accessToken)).active).toBe(true);
      expect((await refresh(url, deployment, untouched.refreshToken)).status).toBe(200);
    } finally {
      server.kill('SIGTERM');
      expect(await server.exited).toBe(0);
    }
  });
});
