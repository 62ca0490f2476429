// node-oidc-provider 9, configured like Latchkey for the side-by-side numbers of issue 9:
// - a confidential client (client_secret_basic) allowed client_credentials, authorization_code
//   and refresh_token;
// - one ES256 signing key; a resource server (Resource Indicators, RFC 8707) whose access tokens
//   are ES256 JWTs (RFC 9068), as Latchkey's are: client_credentials with `resource` gets one;
//   without `resource` the token is opaque and stored, which is what introspection looks up;
// - refresh tokens rotate on every use (rotateRefreshToken), as Latchkey's do.
// Storage is oidc-provider's own in-memory adapter, given a larger LRU than its default 1000
// entries: otherwise the refresh tokens created up front would be evicted before use.
// Env: BENCH_PORT, BENCH_CLIENT_ID, BENCH_CLIENT_SECRET, BENCH_RESOURCE, BENCH_REDIRECT_URI,
// BENCH_REFRESH_TOKENS (how many to create at startup, written one a line to
// BENCH_REFRESH_TOKENS_FILE). Prints one JSON line {"url": ...} when ready.
import { generateKeyPairSync } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:http';

// oidc-provider announces at import and on first use that Node 20 is not its supported runtime,
// that the in-memory adapter is for development, and which defaults it expects to be replaced.
// All harmless here; they would only clutter the bench's output.
for (const level of ['info', 'warn']) {
  const original = console[level].bind(console);
  console[level] = (...args) => {
    if (typeof args[0] === 'string' && args[0].startsWith('oidc-provider ')) return;
    original(...args);
  };
}
const { default: Provider, errors } = await import('oidc-provider');
const { default: MemoryAdapter } = await import('oidc-provider/lib/adapters/memory_adapter.js');
const { default: LRU } = await import('oidc-provider/lib/helpers/lru.js');

const env = (name) => {
  const value = process.env[name];
  if (value === undefined || value === '') throw new TypeError(`${name} is required`);
  return value;
};
const port = Number(env('BENCH_PORT'));
const issuer = `http://127.0.0.1:${port}`;
const clientId = env('BENCH_CLIENT_ID');
const resource = env('BENCH_RESOURCE');
const refreshTokenCount = Number(process.env.BENCH_REFRESH_TOKENS ?? 0);

const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const signingKey = { ...privateKey.export({ format: 'jwk' }), kid: 'bench-es256', alg: 'ES256', use: 'sig' };

const storage = new LRU({ maxSize: 1_000_000 });
const provider = new Provider(issuer, {
  adapter: (model) => new MemoryAdapter(model, storage),
  clients: [
    {
      client_id: clientId,
      client_secret: env('BENCH_CLIENT_SECRET'),
      grant_types: ['client_credentials', 'authorization_code', 'refresh_token'],
      response_types: ['code'],
      redirect_uris: [env('BENCH_REDIRECT_URI')],
      token_endpoint_auth_method: 'client_secret_basic',
      id_token_signed_response_alg: 'ES256',
      scope: 'openid offline_access api.read',
    },
  ],
  clientDefaults: { id_token_signed_response_alg: 'ES256' },
  jwks: { keys: [signingKey] },
  scopes: ['openid', 'offline_access', 'api.read'],
  rotateRefreshToken: true,
  cookies: { keys: ['bench-cookie-key-0123456789abcdef'] },
  // Latchkey's defaults: access tokens 600 s, refresh tokens 30 days.
  ttl: {
    AccessToken: 600,
    ClientCredentials: 600,
    AuthorizationCode: 60,
    IdToken: 600,
    RefreshToken: 2_592_000,
    Grant: 2_592_000,
    Session: 1_209_600,
    Interaction: 3600,
  },
  findAccount: async (_ctx, sub) => ({ accountId: sub, claims: async () => ({ sub }) }),
  features: {
    devInteractions: { enabled: false },
    clientCredentials: { enabled: true },
    introspection: {
      enabled: true,
      // The default policy, stated so that it is not announced as a default.
      allowedPolicy: async (ctx, client, token) => !(client.clientAuthMethod === 'none' && token.clientId !== ctx.oidc.client.clientId),
    },
    revocation: { enabled: true, allowedPolicy: async (_ctx, client, token) => token.clientId === client.clientId },
    resourceIndicators: {
      enabled: true,
      // No `resource` in the request: no resource server, an opaque (stored) token.
      defaultResource: async (_ctx, _client, oneOf) => oneOf,
      useGrantedResource: async () => true,
      getResourceServerInfo: async (_ctx, indicator) => {
        if (indicator !== resource) throw new errors.InvalidTarget();
        return { scope: 'api.read', audience: resource, accessTokenTTL: 600, accessTokenFormat: 'jwt', jwt: { sign: { alg: 'ES256' } } };
      },
    },
  },
});

/** Refresh tokens as the authorization code grant would leave them: one grant each, api.read for the resource. */
async function createRefreshTokens(count) {
  const client = await provider.Client.find(clientId);
  const tokens = [];
  for (let i = 0; i < count; i += 1) {
    const grant = new provider.Grant({ accountId: 'alice', clientId });
    grant.addResourceScope(resource, 'api.read');
    const grantId = await grant.save();
    const token = new provider.RefreshToken({ client, accountId: 'alice', grantId, scope: 'api.read', resource, gty: 'authorization_code' });
    tokens.push(await token.save());
  }
  return tokens;
}

if (refreshTokenCount > 0) {
  const tokens = await createRefreshTokens(refreshTokenCount);
  writeFileSync(env('BENCH_REFRESH_TOKENS_FILE'), `${tokens.join('\n')}\n`);
}

const server = createServer(provider.callback());
server.keepAliveTimeout = 30_000;
server.listen(port, '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ url: issuer })}\n`);
});
const stop = () => {
  server.close();
  server.closeAllConnections();
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
