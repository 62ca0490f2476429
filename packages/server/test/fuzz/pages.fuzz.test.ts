// Fuzzing the browser pages over real sockets: the login form (CONTRACTS.md "Pages"; SEC-52,
// SEC-53), the consent form (RFC 6749 §10.12; SEC-48, SEC-62 b) and sign-out (OpenID Connect
// RP-Initiated Logout §2, §3; SEC-54, SEC-57), each signed out, with a fresh session and a valid
// CSRF token, or signed in. Form posts carry hostile fields, duplicates, bad encodings, any body
// type and framing. An answer is an escaped HTML page, 4xx for a request that cannot succeed, or
// a 303 to a place the request may lead (a registered URI, the home page); never a 5xx, a hang
// or a stack trace. SECURITY-CATALOG SEC-64..SEC-68.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browser, readForm } from '../support/browser.js';
import { authorizeFlow, authorizeUrl, pkce } from '../support/oauth.js';
import { addClient } from '../support/server.js';
import { expectConnectionLevel, expectPage, expectSane, summary } from './answers.js';
import { envelope, fields, mostly, wireValue } from './arbitraries.js';
import { expectStillServing, FUZZ_TEST_TIMEOUT, fuzzOptions, send, startFuzzServer, whileWatchingHealth, type FuzzServer } from './harness.js';
import type { RawAnswer } from './raw-http.js';
import { bodyBytes, encodeValue, fill, type WireRequest } from './wire.js';

const C1_CB = 'https://c1.example/cb';
const BYE = 'https://c1.example/bye';

let f: FuzzServer;
let c1: string;
/** Alice signed in, having granted c1 `openid api.read`; and her session's CSRF token. */
let alice: { cookie: string; csrf: string; browser: Browser };
beforeAll(async () => {
  f = await startFuzzServer();
  c1 = (await addClient(f.server, { redirectUris: [C1_CB], postLogoutRedirectUris: [BYE] })).client.id;
  const browser = new Browser(f.server.url);
  await authorizeFlow(f.server, browser, { clientId: c1, redirectUri: C1_CB, scope: 'openid api.read', challenge: pkce().challenge });
  const csrf = readForm((await browser.get('/login')).body).hidden.csrf ?? '';
  alice = { cookie: cookieOf(browser), csrf, browser };
});
afterAll(async () => f.server.close());

