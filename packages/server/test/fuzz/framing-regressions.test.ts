// The exact inputs the fuzz suite found answered outside the OAuth vocabulary, kept as examples
// (issue 6). Before the fix, Fastify's default clientErrorHandler answered the requests Node's
// HTTP parser refuses with `{"error":"Bad Request","message":"Client Error","statusCode":400}`
// (or "Request Header Fields Too Large", 431), and a path with a bad escape with
// `{"error":"Bad Request","code":"FST_ERR_BAD_URL","message":"'/token%' is not a valid url
// component"}`: a framework banner echoing the input, not RFC 6749 §5.2. Now both are
// `invalid_request` JSON (http/error-handler.ts answerClientError, app.ts frameworkErrors).
// SECURITY-CATALOG SEC-66 (i), SEC-67 (b); RFC 9112 §6.3 (a message whose length cannot be
// determined is an error, and the connection is closed).
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectConnectionLevel, expectJsonError } from './answers.js';
import { expectStillServing, startFuzzServer, type FuzzServer } from './harness.js';
import { sendRaw } from './raw-http.js';

let f: FuzzServer;
beforeAll(async () => {
  f = await startFuzzServer();
});
afterAll(async () => f.server.close());

const FORM = 'content-type: application/x-www-form-urlencoded\r\n';
const head = (line: string, headers = ''): string => `${line}\r\nhost: ${f.host}\r\nconnection: close\r\n${headers}\r\n`;

/** Each input exactly as sent, and the status it now gets. */
const cases: { name: string; bytes: () => Buffer; status: number; fin?: boolean }[] = [
  { name: 'Content-Length longer than the body, then FIN', bytes: () => Buffer.from(`${head('POST /token HTTP/1.1', `${FORM}content-length: 100\r\n`)}a=b`), status: 400, fin: true },
  { name: 'a negative Content-Length', bytes: () => Buffer.from(`${head('POST /token HTTP/1.1', `${FORM}content-length: -1\r\n`)}a=b`), status: 400 },
  { name: 'a non-numeric Content-Length', bytes: () => Buffer.from(`${head('POST /revoke HTTP/1.1', `${FORM}content-length: abc\r\n`)}a=b`), status: 400 },
  { name: 'two different Content-Lengths', bytes: () => Buffer.from(`${head('POST /introspect HTTP/1.1', `${FORM}content-length: 3\r\ncontent-length: 4\r\n`)}a=b`), status: 400 },
  { name: 'Content-Length with Transfer-Encoding: chunked', bytes: () => Buffer.from(`${head('POST /token HTTP/1.1', `${FORM}content-length: 3\r\ntransfer-encoding: chunked\r\n`)}3\r\na=b\r\n0\r\n\r\n`), status: 400 },
  { name: 'a chunk size that is not hex', bytes: () => Buffer.from(`${head('POST /login HTTP/1.1', `${FORM}transfer-encoding: chunked\r\n`)}zz\r\nabc\r\n0\r\n\r\n`), status: 400 },
  { name: 'Transfer-Encoding: gzip (not chunked last)', bytes: () => Buffer.from(`${head('POST /token HTTP/1.1', `${FORM}transfer-encoding: gzip\r\n`)}a=b`), status: 400 },
  { name: 'a raw 0xFF byte in the request line', bytes: () => Buffer.concat([Buffer.from('GET /authorize?client_id='), Buffer.from([0xff, 0xfe]), Buffer.from(head(' HTTP/1.1'))]), status: 400 },
  { name: 'a raw NUL in the request line', bytes: () => Buffer.concat([Buffer.from('GET /userinfo?x='), Buffer.from([0x00]), Buffer.from(head(' HTTP/1.1'))]), status: 400 },
  { name: 'an unknown method', bytes: () => Buffer.from(head('FOO /token HTTP/1.1')), status: 400 },
  { name: 'an HTTP/2 preface on an HTTP/1.1 port', bytes: () => Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'), status: 400 },
  { name: 'a 1 MB query string (SEC-67 b)', bytes: () => Buffer.from(head(`GET /authorize?state=${'a'.repeat(1024 * 1024)} HTTP/1.1`)), status: 431 },
  { name: '3,000 headers', bytes: () => Buffer.from(head('GET /token HTTP/1.1', Array.from({ length: 3000 }, (_, i) => `x-${i}: a\r\n`).join(''))), status: 431 },
];

describe('regressions: requests refused before any route answer invalid_request (SEC-66 i)', () => {
  for (const c of cases) {
    it(`${c.name} is ${c.status} invalid_request JSON, not a framework banner`, async () => {
      const answer = await sendRaw(f.port, c.bytes(), { timeoutMs: 5_000, endAfterWrite: c.fin === true });
      expectConnectionLevel(answer);
      expect(answer.status).toBe(c.status);
      expect(answer.body).not.toMatch(/Client Error|Bad Request|statusCode/);
    });
  }

  for (const path of ['/token%', '/authorize%FF', '/login%C3%28', '/userinfo%G1', 'http:///login', 'http://127.0.0.1:99999/login', 'ftp://x/token']) {
    it(`a bad request target, GET ${path}, is 400 invalid_request without echoing it (was FST_ERR_BAD_URL)`, async () => {
      const answer = await sendRaw(f.port, Buffer.from(head(`GET ${path} HTTP/1.1`)));
      const json = expectJsonError(answer, ['invalid_request']);
      expect(answer.status).toBe(400);
      expect(json.error_description).toBe('the request target is not a valid path: malformed URL or percent-encoding');
    });
  }
});

describe('documented, not changed', () => {
  it('a Content-Length longer than the body, without FIN, is not answered until the body arrives; other clients are served meanwhile', async () => {
    // RFC 9112 §6.3: the server cannot know the body has ended. Fastify's requestTimeout is 0
    // (no limit), so such a connection is held until the client closes it (see the report:
    // setting `requestTimeout` would answer 408 invalid_request through answerClientError).
    const held: Socket[] = await Promise.all(
      Array.from({ length: 20 }, () =>
        new Promise<Socket>((resolve) => {
          const socket = connect({ host: '127.0.0.1', port: f.port }, () => {
            socket.write(`${head('POST /token HTTP/1.1', `${FORM}content-length: 100\r\n`)}a=b`);
            resolve(socket);
          });
          socket.on('error', () => undefined);
        }),
      ),
    );
    try {
      const health = await sendRaw(f.port, Buffer.from(head('GET /healthz HTTP/1.1')), { timeoutMs: 2_000 });
      expect(health.status).toBe(200);
      await expectStillServing(f);
    } finally {
      for (const socket of held) socket.destroy();
    }
  });

  it('an Expect header other than 100-continue is 417 with an empty body, from Node itself (RFC 9110 §10.1.1)', async () => {
    const answer = await sendRaw(f.port, Buffer.from(`${head('POST /token HTTP/1.1', `${FORM}expect: nonsense\r\ncontent-length: 3\r\n`)}a=b`));
    expect(answer.status).toBe(417);
  });

  it('an HTTP/1.1 request without Host is 400 with an empty body, from Node itself (RFC 9112 §3.2)', async () => {
    const answer = await sendRaw(f.port, Buffer.from('GET /token HTTP/1.1\r\nconnection: close\r\n\r\n'));
    expect(answer.status).toBe(400);
  });
});
