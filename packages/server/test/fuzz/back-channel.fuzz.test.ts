// Fuzzing the other JSON endpoints over real sockets: revocation (RFC 7009 §2.1, §2.2.1),
// introspection (RFC 7662 §2.1-§2.3) and UserInfo (OpenID Connect Core §5.3, protected per RFC
// 6750 §2, §3). Hostile tokens (forged JWT headers, real tokens altered, bytes that are not a
// token), hostile client credentials, duplicates, bad encodings, any body type and framing. An
// answer is a JSON error from the RFCs' lists, or the success the RFC prescribes for a client
// that authenticated; never a 5xx, a hang or a stack trace. SECURITY-CATALOG SEC-64..SEC-67.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basic, newClient, tokensFor, type TestClient } from '../token/fixtures.js';
import { expectJsonError, expectSane, isBareChallenge, summary } from './answers.js';
import { contentType, envelope, fields, mostly, oneOf, wireValue, type Field } from './arbitraries.js';
import { expectStillServing, FUZZ_TEST_TIMEOUT, fuzzOptions, send, startFuzzServer, whileWatchingHealth, type FuzzServer } from './harness.js';
import { bodyBytes, encodeValue } from './wire.js';

let f: FuzzServer;
let c1: TestClient;
/** Only ever sent wrong secrets, so its throttle (SEC-24) never slows c1's requests. */
let c2: TestClient;
let p1: TestClient;
/** Real tokens: c1's own, and c3's (another client's, D-2). */
let real: { c1Access: string; c1Refresh: string; c3Access: string; c3Refresh: string };
beforeAll(async () => {
  f = await startFuzzServer();
  c1 = await newClient(f.server);
  // A corrupted client_secret for c1 counts against its throttle (SEC-24); each run starts it
  // afresh, so c1's requests keep reaching the endpoint.
  c2 = await newClient(f.server);
  p1 = await newClient(f.server, { public: true });
  const c3 = await newClient(f.server);
  const mine = await tokensFor(f.server, c1, { scope: 'openid profile offline_access api.read' });
  const theirs = await tokensFor(f.server, c3, { scope: 'openid offline_access api.read' });
  real = { c1Access: mine.accessToken, c1Refresh: mine.refreshToken, c3Access: theirs.accessToken, c3Refresh: theirs.refreshToken };
});
afterAll(async () => f.server.close());

const b64 = (text: string): string => Buffer.from(text, 'latin1').toString('base64url');

/** JWTs this server never signed (RFC 8725 §2: alg none, HMAC, unknown kid, crit, jku), and altered real ones. */
function forgedToken(): fc.Arbitrary<string> {
  const header = oneOf('{"alg":"none"}', '{"alg":"HS256","typ":"at+jwt"}', '{"alg":"ES256","kid":"nope","typ":"at+jwt"}', '{"alg":"ES256","kid":{"a":1}}', '{"alg":"RS256","crit":["exp"]}', '{"alg":"ES256","jku":"https://evil.example/jwks"}', '\xff\xfe', '[]', 'null', '{"alg":"ES256"');
  const payload = oneOf('{}', '{"sub":"alice","client_id":"x","scope":"openid","jti":"j","exp":9999999999,"iat":1}', '{"exp":"soon"}', '[1]', '\x00');
  return fc.oneof(
    fc.tuple(header, payload, fc.string({ unit: 'binary-ascii', maxLength: 20 })).map(([h, p, s]) => `${b64(h)}.${b64(p)}.${b64(s)}`),
    // The payload changed under a real signature: the signature no longer matches.
    fc.constantFrom<keyof typeof real>('c1Access', 'c3Access').map((k) => real[k].replace(/\.(.)/, (_m, c: string) => `.${c === 'e' ? 'f' : 'e'}`)),
    fc.constantFrom<keyof typeof real>('c1Access', 'c1Refresh').map((k) => `${real[k]}x`),
  );
}

/** The `token` parameter of RFC 7009 §2.1 and RFC 7662 §2.1. */
function tokenParameter(): fc.Arbitrary<string> {
  return fc.oneof(forgedToken(), fc.constantFrom<keyof typeof real>('c1Access', 'c1Refresh', 'c3Access', 'c3Refresh').map((k) => real[k]), fc.string({ maxLength: 50 }));
}

type Auth = 'c1-basic' | 'c1-post' | 'p1' | 'hostile' | 'none';
interface ClientRequest {
  auth: Auth;
  headers: [string, string][];
  body: Field[];
}

/** RFC 6749 §2.3.1 and §2.1: how the calling client authenticates, then the request's fields. */
function clientRequest(): fc.Arbitrary<ClientRequest> {
  const base = (): Record<string, string | fc.Arbitrary<string>> => ({ token: tokenParameter(), token_type_hint: mostly('refresh_token', 'access_token', 'id_token', 'x') });
  return fc.oneof(
    { weight: 3, arbitrary: fields(base()).map((body): ClientRequest => ({ auth: 'c1-basic', headers: [['authorization', basic(c1.id, c1.secret ?? '')]], body })) },
    { weight: 2, arbitrary: fields({ ...base(), client_id: c1.id, client_secret: c1.secret ?? '' }).map((body): ClientRequest => ({ auth: 'c1-post', headers: [], body })) },
    { weight: 1, arbitrary: fields({ ...base(), client_id: p1.id }).map((body): ClientRequest => ({ auth: 'p1', headers: [], body })) },
    {
      weight: 2,
      arbitrary: fc.tuple(wireValue, fields(base())).map(([v, body]): ClientRequest => ({ auth: 'hostile', headers: [['authorization', basic(c2.id, encodeValue(v).toString('latin1'))]], body })),
    },
    { weight: 1, arbitrary: fields(base()).map((body): ClientRequest => ({ auth: 'none', headers: [], body })) },
  );
}

