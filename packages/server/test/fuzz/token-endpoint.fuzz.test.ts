// Fuzzing the token endpoint (RFC 6749 §3.2, §4.1.3, §5.2, §6; RFC 7636 §4.5) over real
// sockets: duplicated, oversized, badly encoded and NUL-bearing parameters, any client
// authentication, any body type, honest and lying framing. Every answer is a 4xx JSON error from
// RFC 6749 §5.2's list; never a 5xx, a hang or a stack trace. SECURITY-CATALOG SEC-64..SEC-67.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestClient } from '../token/fixtures.js';
import { CB, freshCode, redeem } from '../token/fixtures.js';
import { expectJsonError, type OAuthErrorCode } from './answers.js';
import { bodyShape, contentType, fields, framing, mostly, oneOf, wireValue, type Field } from './arbitraries.js';
import { addFuzzClient, expectStillServing, FUZZ_TEST_TIMEOUT, fuzzOptions, send, startFuzzServer, whileWatchingHealth, type FuzzServer } from './harness.js';
import { bodyBytes, encodeValue, fill, formBytes } from './wire.js';

/** RFC 6749 §5.2: the errors a token endpoint may answer. */
const TOKEN_ERRORS: OAuthErrorCode[] = ['invalid_request', 'invalid_client', 'invalid_grant', 'unauthorized_client', 'unsupported_grant_type', 'invalid_scope'];
const FORM = 'application/x-www-form-urlencoded';

let f: FuzzServer;
/**
 * Confidential, authorization_code and refresh_token only: without a real code or refresh token
 * (only the real-grant property has them) no fuzzed request can earn a token.
 */
let c1: TestClient;
/** Its secret is only ever sent wrong, so its throttle (SEC-24) never slows c1's requests. */
let c2: TestClient;
let p1: TestClient;
beforeAll(async () => {
  f = await startFuzzServer();
  c1 = await addFuzzClient(f);
  c2 = await addFuzzClient(f);
  p1 = await addFuzzClient(f, { public: true });
});
afterAll(async () => f.server.close());

