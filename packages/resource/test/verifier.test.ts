// The framework-free core against a real authorization server over HTTP: RFC 6750 §2 token
// methods, RFC 9068 checks (typ, iss, aud, exp, alg), scopes, and the key set cache.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVerifier, InsufficientScopeError, InvalidRequestError, InvalidTokenError, IssuerUnavailableError, MissingTokenError, type FetchLike } from '../src/index.js';
import { ALICE, AUDIENCE, signWithUnknownKey, startIssuer, tamper, unsignedToken, type Issuer } from './support/issuer.js';

let issuer: Issuer;
let token: string;

beforeAll(async () => {
  issuer = await startIssuer();
  token = await issuer.token(ALICE, 'calendar.read drive.read');
});
afterAll(async () => issuer.close());

const bearer = (t: string) => ({ headers: { authorization: `Bearer ${t}` } });
const FORM = 'application/x-www-form-urlencoded';

function verifier(extra: { allowQueryToken?: boolean; fetch?: FetchLike; jwksCooldown?: number } = {}) {
  return createVerifier({ issuer: issuer.url, audience: AUDIENCE, ...extra });
}

describe('RFC 6750 §2: where the token is', () => {
  it('accepts the Authorization header and returns who is calling', async () => {
    const auth = await verifier().verify(bearer(token), { scopes: ['calendar.read'] });
    expect(auth.method).toBe('header');
    expect(auth.sub).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(auth.clientId).toBe(auth.claims.client_id);
    expect(auth.scopes).toEqual(['calendar.read', 'drive.read']);
    expect(auth.claims).toMatchObject({ iss: issuer.url, aud: AUDIENCE, sub: auth.sub });
  });

  it('accepts the scheme name in any case (RFC 9110 §11.1)', async () => {
    await expect(verifier().verify({ headers: { authorization: `bearer ${token}` } })).resolves.toMatchObject({ method: 'header' });
  });

  it('accepts a form-encoded body (§2.2), but not a JSON one', async () => {
    const auth = await verifier().verify({ headers: { 'content-type': `${FORM}; charset=utf-8` }, body: { access_token: token, title: 'x' } });
    expect(auth.method).toBe('body');
    await expect(verifier().verify({ headers: { 'content-type': 'application/json' }, body: { access_token: token } })).rejects.toBeInstanceOf(MissingTokenError);
  });

  it('refuses the query parameter by default (§2.3, D-8) and accepts it when enabled', async () => {
    const error = await verifier().verify({ headers: {}, query: { access_token: token } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidTokenError);
    expect((error as Error).message).toContain('query string');
    await expect(verifier({ allowQueryToken: true }).verify({ headers: {}, query: { access_token: token } })).resolves.toMatchObject({ method: 'query' });
    await expect(verifier({ allowQueryToken: true }).verify({ headers: {}, query: new URLSearchParams({ access_token: token }) })).resolves.toMatchObject({ method: 'query' });
  });

  it('answers invalid_request to two methods at once (§2)', async () => {
    const error = await verifier({ allowQueryToken: true })
      .verify({ headers: { authorization: `Bearer ${token}` }, query: { access_token: token } })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidRequestError);
    expect((error as Error).message).toBe('the access token was sent 2 ways (header, query); use exactly one (RFC 6750 §2)');
    await expect(verifier().verify({ headers: { authorization: `Bearer ${token}`, 'content-type': FORM }, body: { access_token: token } })).rejects.toBeInstanceOf(InvalidRequestError);
  });

  it('answers invalid_request to a duplicated parameter or a malformed header', async () => {
    await expect(verifier({ allowQueryToken: true }).verify({ headers: {}, query: { access_token: [token, token] } })).rejects.toBeInstanceOf(InvalidRequestError);
    await expect(verifier().verify({ headers: { authorization: 'Bearer' } })).rejects.toBeInstanceOf(InvalidRequestError);
    await expect(verifier().verify({ headers: { authorization: 'Bearer a b' } })).rejects.toBeInstanceOf(InvalidRequestError);
  });

  it('treats no token, or another scheme, as no token (a bare challenge, §3.1)', async () => {
    await expect(verifier().verify({ headers: {} })).rejects.toBeInstanceOf(MissingTokenError);
    await expect(verifier().verify({ headers: { authorization: 'Basic YWxpY2U6d29uZGVybGFuZA==' } })).rejects.toBeInstanceOf(MissingTokenError);
  });
});

