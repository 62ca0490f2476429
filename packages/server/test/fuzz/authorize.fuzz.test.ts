// Fuzzing the authorization endpoint (RFC 6749 §3.1, §4.1.1, §4.1.2.1; RFC 7636 §4.3; RFC 9207)
// over real sockets, by GET and by POST, signed out and signed in. An answer is an HTML error
// page (4xx) while the client or redirect URI is not trusted, else a 303 to the exactly
// registered redirect URI carrying `iss`, or to this server's own login or consent page; never a
// 5xx, a hang, a stack trace or a redirect anywhere else. SECURITY-CATALOG SEC-01, SEC-64..SEC-68.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browser } from '../support/browser.js';
import { authorizeFlow, pkce } from '../support/oauth.js';
import { addClient } from '../support/server.js';
import { expectConnectionLevel, expectPage, expectSane, summary } from './answers.js';
import { bodyShape, contentType, fields, framing, mostly, type Field } from './arbitraries.js';
import { expectStillServing, FUZZ_TEST_TIMEOUT, fuzzOptions, send, startFuzzServer, whileWatchingHealth, type FuzzServer } from './harness.js';
import type { RawAnswer } from './raw-http.js';
import { bodyBytes, type WireRequest } from './wire.js';

const C1_CB = 'https://c1.example/cb';
const P1_CB = 'https://p1.example/cb';
const REGISTERED = [C1_CB, P1_CB];
/** RFC 7636 Appendix B. */
const CHALLENGE = 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM';