const basic = (id: string, secret: string): string => `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;

/** Hostile RFC 6749 §2.3.1 credentials: c2 with a wrong secret, Basic of any bytes, not Basic at all, twice. */
function hostileAuthorization(): fc.Arbitrary<[string, string][]> {
  return fc.oneof(
    wireValue.map((v): [string, string][] => [['authorization', basic(c2.id, encodeValue(v).toString('latin1'))]]),
    fc.tuple(wireValue, wireValue).map(([a, b]): [string, string][] => [['authorization', `Basic ${Buffer.concat([encodeValue(a), Buffer.from(':'), encodeValue(b)]).toString('base64')}`]]),
    fc.constantFrom('Basic', 'Basic ', 'Basic ====', 'Basic !!!', 'Bearer abc', 'basic YTpi', `Basic ${'QUFB'.repeat(1500)}`, 'Basic \xff\xfe').map((v): [string, string][] => [['authorization', v]]),
    fc.constant<[string, string][]>([['authorization', 'Basic YTpi'], ['authorization', 'Basic Yzpk']]),
  );
}

/** The grant parameters of a real-looking request, for `fields` to keep, drop or corrupt. */
function grantFields(): Record<string, string | fc.Arbitrary<string>> {
  return {
    grant_type: oneOf('authorization_code', 'authorization_code', 'refresh_token', 'refresh_token', 'client_credentials', 'password', 'urn:ietf:params:oauth:grant-type:device_code'),
    code: 'SplxlOBeZQQYbYS6WxSbIA-not-a-real-code-0000',
    redirect_uri: mostly(CB, 'https://evil.example/cb', `${CB}/`),
    code_verifier: mostly('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk', 'short', `${'a'.repeat(129)}`),
    refresh_token: 'tGzv3JOkF0XG5Qx2TlKWIA-not-a-real-token-0000',
    scope: mostly('openid api.read', 'api.admin', 'openid\napi.read', 'nosuch'),
    resource: mostly('https://api.example', 'not a uri', 'https://api.example#frag'),
  };
}

interface TokenRequest {
  headers: [string, string][];
  body: Field[];
}

/**
 * One way of authenticating (RFC 6749 §2.3.1 Basic or body, §2.1 public, none, or hostile),
 * then the grant parameters, so most requests get past client authentication to the grant.
 */
function tokenRequest(): fc.Arbitrary<TokenRequest> {
  const c1Basic: [string, string][] = [['authorization', basic(c1.id, c1.secret ?? '')]];
  return fc.oneof(
    { weight: 3, arbitrary: fields({ ...grantFields(), client_id: c1.id }).map((body) => ({ headers: c1Basic, body })) },
    { weight: 2, arbitrary: fields({ ...grantFields(), client_id: c1.id, client_secret: c1.secret ?? '' }).map((body) => ({ headers: [], body })) },
    { weight: 2, arbitrary: fields({ ...grantFields(), client_id: p1.id }).map((body) => ({ headers: [], body })) },
    { weight: 2, arbitrary: fc.tuple(hostileAuthorization(), fields({ ...grantFields(), client_id: oneOf(c1.id, c2.id, 'unknown-client') })).map(([headers, body]) => ({ headers, body })) },
  );
}

describe('fuzz: POST /token (RFC 6749 §3.2, §5.2)', () => {
  it(
    'SEC-64 SEC-66 SEC-68: any form body (duplicates, bad escapes, invalid UTF-8, NUL, long values) with any client authentication is a 4xx RFC 6749 §5.2 error',
    async () => {
      await whileWatchingHealth(f, () =>
        fc.assert(
          fc.asyncProperty(tokenRequest(), fc.constantFrom<'exact' | 'chunked'>('exact', 'chunked'), async ({ headers, body }, frame) => {
            const { answer } = await send(f, {
              method: 'POST',
              path: '/token',
              headers,
              contentType: FORM,
              body: formBytes(body),
              framing: frame === 'exact' ? { kind: 'exact' } : { kind: 'chunked', size: 7 },
            });
            expectJsonError(answer, TOKEN_ERRORS);
          }),
          fuzzOptions(250),
        ),
      );
    },
    FUZZ_TEST_TIMEOUT,
  );

  it(
    'SEC-65 SEC-66(i): any content type (JSON, multipart, none, garbage) and any framing (lying, negative, absurd Content-Length; bad chunks) is a 4xx JSON error',
    async () => {
      await fc.assert(
        fc.asyncProperty(tokenRequest(), contentType, bodyShape, framing, async ({ headers, body }, type, shape, frame) => {
          const { answer, wire } = await send(f, {
            method: 'POST',
            path: '/token',
            headers,
            contentType: type,
            body: bodyBytes(shape, body),
            framing: frame,
          });
          const json = expectJsonError(answer, TOKEN_ERRORS);
          // RFC 6749 §3.2, SEC-65 (a), (b): with honest framing, a body that is not a form is
          // invalid_request (400; 413 over the limit), whatever is in it.
          const isForm = (type ?? '').split(';')[0]?.trim().toLowerCase() === FORM;
          if (!isForm && !wire.connectionLevel) {
            expect(json.error).toBe('invalid_request');
            expect([400, 413]).toContain(answer.status);
          }
        }),
        fuzzOptions(250),
      );
    },
    FUZZ_TEST_TIMEOUT,
  );

  it(
    'SEC-64 SEC-66: a real code or refresh token sent with corrupted, duplicated or extra parameters is a 4xx §5.2 error, or tokens only when the real values went through',
    async () => {
      // Each run gets a fresh grant (alice is signed in and has consented: no login); the real
      // values replace placeholders in the generated fields.
      const codeRequest = fields(
        { grant_type: 'authorization_code', code: '{code}', redirect_uri: mostly(CB, `${CB}/`), code_verifier: mostly('{verifier}', 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk') },
        { keep: 6, drop: 1, corrupt: 1 },
      ).map((body) => ({ kind: 'code' as const, body }));
      const refreshRequest = fields({ grant_type: 'refresh_token', refresh_token: '{refresh}', scope: mostly('openid', 'api.admin', 'api.read api.write') }, { keep: 6, drop: 1, corrupt: 1 }).map((body) => ({
        kind: 'refresh' as const,
        body,
      }));
      await fc.assert(
        fc.asyncProperty(fc.oneof(codeRequest, refreshRequest), async ({ kind, body }) => {
          // Corrupted client_secret values earlier count against c1 (SEC-24): start afresh.
          await f.server.store.throttle.reset([`client:${c1.id}`]);
          const { code, verifier } = await freshCode(f.server, c1);
          const refreshToken = kind === 'refresh' ? String((await redeem(f.server, c1, code, verifier)).json.refresh_token) : '';
          const bytes = formBytes(fill(body, { '{code}': code, '{verifier}': verifier, '{refresh}': refreshToken }));
          const { answer } = await send(f, { method: 'POST', path: '/token', headers: [['authorization', basic(c1.id, c1.secret ?? '')]], contentType: FORM, body: bytes });
          if (answer.status === 200) {
            // RFC 6749 §5.1: tokens, and only when the real code and verifier, or refresh token, went through.
            const sent = bytes.toString('latin1');
            expect(sent).toContain(kind === 'code' ? code : refreshToken);
            if (kind === 'code') expect(sent).toContain(verifier);
            expect(JSON.parse(answer.body)).toMatchObject({ token_type: 'Bearer' });
            return;
          }
          expectJsonError(answer, TOKEN_ERRORS);
        }),
        fuzzOptions(60),
      );
    },
    FUZZ_TEST_TIMEOUT,
  );

  it(
    'SEC-67(c): a body over the 64 KiB limit (one 1 MB parameter, long chunked body, 20,000 fields, absurd Content-Length) is 413 invalid_request',
    async () => {
      const oversized = fc.oneof(
        fc.integer({ min: 64 * 1024 + 1, max: 1024 * 1024 }).map((n) => ({ body: Buffer.from(`grant_type=refresh_token&refresh_token=${'a'.repeat(n)}`), chunk: 0 })),
        fc.integer({ min: 64 * 1024 + 1, max: 512 * 1024 }).chain((n) => fc.integer({ min: 512, max: 65536 }).map((chunk) => ({ body: Buffer.alloc(n, 'a'), chunk }))),
        fc.integer({ min: 10_000, max: 20_000 }).map((n) => ({ body: Buffer.from(Array.from({ length: n }, (_, i) => `f${i}=${i}`).join('&')), chunk: 0 })),
      );
      await fc.assert(
        fc.asyncProperty(oversized, async ({ body, chunk }) => {
          const { answer } = await send(f, {
            method: 'POST',
            path: '/token',
            headers: [['authorization', basic(c1.id, c1.secret ?? '')]],
            contentType: FORM,
            body,
            framing: chunk === 0 ? { kind: 'exact' } : { kind: 'chunked', size: chunk },
          });
          expectJsonError(answer, ['invalid_request']);
          expect(answer.status).toBe(413);
        }),
        fuzzOptions(40),
      );
      const { answer } = await send(f, { method: 'POST', path: '/token', contentType: FORM, body: Buffer.from('grant_type=x'), framing: { kind: 'absurd-length' } });
      expectJsonError(answer, ['invalid_request']);
      expect(answer.status).toBe(413);
    },
    FUZZ_TEST_TIMEOUT,
  );

  it('after the fuzz: /healthz is 200 and a full authorization code flow, refresh and userinfo work', async () => {
    await expectStillServing(f);
  });
});
