// Verifies a Latchkey access token (RFC 9068) the way RFC 6750 §2–3 and RFC 9700 §2.3 ask: find
// it in exactly one place, check the signature against the issuer's published keys, then `typ`,
// `iss`, `aud`, `exp`/`nbf`, and the scopes the route needs. No call to the issuer per request:
// the key set is cached and fetched again only for an unknown `kid`, at most once per cooldown.
import { createRemoteJWKSet, customFetch, errors, jwtVerify, type JWTHeaderParameters, type JWTPayload, type FlattenedJWSInput } from 'jose';
import { discover, type FetchLike } from './discovery.js';
import { InsufficientScopeError, InvalidTokenError, IssuerUnavailableError } from './errors.js';
import { createIntrospector, type IntrospectionOptions } from './introspection.js';
import { locateToken, type BearerRequest, type TokenMethod } from './token-location.js';
import { VerificationCache, type VerifiedToken } from './verification-cache.js';

export interface VerifierOptions {
  /** The authorization server's issuer identifier, exactly as in its metadata and tokens' `iss`. */
  issuer: string;
  /** This API's identifier, which a token's `aud` must name (the `--resource` of its scopes). */
  audience: string;
  /** The realm of the challenges (RFC 6750 §3); default: the audience. */
  realm?: string;
  /** Accept `?access_token=` (RFC 6750 §2.3). Off by default (D-8): URLs leak into logs. */
  allowQueryToken?: boolean;
  /** Seconds of clock skew allowed on `exp`, `nbf` and `iat`; default 5. */
  clockTolerance?: number;
  /** Seconds before an unknown `kid` may fetch the key set again; default 30. */
  jwksCooldown?: number;
  /** Seconds a fetched key set is used before it is fetched again; default 600. */
  jwksMaxAge?: number;
  /** The fetch used for the metadata and the key set; default: the global fetch. */
  fetch?: FetchLike;
  /** How many verified tokens to remember (0: none); default 1000. */
  cacheSize?: number;
  /** Seconds a verified token is remembered, never past its `exp`; default 60 (D-7). */
  cacheMaxAge?: number;
  /**
   * Also ask the issuer (RFC 7662) whether the token is still active, for APIs that must see a
   * revocation at once rather than when the token expires. Needs this API's client credentials.
   */
  introspection?: IntrospectionOptions;
}

export interface RequireOptions {
  /** Every scope the request needs (all of them, RFC 6749 §3.3 space-separated names). */
  scopes?: readonly string[];
}

/** The claims of an RFC 9068 access token, as verified. */
export interface AccessTokenClaims extends JWTPayload {
  iss: string;
  sub: string;
  client_id: string;
  scope?: string;
  exp: number;
  iat: number;
  jti: string;
}

/** Who is calling: the result of a successful verification. */
export interface BearerAuth {
  /** The user (or, for client_credentials, the client) the token speaks for. */
  sub: string;
  clientId: string;
  scopes: readonly string[];
  claims: AccessTokenClaims;
  /** Where the token was found (RFC 6750 §2). */
  method: TokenMethod;
}

export interface Verifier {
  readonly realm: string;
  /** Finds and verifies the request's token; throws a BearerError or an IssuerUnavailableError. */
  verify(request: BearerRequest, options?: RequireOptions): Promise<BearerAuth>;
  /** Verifies a token already taken from a request. */
  verifyToken(token: string, options?: RequireOptions): Promise<Omit<BearerAuth, 'method'>>;
}

// RFC 9068 §4 and RFC 8725 §3.1: asymmetric algorithms only; never `none`, never HS*.
const ALGORITHMS = ['ES256', 'RS256'];
// RFC 9068 §2.2: the claims every access token carries.
const REQUIRED_CLAIMS = ['iss', 'sub', 'aud', 'exp', 'iat', 'jti', 'client_id'];