let f: FuzzServer;
let c1: string;
let p1: string;
/** Alice's signed-in session cookie, with consent already given to c1 (so a code is possible). */
let aliceCookie: string;
beforeAll(async () => {
  f = await startFuzzServer();
  c1 = (await addClient(f.server, { redirectUris: [C1_CB] })).client.id;
  p1 = (await addClient(f.server, { redirectUris: [P1_CB], public: true })).client.id;
  const browser = new Browser(f.server.url);
  await authorizeFlow(f.server, browser, { clientId: c1, redirectUri: C1_CB, scope: 'openid api.read', challenge: pkce().challenge });
  aliceCookie = [...browser.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
});
afterAll(async () => f.server.close());

/**
 * A real-looking authorization request (RFC 6749 §4.1.1), mostly valid so the fuzz reaches the
 * checks after the client's, for `fields` to keep, drop or corrupt; other parameters (prompt,
 * max_age, request, ...) come from the hostile extras.
 */
function authorizeFields(): fc.Arbitrary<Field[]> {
  return fields(
    {
      response_type: mostly('code', 'token', 'code id_token', 'none'),
      client_id: mostly(c1, p1, 'unknown-client', `${c1} `),
      redirect_uri: mostly(C1_CB, P1_CB, 'https://evil.example/cb', `${C1_CB}/`, `${C1_CB}?x=1`, 'HTTPS://C1.EXAMPLE/cb', 'https://c1.example:443/cb'),
      scope: mostly('openid api.read', 'api.read', 'openid nosuch', 'api.admin', 'openid\napi.read'),
      state: mostly('S1', 'a\r\nLocation: https://evil.example', '<script>alert(1)</script>'),
      nonce: 'N1',
      code_challenge: mostly(CHALLENGE, 'short', `${CHALLENGE}=`),
      code_challenge_method: mostly('S256', 'plain', 's256'),
    },
    { keep: 20, drop: 1, corrupt: 1 },
  );
}

/** Signed out, signed in as alice, or a cookie that is nonsense. */
const cookie = fc.constantFrom<'none' | 'alice' | 'junk'>('none', 'alice', 'junk');
function cookieHeader(which: 'none' | 'alice' | 'junk'): [string, string][] {
  if (which === 'none') return [];
  return [['cookie', which === 'alice' ? aliceCookie : 'latchkey_session=%FF%00; latchkey_session=x; =;;']];
}

/**
 * RFC 6749 §3.1.2, §4.1.2.1, RFC 9700 §4.1 (SEC-01): a redirect goes only to a registered URI,
 * exactly as registered, with `iss` (RFC 9207 §2) and a code or an error; or to our own pages.
 */
function expectAuthorizationAnswer(a: RawAnswer, wire: WireRequest): void {
  if (wire.connectionLevel && /^application\/json/.test(a.headers['content-type'] ?? '')) return expectConnectionLevel(a);
  if (a.status !== 303) return expectPage(a, [400, 403, 413]);
  expectSane(a);
  const location = a.headers.location ?? '';
  const url = new URL(location, f.server.url);
  if (url.origin === f.server.url) {
    expect(['/login', '/consent'], summary(a)).toContain(url.pathname);
    return;
  }
  expect(REGISTERED, location).toContain(location.split('?')[0]);
  expect(url.searchParams.get('iss'), location).toBe(f.server.url);
  expect(url.searchParams.has('code') !== url.searchParams.has('error'), location).toBe(true);
  // SEC-66 (e): a state carrying CR LF comes back percent-encoded, never as a header break.
  expect(location).not.toMatch(/[\r\n]/);
}

describe('fuzz: /authorize (RFC 6749 §3.1, §4.1.1, §4.1.2.1)', () => {
  it(
    'SEC-01 SEC-64 SEC-66 SEC-68: GET with any query (duplicates, bad escapes, invalid UTF-8, NUL, raw bytes, long values) is an error page or a redirect to the registered URI only',
    async () => {
      await whileWatchingHealth(f, () =>
        fc.assert(
          // One request in eight carries raw bytes in its request line (0xFF, NUL, CR LF): Node's
          // parser refuses those before any route (answerClientError).
          fc.asyncProperty(authorizeFields(), cookie, fc.nat(7), async (query, who, raw) => {
            const { answer, wire } = await send(f, { method: 'GET', path: '/authorize', query, rawQuery: raw === 0, headers: cookieHeader(who) });
            expectAuthorizationAnswer(answer, wire);
          }),
          fuzzOptions(250),
        ),
      );
    },
    FUZZ_TEST_TIMEOUT,
  );

  it(
    'SEC-65(e) SEC-66(i): POST with any body type (form, JSON, multipart, none) and any framing is an error page, a connection-level invalid_request, or a redirect to the registered URI only',
    async () => {
      await fc.assert(
        fc.asyncProperty(authorizeFields(), cookie, contentType, bodyShape, framing, async (body, who, type, shape, frame) => {
          const { answer, wire } = await send(f, { method: 'POST', path: '/authorize', headers: cookieHeader(who), contentType: type, body: bodyBytes(shape, body), framing: frame });
          expectAuthorizationAnswer(answer, wire);
          // RFC 6749 §3.1: POST is form-encoded; anything else is refused outright (SEC-65 e).
          const isForm = (type ?? '').split(';')[0]?.trim().toLowerCase() === 'application/x-www-form-urlencoded';
          if (!isForm && !wire.connectionLevel) expect([400, 413], summary(answer)).toContain(answer.status);
        }),
        fuzzOptions(200),
      );
    },
    FUZZ_TEST_TIMEOUT,
  );

  it('SEC-67(b): a 1 MB query string is 431 invalid_request, refused before any route, quickly', async () => {
    const started = Date.now();
    const { answer } = await send(f, { method: 'GET', path: '/authorize', query: [[[{ raw: 'client_id' }], [{ raw: c1 }]], [[{ raw: 'state' }], [{ repeat: 'a', n: 1024 * 1024 }]]] });
    expectConnectionLevel(answer);
    expect(answer.status).toBe(431);
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('SEC-67(c): a 1 MB form posted to /authorize is a 413 error page', async () => {
    const body = Buffer.from(`client_id=${c1}&state=${'a'.repeat(1024 * 1024)}`);
    const { answer } = await send(f, { method: 'POST', path: '/authorize', contentType: 'application/x-www-form-urlencoded', body });
    expectPage(answer, [413]);
  });

  it('after the fuzz: /healthz is 200 and a full authorization code flow, refresh and userinfo work', async () => {
    await expectStillServing(f);
  });
});
