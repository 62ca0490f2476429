// REL-01 (SECURITY-CATALOG §13), scaled to CI: restart under load, graceful and hard. The real
// `latchkey serve` is stopped with SIGTERM while a mixed load is in flight (every request ends
// with an answer that is not a 500, a 503, or a closed connection; readiness drops; the process
// drains and exits 0), then killed with SIGKILL under load. After each restart on the same data,
// every token issued before introspects exactly as before, and a code issued before the crash is
// still single use. Runs on SQLite, and on PostgreSQL in the PostgreSQL pass.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from '../support/browser.js';
import {
  API_SCOPE,
  basic,
  createDeployment,
  familiesWithTwoActiveTokens,
  freshCode,
  introspect,
  issueGrant,
  redeem,
  refresh,
  settle,
  signedInBrowser,
  type Deployment,
  type Outcome,
  type ServeProcess,
  type Tokens,
} from './deployment.js';

const GRANTS = 12;

/** What the load sends: reads, token issuance, code issuance and refresh-token rotation. */
function load(deployment: Deployment, browser: Browser, spare: Tokens[]): Promise<Outcome>[] {
  const url = deployment.issuer;
  const form = (endpoint: string, authorization: string, body: Record<string, string>) =>
    settle(fetch(`${url}${endpoint}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', authorization }, body: new URLSearchParams(body).toString() }));
  const cookie = [...browser.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  const requests: Promise<Outcome>[] = [];
  for (let i = 0; i < 10; i += 1) {
    requests.push(form('/token', basic(deployment.resourceServer), { grant_type: 'client_credentials', scope: API_SCOPE }));
    requests.push(settle(fetch(`${url}/.well-known/oauth-authorization-server`)));
    requests.push(settle(fetch(`${url}/jwks`)));
    requests.push(
      settle(
        fetch(`${url}/authorize?response_type=code&client_id=${deployment.client.clientId}&redirect_uri=${encodeURIComponent('https://mine.example/cb')}&scope=openid&code_challenge=${'A'.repeat(43)}&code_challenge_method=S256`, {
          headers: { cookie },
          redirect: 'manual',
        }),
      ),
    );
  }
  for (const tokens of spare) {
    requests.push(form('/token', basic(deployment.client), { grant_type: 'refresh_token', refresh_token: tokens.refreshToken }));
    requests.push(form('/introspect', basic(deployment.resourceServer), { token: tokens.accessToken }));
    requests.push(settle(fetch(`${url}/userinfo`, { headers: { authorization: `Bearer ${tokens.accessToken}` } })));
  }
  return requests;
}

/** REL-01: in-flight requests end with an answer other than 5xx, a 503, or a closed connection. */
function expectNoServerErrors(outcomes: Outcome[]): void {
  const bad = outcomes.filter((o) => o.kind === 'answer' && o.status >= 500 && o.status !== 503);
  expect(bad).toEqual([]);
  for (const o of outcomes) {
    if (o.kind === 'answer') expect(o.text).not.toMatch(/\bat .+:\d+:\d+|node_modules|SQLITE_|\/tmp\//);
  }
}

/** Starts the load and sends `signal` once the server has answered at least one request of it. */
async function signalUnderLoad(server: ServeProcess, requests: Promise<Outcome>[], signal: NodeJS.Signals): Promise<Outcome[]> {
  await Promise.race(requests);
  server.kill(signal);
  return Promise.all(requests);
}

async function snapshot(deployment: Deployment, grants: readonly Tokens[]): Promise<Record<string, unknown>[]> {
  const all: Record<string, unknown>[] = [];
  for (const g of grants) {
    all.push(await introspect(deployment.issuer, deployment, g.accessToken));
    all.push(await introspect(deployment.issuer, deployment, g.refreshToken));
  }
  return all;
}

describe('REL-01: restart under load, graceful (SIGTERM) and hard (SIGKILL)', () => {
  let deployment: Deployment;
  let browser: Browser;
  const grants: Tokens[] = [];
  let before: Record<string, unknown>[] = [];
  /** Issued by the first process and never redeemed until after the graceful restart. */
  let pendingCode: { code: string; verifier: string };

  beforeAll(async () => {
    // Codes live 10 minutes here, so the ones issued before a restart are still valid after it.
    deployment = await createDeployment({ settings: { LATCHKEY_CODE_TTL: '600' } });
  });
  afterAll(async () => deployment?.close());

  it('SIGTERM under load: readiness drops, in-flight requests end without a 500, and it drains and exits 0', { timeout: 60_000 }, async () => {
    const server = await deployment.start();
    browser = await signedInBrowser(deployment);
    for (let i = 0; i < GRANTS; i += 1) grants.push(await issueGrant(deployment, browser));
    before = await snapshot(deployment, grants);
    expect(before.every((r) => r.active === true)).toBe(true);
    pendingCode = await freshCode(deployment, browser);
    const spare: Tokens[] = [];
    for (let i = 0; i < 6; i += 1) spare.push(await issueGrant(deployment, browser));

    const outcomes = await signalUnderLoad(server, load(deployment, browser, spare), 'SIGTERM');
    expectNoServerErrors(outcomes);
    // Some requests were served before the signal; nothing half-answered.
    expect(outcomes.some((o) => o.kind === 'answer' && o.status === 200)).toBe(true);

    // Once the process says it is stopping, readiness is gone: refused, or 503, never 200.
    for (let i = 0; i < 100 && !server.output().includes('stopping: finishing in-flight requests'); i += 1) await new Promise((r) => setTimeout(r, 20));
    const ready = await settle(fetch(`${deployment.issuer}/readyz`));
    expect(ready.kind === 'closed' || ready.status === 503, JSON.stringify(ready)).toBe(true);
    expect(await server.exited).toBe(0);
    expect(server.output()).not.toMatch(/"level":50|unexpected error/);
  });

  it('after the graceful restart every token issued before introspects exactly as before, and an old code redeems once', { timeout: 60_000 }, async () => {
    const server = await deployment.start();
    try {
      expect(await snapshot(deployment, grants)).toEqual(before);
      const first = await redeem(deployment.issuer, deployment, pendingCode.code, pendingCode.verifier);
      expect(first.status, first.text).toBe(200);
      const again = await redeem(deployment.issuer, deployment, pendingCode.code, pendingCode.verifier);
      expect({ status: again.status, error: again.json.error }).toEqual({ status: 400, error: 'invalid_grant' });
    } finally {
      server.kill('SIGTERM');
      expect(await server.exited).toBe(0);
    }
  });

  it('SIGKILL under load, then restart: nothing issued is lost, rotation stays single, and a code issued before the crash is single use', { timeout: 60_000 }, async () => {
    let server = await deployment.start();
    const more: Tokens[] = [];
    for (let i = 0; i < 4; i += 1) more.push(await issueGrant(deployment, browser));
    const beforeCrash = await snapshot(deployment, [...grants, ...more]);
    const codes = [await freshCode(deployment, browser), await freshCode(deployment, browser)];
    const spare: Tokens[] = [];
    for (let i = 0; i < 6; i += 1) spare.push(await issueGrant(deployment, browser));

    const outcomes = await signalUnderLoad(server, load(deployment, browser, spare), 'SIGKILL');
    expectNoServerErrors(outcomes);
    expect(await server.exited).toBeNull();

    const db = deployment.openDatabase();
    try {
      expect(await familiesWithTwoActiveTokens(db, Math.floor(Date.now() / 1000))).toEqual([]);
    } finally {
      await db.destroy();
    }

    server = await deployment.start();
    try {
      expect(await snapshot(deployment, [...grants, ...more])).toEqual(beforeCrash);
      for (const { code, verifier } of codes) {
        const first = await redeem(deployment.issuer, deployment, code, verifier);
        expect(first.status, first.text).toBe(200);
        const again = await redeem(deployment.issuer, deployment, code, verifier);
        expect({ status: again.status, error: again.json.error }).toEqual({ status: 400, error: 'invalid_grant' });
      }
      // The refresh tokens issued before the crash still rotate.
      const rotated = await refresh(deployment.issuer, deployment, more[0]?.refreshToken ?? '');
      expect(rotated.status, rotated.text).toBe(200);
    } finally {
      server.kill('SIGTERM');
      expect(await server.exited).toBe(0);
    }
  });
});
