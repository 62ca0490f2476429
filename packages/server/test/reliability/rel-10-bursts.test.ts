// REL-10 (SECURITY-CATALOG §13), scaled to CI: bursts of a few hundred concurrent requests at
// the token endpoint and the login form of the real `latchkey serve`. No 5xx other than a 503
// (load shed), the process keeps serving afterwards, its memory stays bounded (loosely: resident
// size well under a limit no leak of this size would stay under), and throttling answers 429
// before any expensive check: at most the threshold of login attempts in a burst reach the
// Argon2 password check, at most the threshold of wrong client secrets are evaluated (SEC-63, for
// the login form and the token endpoint). SQLite, and PostgreSQL in the PostgreSQL pass.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browser, readForm } from '../support/browser.js';
import {
  addClient,
  API_SCOPE,
  basic,
  createDeployment,
  issueGrant,
  residentMemory,
  settle,
  signedInBrowser,
  type Credentials,
  type Deployment,
  type Outcome,
  type ServeProcess,
} from './deployment.js';

/** Login failures per account and per client address before 429 (CONTRACTS.md: 5, at least 20). */
const ACCOUNT_THRESHOLD = 5;
const ADDRESS_THRESHOLD = 20;
/** Wrong client secrets before 429 (SEC-24: http/client-auth.ts). */
const CLIENT_SECRET_THRESHOLD = 10;
/** SEC-63: attempts evaluated in a burst may exceed the threshold by this much at most. */
const SLACK = 2;
const MiB = 1024 * 1024;

function statuses(outcomes: Outcome[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const o of outcomes) {
    const key = o.kind === 'answer' ? String(o.status) : 'closed';
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

function form(url: string, authorization: string | null, body: Record<string, string>): Promise<Outcome> {
  return settle(
    fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...(authorization === null ? {} : { authorization }) },
      body: new URLSearchParams(body).toString(),
    }),
  );
}

describe('REL-10: bursts at /token and /login', () => {
  let deployment: Deployment;
  let server: ServeProcess;
  beforeAll(async () => {
    deployment = await createDeployment();
    server = await deployment.start();
  });
  afterAll(async () => {
    server?.kill('SIGTERM');
    await server?.exited;
    await deployment?.close();
  });

  it('300 concurrent token requests and 300 login posts: no 5xx but 503, logins throttled before the hash, still serving, memory bounded', { timeout: 60_000 }, async () => {
    const url = deployment.issuer;
    // Warm up (keys loaded, one Argon2 hash done), then measure.
    const browser = await signedInBrowser(deployment);
    await issueGrant(deployment, browser);
    // Invented codes and refresh tokens come from a client of their own: the token endpoint
    // slows a client down that presents many unknown ones (SEC-24 b, c), which is not the point here.
    const guesser = await addClient(deployment.env, ['--name', 'Guesser', '--redirect-uri', 'https://guesser.example/cb', '--scope', 'openid offline_access']);
    const rssBefore = residentMemory(server.pid);

    const token: Promise<Outcome>[] = [];
    for (let i = 0; i < 100; i += 1) {
      token.push(form(`${url}/token`, basic(deployment.resourceServer), { grant_type: 'client_credentials', scope: API_SCOPE }));
      token.push(form(`${url}/token`, basic(guesser), { grant_type: 'authorization_code', code: randomBytes(32).toString('base64url'), redirect_uri: 'https://guesser.example/cb', code_verifier: randomBytes(32).toString('base64url') }));
      token.push(form(`${url}/token`, basic(guesser), { grant_type: 'refresh_token', refresh_token: randomBytes(32).toString('base64url') }));
    }
    const tokenOutcomes = await Promise.all(token);
    const tokenCounts = statuses(tokenOutcomes);
    expect(Object.keys(tokenCounts).filter((s) => !['200', '400', '429', '503'].includes(s)), JSON.stringify(tokenCounts)).toEqual([]);
    expect(tokenCounts['200'] ?? 0).toBeGreaterThan(0);

    // One login form (its session and CSRF token), posted 150 times at once with wrong passwords
    // for alice, then 150 times for 150 different unknown accounts (spraying).
    const attacker = new Browser(url);
    const login = readForm((await attacker.get('/login')).body);
    const cookie = [...attacker.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const post = (username: string) =>
      settle(
        fetch(`${url}${login.action}`, {
          method: 'POST',
          redirect: 'manual',
          headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
          body: new URLSearchParams({ ...login.hidden, username, password: `guess-${randomBytes(6).toString('hex')}` }).toString(),
        }),
      );
    const guessing = await Promise.all(Array.from({ length: 150 }, () => post('alice')));
    const guessCounts = statuses(guessing);
    expect(Object.keys(guessCounts).filter((s) => !['401', '429'].includes(s)), JSON.stringify(guessCounts)).toEqual([]);
    // 401 = the password was checked; 429 = refused before the check (CONTRACTS.md: not checked).
    expect(guessCounts['401'] ?? 0).toBeLessThanOrEqual(ACCOUNT_THRESHOLD + SLACK);
    const spraying = await Promise.all(Array.from({ length: 150 }, (_, i) => post(`user${i}`)));
    const sprayCounts = statuses(spraying);
    expect(Object.keys(sprayCounts).filter((s) => !['401', '429'].includes(s)), JSON.stringify(sprayCounts)).toEqual([]);
    expect((guessCounts['401'] ?? 0) + (sprayCounts['401'] ?? 0)).toBeLessThanOrEqual(ADDRESS_THRESHOLD + SLACK);
    const throttled = await fetch(`${url}${login.action}`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
      body: new URLSearchParams({ ...login.hidden, username: 'someone-else', password: 'x' }).toString(),
    });
    expect(throttled.status).toBe(429);
    expect(Number(throttled.headers.get('retry-after'))).toBeGreaterThan(0);

    // Still serving: health, and a whole new grant (alice's own session is not the attacker's).
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    expect((await fetch(`${url}/readyz`)).status).toBe(200);
    await issueGrant(deployment, browser);
    const rssAfter = residentMemory(server.pid);
    if (rssBefore !== null && rssAfter !== null) {
      expect(rssAfter).toBeLessThan(rssBefore + 256 * MiB);
      expect(rssAfter).toBeLessThan(768 * MiB);
    }
    expect(server.output()).not.toMatch(/"level":50/);
  });

  it('a burst of wrong client secrets is throttled like a sequence of them: at most the threshold is evaluated (SEC-63 at /token)', { timeout: 30_000 }, async () => {
    const url = deployment.issuer;
    const victim: Credentials = await addClient(deployment.env, ['--name', 'Victim', '--grant-type', 'client_credentials', '--scope', API_SCOPE]);
    const burst = await Promise.all(
      Array.from({ length: 60 }, () => form(`${url}/token`, basic({ clientId: victim.clientId, secret: randomBytes(32).toString('base64url') }), { grant_type: 'client_credentials' })),
    );
    const counts = statuses(burst);
    expect(Object.keys(counts).filter((s) => !['401', '429'].includes(s)), JSON.stringify(counts)).toEqual([]);
    // 401 = the secret was compared; 429 = refused before the comparison.
    expect(counts['401'] ?? 0, JSON.stringify(counts)).toBeLessThanOrEqual(CLIENT_SECRET_THRESHOLD + SLACK);
    // Once the burst is over the client is blocked, the right secret included.
    const right = await form(`${url}/token`, basic(victim), { grant_type: 'client_credentials' });
    expect(right.kind === 'answer' && right.status).toBe(429);
  });
});