describe('RFC 9068 §4: validating the token', () => {
  async function rejection(t: string): Promise<InvalidTokenError> {
    const error = await verifier().verify(bearer(t)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidTokenError);
    const message = (error as Error).message;
    expect(message).not.toContain(t);
    return error as InvalidTokenError;
  }

  it('rejects a tampered signature', async () => {
    expect((await rejection(tamper(token))).message).toBe('the access token signature does not verify');
  });

  it('rejects a token from another issuer', async () => {
    expect((await rejection(await issuer.sign({ iss: 'https://evil.example' }))).message).toBe(`the access token was not issued by ${issuer.url}`);
  });

  it('rejects a token for another audience (RFC 9700 §2.3)', async () => {
    expect((await rejection(await issuer.sign({ aud: 'https://other-api.example' }))).message).toContain('not meant for this API');
  });

  it('rejects alg none and a symmetric algorithm (RFC 8725 §3.1)', async () => {
    expect((await rejection(unsignedToken(issuer))).message).toBe('the access token must be signed with ES256 or RS256');
    const [header, payload] = token.split('.');
    const hs = `${Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(header ?? '', 'base64url').toString()), alg: 'HS256' })).toString('base64url')}.${payload}.c2ln`;
    expect((await rejection(hs)).message).toBe('the access token must be signed with ES256 or RS256');
  });

  it('rejects a key it does not know', async () => {
    expect((await rejection(await signWithUnknownKey(issuer))).message).toBe("no key of the issuer matches the access token's kid");
  });

  it('says when a token expired, so the client refreshes', async () => {
    const now = Math.floor(Date.now() / 1000);
    const error = await rejection(await issuer.sign({ iat: now - 700, exp: now - 60 }));
    expect(error.expired).toBe(true);
    expect(error.message).toMatch(/^the access token expired at \d{4}-.*; get a new one \(refresh it\)$/);
  });

  it('allows a few seconds of clock skew, and no more', async () => {
    const now = Math.floor(Date.now() / 1000);
    await expect(verifier().verify(bearer(await issuer.sign({ exp: now - 2 })))).resolves.toBeDefined();
    expect((await rejection(await issuer.sign({ nbf: now + 60 }))).message).toBe('the access token is not valid yet (nbf)');
  });

  it('rejects a JWT that is not an access token (typ, RFC 9068 §4)', async () => {
    expect((await rejection(await issuer.sign({}, { typ: 'JWT' }))).message).toContain('typ header must be at+jwt');
  });

  it('rejects a token without client_id or jti (RFC 9068 §2.2)', async () => {
    expect((await rejection(await issuer.sign({ client_id: undefined }))).message).toBe('the access token has no client_id claim (RFC 9068 §2.2)');
  });

  it('rejects something that is not a JWT at all', async () => {
    expect((await rejection('bogus')).message).toBe('the access token is not a valid signed JWT');
  });
});

describe('scopes', () => {
  it('answers insufficient_scope naming every scope the request needs', async () => {
    const error = await verifier().verify(bearer(token), { scopes: ['calendar.read', 'calendar.write'] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InsufficientScopeError);
    expect((error as InsufficientScopeError).required).toEqual(['calendar.read', 'calendar.write']);
    expect((error as Error).message).toBe('the access token lacks the scope calendar.write that this request needs');
  });
});

describe('keys: found through the metadata, cached, refetched on an unknown kid at most once per cooldown', () => {
  it('fetches the metadata and the key set once for many requests', async () => {
    const calls: string[] = [];
    const counting: FetchLike = (url, init) => {
      calls.push(new URL(url).pathname);
      return fetch(url, init);
    };
    const v = verifier({ fetch: counting });
    await Promise.all(Array.from({ length: 5 }, () => v.verify(bearer(token))));
    for (let i = 0; i < 5; i += 1) await v.verify(bearer(token));
    expect(calls).toEqual(['/.well-known/oauth-authorization-server', '/jwks']);

    // Unknown kids: one refetch at most per cooldown, however many arrive.
    const unknown = await signWithUnknownKey(issuer);
    for (let i = 0; i < 5; i += 1) await expect(v.verify(bearer(unknown))).rejects.toBeInstanceOf(InvalidTokenError);
    expect(calls.filter((p) => p === '/jwks').length).toBeLessThanOrEqual(2);
  });

  it('answers IssuerUnavailableError (not the client’s fault) when the issuer cannot be reached', async () => {
    const down = createVerifier({ issuer: 'http://127.0.0.1:9', audience: AUDIENCE });
    await expect(down.verify(bearer(token))).rejects.toBeInstanceOf(IssuerUnavailableError);
  });

  it('refuses metadata that names another issuer (RFC 8414 §3.3)', async () => {
    const liar: FetchLike = async (url, init) => {
      const response = await fetch(url, init);
      if (!url.includes('.well-known')) return response;
      return Response.json({ ...((await response.json()) as object), issuer: 'https://evil.example' });
    };
    await expect(verifier({ fetch: liar }).verify(bearer(token))).rejects.toBeInstanceOf(IssuerUnavailableError);
  });
});
