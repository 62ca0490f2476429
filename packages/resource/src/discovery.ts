// Finds the issuer's key set through its metadata (RFC 8414 §3), once per verifier. A failed
// look-up is remembered for a few seconds, so an unreachable issuer is not asked on every request.
import { IssuerUnavailableError } from './errors.js';

export type FetchLike = (url: string, init?: RequestInit) => Promise<Response>;

const RETRY_AFTER_FAILURE_MS = 5_000;

export interface Discovery {
  jwksUri(): Promise<URL>;
  /** RFC 7662 §4 via RFC 8414 §2: where tokens are introspected. */
  introspectionEndpoint(): Promise<URL>;
}

interface Endpoints {
  jwksUri: URL;
  introspectionEndpoint: URL | null;
}

export function discover(issuer: string, fetchImpl: FetchLike): Discovery {
  let found: Promise<Endpoints> | undefined;
  let failedAt = 0;
  const endpoints = (): Promise<Endpoints> => {
    if (found === undefined && Date.now() - failedAt < RETRY_AFTER_FAILURE_MS) {
      return Promise.reject(new IssuerUnavailableError(`the metadata of ${issuer} could not be fetched; retrying in a few seconds`));
    }
    found ??= fetchEndpoints(issuer, fetchImpl).catch((error: unknown) => {
      found = undefined;
      failedAt = Date.now();
      throw error;
    });
    return found;
  };
  return {
    jwksUri: async () => (await endpoints()).jwksUri,
    introspectionEndpoint: async () => {
      const url = (await endpoints()).introspectionEndpoint;
      if (url === null) throw new IssuerUnavailableError(`the metadata of ${issuer} has no introspection_endpoint`);
      return url;
    },
  };
}

/** RFC 8414 §3: the well-known suffix goes between the host and the issuer's path. */
export function metadataUrl(issuer: string): URL {
  const url = new URL(issuer);
  const path = url.pathname === '/' ? '' : url.pathname.replace(/\/$/, '');
  return new URL(`/.well-known/oauth-authorization-server${path}`, url.origin);
}

async function fetchEndpoints(issuer: string, fetchImpl: FetchLike): Promise<Endpoints> {
  const url = metadataUrl(issuer);
  let metadata: unknown;
  try {
    const response = await fetchImpl(url.href, { headers: { accept: 'application/json' }, redirect: 'error', signal: AbortSignal.timeout(5_000) });
    if (!response.ok) throw new Error(`${url.href} answered ${response.status}`);
    metadata = await response.json();
  } catch (error) {
    throw new IssuerUnavailableError(`the metadata of ${issuer} could not be fetched from ${url.href}`, { cause: error });
  }
  const { issuer: named, jwks_uri: jwksUri, introspection_endpoint: introspection } = (metadata ?? {}) as Record<string, unknown>;
  // RFC 8414 §3.3: the issuer in the metadata MUST be identical to the one it was fetched for.
  if (named !== issuer) throw new IssuerUnavailableError(`the metadata at ${url.href} names the issuer ${JSON.stringify(named)}, not ${issuer}`);
  if (typeof jwksUri !== 'string' || !URL.canParse(jwksUri)) throw new IssuerUnavailableError(`the metadata of ${issuer} has no valid jwks_uri`);
  const introspectionEndpoint = typeof introspection === 'string' && URL.canParse(introspection) ? new URL(introspection) : null;
  return { jwksUri: new URL(jwksUri), introspectionEndpoint };
}
