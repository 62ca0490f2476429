// The signing limit: a bare node:http server that answers every POST with a token response
// carrying one freshly signed ES256 JWT (es256-token.js). No client authentication, no database,
// no routing, no body parsing: what is left is the HTTP round trip, the body read and one ECDSA
// P-256 signature, which an authorization server cannot do without. Env: BENCH_PORT. Prints one
// JSON line {"url": ...} when ready.
//
// With BENCH_SIGN=pool it signs on libuv's thread pool (node:crypto's sign with a callback), as
// Latchkey does, so the event loop goes on with other requests meanwhile: the limit for a server
// that signs there, on a machine with a core to spare. Its helper threads get the priority
// `latchkey serve` gives its own (LATCHKEY_HELPER_NICE, default 10; cli/helper-threads.ts), so it
// stays the ceiling for a server that signs on the pool.
//
// With BENCH_ANSWER=fixed it signs nothing and answers one fixed introspection response: the
// ceiling of any endpoint on node:http here (the HTTP round trip and the body read alone).
import { createServer } from 'node:http';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ROOT } from '../lib/children.js';
import { tokenResponse, tokenResponseOnPool } from './es256-token.js';

const fixed = process.env.BENCH_ANSWER === 'fixed' ? JSON.stringify({ active: true, client_id: 'bench-service', scope: 'api.read' }) : undefined;

const onPool = process.env.BENCH_SIGN === 'pool';
if (onPool) {
  const { lowerHelperThreads } = await import(pathToFileURL(path.join(ROOT, 'packages/server/dist/cli/helper-threads.js')).href);
  await lowerHelperThreads(Number(process.env.LATCHKEY_HELPER_NICE ?? 10));
}
const port = Number(process.env.BENCH_PORT ?? 0);
const issuer = `http://127.0.0.1:${port}`;

const server = createServer((request, response) => {
  request.resume();
  const answer = (/** @type {string} */ body) => {
    response.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store', 'content-length': Buffer.byteLength(body) });
    response.end(body);
  };
  request.on('end', () => {
    if (fixed !== undefined) answer(fixed);
    else if (onPool) void tokenResponseOnPool(issuer).then(answer);
    else answer(tokenResponse(issuer));
  });
});
server.keepAliveTimeout = 30_000;
server.listen(port, '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${server.address().port}` })}\n`);
});
const stop = () => {
  server.close();
  server.closeAllConnections();
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
