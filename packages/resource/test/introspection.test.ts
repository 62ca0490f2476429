// The introspection option (RFC 7662; issue 4): an API that must see revocation at once asks the
// issuer, with a short cache; a revoked or removed grant is refused right away, and an issuer
// that cannot be asked means no access (fail closed).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addClient } from '../../server/test/support/server.js';
import { tokenRequest } from '../../server/test/support/oauth.js';
import { createVerifier, InvalidTokenError, IssuerUnavailableError } from '../src/index.js';
import { ALICE, AUDIENCE, CALENDAR_SCOPES, startIssuer, type Issuer } from './support/issuer.js';

describe('verifier with introspection', () => {
  let issuer: Issuer;
  let credentials: { clientId: string; clientSecret: string };
  beforeAll(async () => {
    issuer = await startIssuer();
    // The API registers as a confidential client to be allowed to introspect.
    const api = await addClient(issuer.server, { name: 'Calendar API', redirectUris: [], scopes: CALENDAR_SCOPES, grantTypes: ['client_credentials'] });
    credentials = { clientId: api.client.id, clientSecret: api.secret ?? '' };
  });
  afterAll(async () => issuer.close());

  it('accepts an active token, and refuses it at once after the grant is removed (cache 0)', async () => {
    const verifier = createVerifier({ issuer: issuer.url, audience: AUDIENCE, introspection: { ...credentials, cacheMaxAge: 0 } });
    const token = await issuer.token(ALICE);
    const auth = await verifier.verifyToken(token, { scopes: ['calendar.read'] });
    const claims = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString()) as { sub: string; client_id: string };
    expect(auth.sub).toBe(claims.sub);
    await issuer.server.store.grants.remove(claims.sub, claims.client_id, issuer.server.now());
    await expect(verifier.verifyToken(token)).rejects.toBeInstanceOf(InvalidTokenError);
    // Without introspection the same token still verifies locally until it expires.
    await expect(createVerifier({ issuer: issuer.url, audience: AUDIENCE }).verifyToken(token)).resolves.toMatchObject({ sub: claims.sub });
  });

  it('refuses a token its client revoked (RFC 7009)', async () => {
    const verifier = createVerifier({ issuer: issuer.url, audience: AUDIENCE, introspection: { ...credentials, cacheMaxAge: 0 } });
    const token = await issuer.token(ALICE);
    await verifier.verifyToken(token);
    // Revoke through the store's list, as the revocation endpoint does.
    const payload = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString()) as { jti: string; exp: number };
    await issuer.server.store.revocations.revokeAccessToken(payload.jti, payload.exp);
    await expect(verifier.verifyToken(token)).rejects.toThrow(/no longer active/);
  });

  it('fails closed with wrong credentials: the issuer cannot be asked, so no access', async () => {
    const verifier = createVerifier({ issuer: issuer.url, audience: AUDIENCE, introspection: { clientId: credentials.clientId, clientSecret: 'wrong' } });
    await expect(verifier.verifyToken(await issuer.token(ALICE))).rejects.toBeInstanceOf(IssuerUnavailableError);
  });

  it('remembers an answer for the cache window instead of asking per request', async () => {
    let asked = 0;
    const counting = (url: string, init?: RequestInit) => {
      if (url.endsWith('/introspect')) asked += 1;
      return fetch(url, init);
    };
    const verifier = createVerifier({ issuer: issuer.url, audience: AUDIENCE, fetch: counting, introspection: { ...credentials, cacheMaxAge: 30 } });
    const token = await issuer.token(ALICE);
    for (let i = 0; i < 5; i += 1) await verifier.verifyToken(token);
    expect(asked).toBe(1);
  });

  it('is not fooled by a token of its own client_credentials: introspection answers for the token, not the caller', async () => {
    const machine = await tokenRequest(issuer.server, { grant_type: 'client_credentials' }, { clientId: credentials.clientId, secret: credentials.clientSecret });
    const verifier = createVerifier({ issuer: issuer.url, audience: AUDIENCE, introspection: { ...credentials, cacheMaxAge: 0 } });
    await expect(verifier.verifyToken(String(machine.json.access_token))).resolves.toMatchObject({ sub: credentials.clientId });
  });
});
