// A real Latchkey authorization server for resource-server tests: packages/server's buildApp on
// 127.0.0.1 and a fresh SQLite file, seeded with alice, bob, the Calendar API's scopes and a
// client. Tokens come from the real flow (login, consent, code, token endpoint); tokens that the
// server would never issue (another issuer, expired, alg none) are signed here with its own key.
import Database from 'better-sqlite3';
import { generateKeyPair, importJWK, SignJWT, type JWK, type JWTPayload } from 'jose';
import { addScope } from '../../../server/src/admin/scopes.js';
import { generateSigningKey } from '../../../server/src/tokens/keys.js';
import type { SettingFlags } from '../../../server/src/config.js';
import { Browser } from '../../../server/test/support/browser.js';
import { authorizeFlow, codeFrom, pkce, tokenRequest } from '../../../server/test/support/oauth.js';
import { addClient, ALICE, BOB, seed, startServer, type TestServer } from '../../../server/test/support/server.js';

export { ALICE, BOB };
export const AUDIENCE = 'https://calendar.example';
export const CALENDAR_SCOPES = ['calendar.read', 'calendar.write', 'drive.read'];

export interface Issuer {
  server: TestServer;
  url: string;
  /** A real access token for `user`, from the authorization code flow. */
  token(user: typeof ALICE, scope?: string): Promise<string>;
  /** A real access token a client got for itself (client_credentials): its `sub` is the client id. */
  clientToken(scope?: string): Promise<string>;
  /** A token signed with the server's current key, with these claims and header changed. */
  sign(claims?: JWTPayload, header?: Record<string, unknown>): Promise<string>;
  /** Generates a new signing key, retires the old ones, and returns the new kid. */
  rotateKeys(): Promise<string>;
  close(): Promise<void>;
}

export async function startIssuer(settings: SettingFlags = {}): Promise<Issuer> {
  const server = await startServer(settings);
  await seed(server);
  for (const name of CALENDAR_SCOPES) await addScope(server.store, { name, description: `The ${name} scope`, resource: AUDIENCE }, server.now());
  const redirectUri = 'https://mine.example/callback';
  const { client, secret } = await addClient(server, { redirectUris: [redirectUri], scopes: ['openid', ...CALENDAR_SCOPES] });

  return {
    server,
    url: server.url,
    async token(user, scope = CALENDAR_SCOPES.join(' ')) {
      const { verifier, challenge } = pkce();
      const { location } = await authorizeFlow(server, new Browser(server.url), { clientId: client.id, redirectUri, scope, challenge }, { user });
      const tokens = await tokenRequest(
        server,
        { grant_type: 'authorization_code', code: codeFrom(location), redirect_uri: redirectUri, code_verifier: verifier },
        { clientId: client.id, secret: secret ?? '' },
      );
      if (tokens.status !== 200) throw new Error(`token request failed: ${JSON.stringify(tokens.json)}`);
      return String(tokens.json.access_token);
    },
    async clientToken(scope = CALENDAR_SCOPES.join(' ')) {
      const own = await addClient(server, { name: 'Machine', redirectUris: [], scopes: CALENDAR_SCOPES, grantTypes: ['client_credentials'] });
      const tokens = await tokenRequest(server, { grant_type: 'client_credentials', scope }, { clientId: own.client.id, secret: own.secret ?? '' });
      if (tokens.status !== 200) throw new Error(`token request failed: ${JSON.stringify(tokens.json)}`);
      return String(tokens.json.access_token);
    },
    async sign(claims = {}, header = {}) {
      const [row] = await server.store.signingKeys.listActive();
      if (row === undefined) throw new Error('the server has no signing key');
      const key = await importJWK(JSON.parse(row.privateJwk) as JWK, row.alg);
      const now = Math.floor(Date.now() / 1000);
      const payload: JWTPayload = {
        iss: server.url,
        sub: 'user-1',
        aud: AUDIENCE,
        client_id: client.id,
        scope: CALENDAR_SCOPES.join(' '),
        jti: `jti-${Math.random()}`,
        iat: now,
        exp: now + 600,
        ...claims,
      };
      for (const name of Object.keys(payload)) if (payload[name] === undefined) delete payload[name];
      return new SignJWT(payload).setProtectedHeader({ alg: row.alg, typ: 'at+jwt', kid: row.kid, ...header }).sign(key);
    },
    async rotateKeys() {
      const old = await server.store.signingKeys.listActive();
      const next = await generateSigningKey('ES256', server.now());
      await server.store.signingKeys.insert(next);
      // The repository has no "retire" yet: retire the old keys in the database directly.
      if (server.config.database.kind !== 'sqlite') throw new TypeError('rotateKeys needs the SQLite store');
      const db = new Database(server.config.database.path);
      try {
        const retire = db.prepare('UPDATE signing_keys SET retired_at = ? WHERE kid = ?');
        for (const key of old) retire.run(server.now(), key.kid);
      } finally {
        db.close();
      }
      return next.kid;
    },
    close: () => server.close(),
  };
}

/** A token signed by a key the issuer never published. */
export async function signWithUnknownKey(issuer: Issuer): Promise<string> {
  const { privateKey } = await generateKeyPair('ES256');
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ client_id: 'someone', scope: CALENDAR_SCOPES.join(' ') })
    .setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid: 'not-a-latchkey-kid' })
    .setIssuer(issuer.url)
    .setSubject('user-1')
    .setAudience(AUDIENCE)
    .setJti('jti-unknown-key')
    .setIssuedAt(now)
    .setExpirationTime(now + 600)
    .sign(privateKey);
}

/** An unsecured JWT (`alg: none`) with otherwise perfect claims. */
export function unsignedToken(issuer: Issuer, sub = 'user-1'): string {
  const now = Math.floor(Date.now() / 1000);
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const claims = { iss: issuer.url, sub, aud: AUDIENCE, client_id: 'someone', scope: CALENDAR_SCOPES.join(' '), jti: 'jti-none', iat: now, exp: now + 600 };
  return `${part({ alg: 'none', typ: 'at+jwt' })}.${part(claims)}.`;
}

/** The same token with one character of its signature changed. */
export function tamper(token: string): string {
  const [header, payload, signature = ''] = token.split('.');
  const flipped = (signature[5] === 'A' ? 'B' : 'A');
  return `${header}.${payload}.${signature.slice(0, 5)}${flipped}${signature.slice(6)}`;
}

/** The JWT's header, decoded without verification (for assertions on `kid`). */
export function headerOf(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[0] ?? '', 'base64url').toString()) as Record<string, unknown>;
}
