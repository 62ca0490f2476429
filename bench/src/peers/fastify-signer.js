// The framework's floor: Fastify (the framework Latchkey is built on) with @fastify/formbody,
// answering POST /token with the same freshly signed ES256 JWT as the bare signer, and nothing
// else: no client authentication, no store, no logger, no security headers. Latchkey's distance
// to this row is its own work; this row's distance to the bare signer is Fastify's.
// Env: BENCH_PORT. Prints one JSON line {"url": ...} when ready.
//
// With BENCH_ANSWER=fixed it signs nothing and answers one fixed introspection response: the
// ceiling of any Fastify endpoint that parses a form here, whatever it does.
import formbody from '@fastify/formbody';
import Fastify from 'fastify';
import { tokenResponse } from './es256-token.js';

const fixed = process.env.BENCH_ANSWER === 'fixed' ? JSON.stringify({ active: true, client_id: 'bench-service', scope: 'api.read' }) : undefined;

const port = Number(process.env.BENCH_PORT ?? 0);
const issuer = `http://127.0.0.1:${port}`;
const app = Fastify({ logger: false });
await app.register(formbody);
app.post('/token', (request, reply) => {
  if (typeof request.body !== 'object' || request.body === null) return reply.status(400).send({ error: 'invalid_request' });
  return reply.header('cache-control', 'no-store').type('application/json').send(fixed ?? tokenResponse(issuer));
});
await app.listen({ port, host: '127.0.0.1' });
process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${app.server.address().port}` })}\n`);
const stop = () => void app.close();
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