export function createVerifier(options: VerifierOptions): Verifier {
  if (!URL.canParse(options.issuer)) throw new TypeError(`issuer must be a URL, got ${JSON.stringify(options.issuer)}`);
  if (options.audience === '') throw new TypeError('audience must name this API');
  const fetchImpl: FetchLike = options.fetch ?? ((url, init) => fetch(url, init));
  const discovery = discover(options.issuer, fetchImpl);
  let keySet: ReturnType<typeof createRemoteJWKSet> | undefined;
  const getKey = async (header: JWTHeaderParameters, token: FlattenedJWSInput) => {
    const jwksUri = await discovery.jwksUri();
    keySet ??= createRemoteJWKSet(jwksUri, {
      cooldownDuration: (options.jwksCooldown ?? 30) * 1000,
      cacheMaxAge: (options.jwksMaxAge ?? 600) * 1000,
      [customFetch]: fetchImpl,
    });
    try {
      return await keySet(header, token);
    } catch (error) {
      // A key that is not there is the token's problem; a key set that cannot be read is ours.
      if (error instanceof errors.JWKSNoMatchingKey || error instanceof errors.JWKSMultipleMatchingKeys) throw error;
      if (error instanceof errors.JOSENotSupported) throw error;
      throw new IssuerUnavailableError(`the key set of ${options.issuer} could not be fetched`, { cause: error });
    }
  };

  const clockTolerance = options.clockTolerance ?? 5;
  const cache = new VerificationCache(options.cacheSize ?? 1000, (options.cacheMaxAge ?? 60) * 1000);
  const checkSignatureAndClaims = async (token: string, now: number): Promise<VerifiedToken> => {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, getKey, {
        issuer: options.issuer,
        audience: options.audience,
        algorithms: ALGORITHMS,
        typ: 'at+jwt',
        clockTolerance,
        requiredClaims: REQUIRED_CLAIMS,
      }));
    } catch (error) {
      throw explain(error, options);
    }
    const claims = checkClaimTypes(payload);
    const verified: VerifiedToken = { claims, scopes: Object.freeze((claims.scope ?? '').split(' ').filter((s) => s !== '')) };
    cache.set(token, verified, now);
    return verified;
  };

  const introspect = options.introspection === undefined ? undefined : createIntrospector(options.introspection, discovery, fetchImpl);
  const check = async (token: string, required: RequireOptions | undefined): Promise<VerifiedToken> => {
    const now = Date.now();
    const cached = cache.get(token, now);
    // A remembered token is still checked against the clock: it may have expired since.
    const verified = cached !== undefined && cached.claims.exp + clockTolerance > now / 1000 ? cached : await checkSignatureAndClaims(token, now);
    if (introspect !== undefined) await introspect(token);
    const needed = required?.scopes ?? [];
    for (const scope of needed) {
      if (!verified.scopes.includes(scope)) throw new InsufficientScopeError(needed, verified.scopes);
    }
    return verified;
  };

  const allowQuery = options.allowQueryToken ?? false;
  return {
    realm: options.realm ?? options.audience,
    async verifyToken(token, required) {
      const { claims, scopes } = await check(token, required);
      return { sub: claims.sub, clientId: claims.client_id, scopes, claims };
    },
    async verify(request, required) {
      const { token, method } = locateToken(request, allowQuery);
      const { claims, scopes } = await check(token, required);
      return { sub: claims.sub, clientId: claims.client_id, scopes, claims, method };
    },
  };
}

function checkClaimTypes(payload: JWTPayload): AccessTokenClaims {
  for (const name of ['sub', 'client_id', 'jti'] as const) {
    if (typeof payload[name] !== 'string' || payload[name] === '') throw new InvalidTokenError(`the access token's ${name} claim must be a non-empty string`);
  }
  if (payload.scope !== undefined && typeof payload.scope !== 'string') throw new InvalidTokenError("the access token's scope claim must be a string");
  return payload as AccessTokenClaims;
}

/** Turns jose's errors into RFC 6750 answers that say what was wrong, never echoing the token. */
function explain(error: unknown, options: VerifierOptions): unknown {
  if (error instanceof IssuerUnavailableError) return error;
  if (error instanceof errors.JWTExpired) {
    const exp = typeof error.payload.exp === 'number' ? ` at ${new Date(error.payload.exp * 1000).toISOString()}` : '';
    return new InvalidTokenError(`the access token expired${exp}; get a new one (refresh it)`, true);
  }
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.reason === 'missing') return new InvalidTokenError(`the access token has no ${error.claim} claim (RFC 9068 §2.2)`);
    switch (error.claim) {
      case 'typ':
        return new InvalidTokenError('the token is not an access token: its typ header must be at+jwt (RFC 9068 §4)');
      case 'iss':
        return new InvalidTokenError(`the access token was not issued by ${options.issuer}`);
      case 'aud':
        return new InvalidTokenError(`the access token is not meant for this API: its aud does not name ${options.audience}`);
      case 'nbf':
        return new InvalidTokenError('the access token is not valid yet (nbf)');
      default:
        return new InvalidTokenError(`the access token's ${error.claim} claim is not valid`);
    }
  }
  if (error instanceof errors.JOSEAlgNotAllowed) return new InvalidTokenError(`the access token must be signed with ${ALGORITHMS.join(' or ')}`);
  if (error instanceof errors.JWSSignatureVerificationFailed) return new InvalidTokenError('the access token signature does not verify');
  if (error instanceof errors.JWKSNoMatchingKey) return new InvalidTokenError("no key of the issuer matches the access token's kid");
  if (error instanceof errors.JOSEError) return new InvalidTokenError('the access token is not a valid signed JWT');
  return error;
}
