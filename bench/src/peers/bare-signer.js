// The signing limit: a bare node:http server that answers every POST with a token response
// carrying one freshly signed ES256 JWT, claims shaped like an RFC 9068 access token. No client
// authentication, no database, no routing: what is left is the HTTP round trip, the body read and
// one ECDSA P-256 signature, which an authorization server cannot do without. The key is created
// and imported once at startup; node:crypto signs directly (jose would add its own overhead, and
// this is meant to be the floor). Env: BENCH_PORT. Prints one JSON line {"url": ...} when ready.
import { generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { createServer } from 'node:http';

const port = Number(process.env.BENCH_PORT ?? 0);
const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const kid = randomBytes(8).toString('base64url');
const issuer = `http://127.0.0.1:${port}`;
const header = Buffer.from(JSON.stringify({ alg: 'ES256', typ: 'at+jwt', kid })).toString('base64url');

function accessToken() {
  const now = Math.floor(Date.now() / 1000);
  const claims = {
    iss: issuer,
    sub: 'bench-service',
    aud: 'http://127.0.0.1/api',
    client_id: 'bench-service',
    scope: 'api.read',
    jti: randomBytes(16).toString('base64url'),
    iat: now,
    exp: now + 600,
  };
  const input = `${header}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
  // JWS wants the raw r||s form of the signature (RFC 7518 §3.4), not DER.
  const signature = sign('sha256', Buffer.from(input), { key: privateKey, dsaEncoding: 'ieee-p1363' });
  return `${input}.${signature.toString('base64url')}`;
}

const server = createServer((request, response) => {
  request.resume();
  request.on('end', () => {
    const body = JSON.stringify({ access_token: accessToken(), token_type: 'Bearer', expires_in: 600, scope: 'api.read' });
    response.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store', 'content-length': Buffer.byteLength(body) });
    response.end(body);
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