function cookieOf(browser: Browser): string {
  return [...browser.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
}

/** A new anonymous session (GET /login sets it) and its CSRF token. */
async function freshSession(): Promise<{ cookie: string; csrf: string }> {
  const browser = new Browser(f.server.url);
  const csrf = readForm((await browser.get('/login')).body).hidden.csrf ?? '';
  return { cookie: cookieOf(browser), csrf };
}

/** A pending interaction of alice's for c1 that asks for consent again (OIDC Core §3.1.2.1 prompt=consent). */
async function pendingConsent(): Promise<string> {
  const page = await alice.browser.get(authorizeUrl(f.server, { clientId: c1, redirectUri: C1_CB, scope: 'openid api.read', state: 'S1', challenge: pkce().challenge, extra: { prompt: 'consent' } }));
  return new URL(page.location ?? '').searchParams.get('interaction') ?? '';
}

/** Login throttling (SEC-52) would answer every later attempt 429: each run starts it afresh. */
async function resetThrottle(): Promise<void> {
  await f.server.store.throttle.reset(['address:127.0.0.1', 'account:alice', 'account:bob']);
}

type Who = 'nobody' | 'fresh' | 'junk';
/** Mostly a fresh session with its CSRF token, so most posts get past the CSRF check (SEC-47). */
const who = fc.oneof({ weight: 4, arbitrary: fc.constant<Who>('fresh') }, { weight: 1, arbitrary: fc.constantFrom<Who>('nobody', 'junk') });
/** The cookie for `w`, and the CSRF token that goes with it (`none` for no session). */
async function sessionFor(w: Who): Promise<{ headers: [string, string][]; csrf: string }> {
  if (w === 'nobody') return { headers: [], csrf: 'none' };
  if (w === 'junk') return { headers: [['cookie', 'latchkey_session=%FF%00; latchkey_session=x; =;;']], csrf: 'none' };
  const s = await freshSession();
  return { headers: [['cookie', s.cookie]], csrf: s.csrf };
}

/** Values known only when the run starts (a session's CSRF token, an interaction id): placeholders until then. */
const CSRF = '{csrf}';
const INTERACTION = '{interaction}';
/** Connection-level JSON when Node refused the bytes; else a page, or a 303 that `allowed` accepts. */
function expectPageAnswer(a: RawAnswer, wire: WireRequest, statuses: readonly number[], allowed: (location: URL) => boolean = () => false): void {
  if (wire.connectionLevel && /^application\/json/.test(a.headers['content-type'] ?? '')) return expectConnectionLevel(a);
  if (a.status !== 303) return expectPage(a, statuses);
  expectSane(a);
  const location = new URL(a.headers.location ?? '', f.server.url);
  expect(allowed(location), summary(a)).toBe(true);
}

/** RFC 6749 §4.1.2, §4.1.2.1, RFC 9207: back to c1's registered URI with a code or an error, and iss. */
function toClient(location: URL): boolean {
  const p = location.searchParams;
  return `${location.origin}${location.pathname}` === C1_CB && p.get('iss') === f.server.url && p.has('code') !== p.has('error');
}

/** RP-Initiated Logout §3: the home page, or c1's registered post-logout URI with the state. */
function afterLogout(location: URL): boolean {
  return (location.origin === f.server.url && location.pathname === '/') || `${location.origin}${location.pathname}` === BYE;
}

describe('fuzz: the login, consent and sign-out pages', () => {
  it(
    'SEC-52 SEC-53 SEC-64 SEC-66: POST /login with any fields, session and body is a 4xx page, never a sign-in without the password',
    async () => {
      const login = fields({
        csrf: mostly(CSRF, 'forged'),
        username: mostly('alice', 'ALICE', 'bob', 'ａｌｉｃｅ', 'nobody', 'a'.repeat(300)),
        password: mostly('not-the-password', 'wonderland ', 'WONDERLAND', ''),
        return_to: mostly('/account', 'https://evil.example', '//evil.example'),
      }, { keep: 8, drop: 1, corrupt: 1 });
      await whileWatchingHealth(f, () =>
        fc.assert(
          fc.asyncProperty(who, login, envelope, async (w, body, env) => {
            await resetThrottle();
            const s = await sessionFor(w);
            const bytes = bodyBytes(env.shape, fill(body, { [CSRF]: s.csrf }));
            const { answer, wire } = await send(f, { method: 'POST', path: '/login', headers: s.headers, contentType: env.type, body: bytes, framing: env.framing });
            expectPageAnswer(answer, wire, [400, 401, 403, 413, 429]);
          }),
          fuzzOptions(120),
        ),
      );
    },
    FUZZ_TEST_TIMEOUT,
  );

  it(
    'SEC-48 SEC-62 SEC-64 SEC-66: POST /consent signed in, with a pending interaction and any fields and body, is a 4xx page or a redirect to the registered URI only',
    async () => {
      const consent = fields({
        csrf: mostly(CSRF, 'forged'),
        interaction: mostly(INTERACTION, 'nope', ''),
        decision: mostly('allow', 'deny', 'ALLOW', ''),
        scope: mostly('api.read', 'openid', 'api.admin', 'api.write'),
      }, { keep: 8, drop: 1, corrupt: 1 });
      await fc.assert(
        fc.asyncProperty(consent, envelope, fc.nat(4), async (body, env, signedOut) => {
          const interaction = await pendingConsent();
          const headers: [string, string][] = signedOut === 0 ? [] : [['cookie', alice.cookie]];
          const bytes = bodyBytes(env.shape, fill(body, { [CSRF]: alice.csrf, [INTERACTION]: interaction }));
          const { answer, wire } = await send(f, { method: 'POST', path: '/consent', headers, contentType: env.type, body: bytes, framing: env.framing });
          expectPageAnswer(answer, wire, [400, 403, 413], toClient);
        }),
        fuzzOptions(120),
      );
    },
    FUZZ_TEST_TIMEOUT,
  );

  it(
    'SEC-54 SEC-57 SEC-64 SEC-66: POST /logout with any fields, session and body is a 4xx page, or a 303 home or to the registered post-logout URI',
    async () => {
      // The CSRF token mostly right, so most posts reach the sign-out request's own checks.
      const csrf = fields({ csrf: mostly(CSRF, 'forged') }, { keep: 8, drop: 1, corrupt: 1 });
      const logout = fields(
        {
          client_id: mostly(c1, 'unknown-client'),
          post_logout_redirect_uri: mostly(BYE, 'https://evil.example/bye', `${BYE}/`),
          state: mostly('S1', 'a\r\nSet-Cookie: x=1'),
          id_token_hint: mostly('eyJhbGciOiJub25lIn0.eyJzdWIiOiJhbGljZSJ9.', 'x'),
        },
        { keep: 3, drop: 2, corrupt: 1 },
      );
      await fc.assert(
        fc.asyncProperty(who, fc.tuple(csrf, logout).map(([a, b]) => [...a, ...b]), envelope, async (w, body, env) => {
          const s = await sessionFor(w);
          const bytes = bodyBytes(env.shape, fill(body, { [CSRF]: s.csrf }));
          const { answer, wire } = await send(f, { method: 'POST', path: '/logout', headers: s.headers, contentType: env.type, body: bytes, framing: env.framing });
          expectPageAnswer(answer, wire, [400, 403, 413], afterLogout);
        }),
        fuzzOptions(120),
      );
    },
    FUZZ_TEST_TIMEOUT,
  );

  it(
    'SEC-64 SEC-66 SEC-68: GET /login, /consent and /logout with any query, cookie and Host is a page (200 or 4xx), escaped, or a 303 to the same path on the issuer',
    async () => {
      const query = fields({ interaction: mostly(INTERACTION, 'nope'), return_to: mostly('/account', '//evil.example'), client_id: mostly(c1, 'x'), post_logout_redirect_uri: mostly(BYE, 'https://evil.example/') }, { keep: 2, drop: 3, corrupt: 2 });
      // Cookie headers carry obs-text but no controls (RFC 6265 §4.2.1; RFC 9110 §5.5).
      const cookie = fc.oneof(
        fc.constantFrom<Who | 'alice'>('nobody', 'junk', 'alice'),
        wireValue.map((v) => `latchkey_session=${Buffer.from(encodeValue(v).filter((b) => b >= 0x20 && b !== 0x7f)).toString('latin1')}`),
      );
      const host = fc.oneof({ weight: 4, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.constantFrom('evil.example', '', '[::1', 'x:99999', 'a@b', '127.0.0.1') });
      await fc.assert(
        fc.asyncProperty(fc.constantFrom('/login', '/consent', '/logout'), query, cookie, host, fc.nat(7), async (path, q, c, h, raw) => {
          const headers: [string, string][] =
            c === 'alice' ? [['cookie', alice.cookie]] : c === 'nobody' || c === 'junk' || c === 'fresh' ? (await sessionFor(c)).headers : [['cookie', c]];
          const { answer, wire } = await send(f, { method: 'GET', path, query: fill(q, { [INTERACTION]: 'nope' }), rawQuery: raw === 0, headers, ...(h === undefined ? {} : { host: h }) });
          // Reached under another host name, a page first sends the browser to the issuer's (app.ts).
          expectPageAnswer(answer, wire, [200, 400, 403], (l) => h !== undefined && l.origin === f.server.url && l.pathname === path);
        }),
        fuzzOptions(150),
      );
    },
    FUZZ_TEST_TIMEOUT,
  );

  it('after the fuzz: /healthz is 200 and a full authorization code flow, refresh and userinfo work', async () => {
    // The fuzz failed many sign-ins from this address: the throttle (SEC-52) rightly holds.
    await resetThrottle();
    await expectStillServing(f);
  });
});