/**
 * Success is possible only for a client that identified itself, with the form asked for: c1 at
 * both endpoints, and the public p1 at /revoke (RFC 7009 §2.1), never at /introspect (§2.1).
 */
function mayHaveSucceeded(path: '/revoke' | '/introspect', r: ClientRequest, type: string | null): boolean {
  const form = (type ?? '').split(';')[0]?.trim().toLowerCase() === 'application/x-www-form-urlencoded';
  return form && (r.auth === 'c1-basic' || r.auth === 'c1-post' || (r.auth === 'p1' && path === '/revoke'));
}

const REVOKE_ERRORS = ['invalid_request', 'invalid_client', 'unsupported_token_type'] as const;
const INTROSPECT_ERRORS = ['invalid_request', 'invalid_client'] as const;

describe('fuzz: /revoke and /introspect (RFC 7009, RFC 7662)', () => {
  for (const path of ['/revoke', '/introspect'] as const) {
    it(
      `SEC-64 SEC-65 SEC-66 SEC-67: POST ${path} with any token, client authentication, body type and framing is a JSON error, or the RFC's answer to an authenticated client`,
      async () => {
        await fc.assert(
          fc.asyncProperty(clientRequest(), envelope, async (r, { type, shape, framing }) => {
            await f.server.store.throttle.reset([`client:${c1.id}`]);
            const { answer } = await send(f, { method: 'POST', path, headers: r.headers, contentType: type, body: bodyBytes(shape, r.body), framing });
            if (answer.status !== 200) {
              expectJsonError(answer, path === '/revoke' ? REVOKE_ERRORS : INTROSPECT_ERRORS);
              return;
            }
            expectSane(answer);
            expect(mayHaveSucceeded(path, r, type), `${summary(answer)} for ${r.auth}`).toBe(true);
            if (path === '/revoke') {
              // RFC 7009 §2.2: 200 whether or not the token was known, with nothing to read.
              expect(answer.body).toBe('');
            } else {
              // RFC 7662 §2.2: `active`; an inactive token says nothing more.
              const json = JSON.parse(answer.body) as Record<string, unknown>;
              expect(typeof json.active).toBe('boolean');
              if (json.active === false) expect(json).toEqual({ active: false });
            }
          }),
          fuzzOptions(200),
        );
      },
      FUZZ_TEST_TIMEOUT,
    );
  }
});

describe('fuzz: /userinfo (OpenID Connect Core §5.3; RFC 6750 §2, §3)', () => {
  /** RFC 6750 §2.1-§2.3: the header, the form body, the query; right, wrong, and several at once. */
  const bearerRequest = fc.record({
    method: fc.constantFrom('GET', 'POST'),
    header: fc.option(
      fc.oneof(
        forgedToken().map((t) => `Bearer ${t}`),
        fc.constantFrom('Bearer', 'Bearer ', 'bearer  x', 'Basic YTpi', `Bearer ${'a'.repeat(9000)}`, 'Bearer a b', 'Bearer \xff', 'Bearer ==='),
        wireValue.map((v) => `Bearer ${encodeValue(v).toString('latin1').replace(/[\r\n\0]/g, '')}`),
      ),
    ),
    body: fields({ access_token: forgedToken() }, { keep: 3, drop: 3, corrupt: 1 }),
    // Mostly no query: a token there too is two ways at once, an invalid_request every time.
    query: fc.oneof({ weight: 4, arbitrary: fc.constant<Field[]>([]) }, { weight: 1, arbitrary: fields({ access_token: forgedToken() }) }),
    type: contentType,
  });

  it(
    'SEC-66 SEC-67: any bearer token in any place is 401 invalid_token, 400 invalid_request, 403 insufficient_scope, or a bare 401 challenge; never userinfo',
    async () => {
      await whileWatchingHealth(f, () =>
        fc.assert(
          fc.asyncProperty(bearerRequest, async (r) => {
            const headers: [string, string][] = r.header === null ? [] : [['authorization', r.header]];
            const { answer } = await send(f, {
              method: r.method,
              path: '/userinfo',
              query: r.query,
              headers,
              ...(r.method === 'POST' ? { contentType: r.type, body: bodyBytes('form', r.body) } : {}),
            });
            // RFC 6750 §3.1: a request with no token at all gets the challenge and no error code.
            if (isBareChallenge(answer)) return expectSane(answer);
            expectJsonError(answer, ['invalid_request', 'invalid_token', 'insufficient_scope']);
            if (answer.status === 401) expect(answer.headers['www-authenticate'], summary(answer)).toMatch(/^Bearer realm="[^"]*", error="invalid_token"/);
          }),
          fuzzOptions(250),
        ),
      );
    },
    FUZZ_TEST_TIMEOUT,
  );

  it('after the fuzz: /healthz is 200 and a full authorization code flow, refresh and userinfo work', async () => {
    await expectStillServing(f);
  });
});
