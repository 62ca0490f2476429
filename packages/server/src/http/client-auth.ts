// Client authentication at the token endpoint (RFC 6749 §2.3): `client_secret_basic`,
// `client_secret_post`, and `none` for public clients (§2.1, identified by client_id only).
import type { FastifyRequest } from 'fastify';
import { OAuthError } from '../errors.js';
import type { Client, ClientRepository, ThrottleRepository } from '../store/repositories.js';
import { secretMatches } from '../tokens/secrets.js';
import type { Params } from './params.js';

export type ClientAuthMethod = 'client_secret_basic' | 'client_secret_post' | 'none';

export interface AuthenticatedClient {
  client: Client;
  method: ClientAuthMethod;
}

interface Presented {
  method: ClientAuthMethod;
  clientId: string;
  secret: string | null;
}

/** Failed secrets a client may have before delays start (SEC-24: RFC 6749 §2.3.1 brute force). */
export const CLIENT_SECRET_THRESHOLD = 10;

export async function authenticateClient(
  request: FastifyRequest,
  params: Params,
  deps: { clients: Pick<ClientRepository, 'findById'>; throttle: Pick<ThrottleRepository, 'retryAfter' | 'attempt'>; now: number },
  issuer: string,
): Promise<AuthenticatedClient> {
  const presented = readCredentials(request.headers.authorization, params, issuer);
  // RFC 6749 §5.2: a client that tried Basic is answered with a Basic challenge.
  const challenge = presented.method === 'client_secret_basic' ? { 'WWW-Authenticate': `Basic realm="${issuer}"` } : undefined;
  const fail = (description: string): OAuthError => new OAuthError('invalid_client', description, challenge ? { headers: challenge } : {});

  // SEC-18: an unknown client and a wrong secret get the same answer, so ids cannot be probed.
  const rejected = 'client authentication failed: unknown client or wrong client secret';
  const client = await deps.clients.findById(presented.clientId);
  if (client === undefined) throw fail(rejected);
  if (client.secretHash === null) {
    if (presented.secret !== null) throw fail('client authentication failed: this is a public client and has no secret');
    return { client, method: 'none' };
  }
  if (presented.secret === null) {
    throw fail('client authentication failed: this confidential client must authenticate with its secret (client_secret_basic or client_secret_post)');
  }
  // RFC 6749 §2.3.1: password-style client authentication is protected against guessing. A
  // success costs one indexed read; only failures are counted.
  const throttleKey = `client:${client.id}`;
  const wait = await deps.throttle.retryAfter([throttleKey], deps.now);
  const tooManyFailures = (seconds: number): OAuthError =>
    new OAuthError('invalid_client', `too many failed authentications for this client; retry in ${seconds} seconds`, {
      status: 429,
      headers: { ...challenge, 'retry-after': String(seconds) },
    });
  if (wait > 0) throw tooManyFailures(wait);
  if (!secretMatches(presented.secret, client.secretHash)) {
    // Counted and decided in one transaction: of a burst of concurrent wrong secrets, those past
    // the threshold are refused with 429 too, not only the ones that arrive after it (REL-10).
    const decision = await deps.throttle.attempt([{ key: throttleKey, threshold: CLIENT_SECRET_THRESHOLD }], deps.now);
    if (!decision.allowed) throw tooManyFailures(decision.retryAfter);
    throw fail(rejected);
  }
  return { client, method: presented.method };
}

function readCredentials(authorization: string | undefined, params: Params, issuer: string): Presented {
  const bodyId = params.get('client_id');
  const bodySecret = params.get('client_secret');
  if (authorization !== undefined) {
    const basic = parseBasic(authorization, issuer);
    // RFC 6749 §2.3: a client must not use more than one authentication method per request.
    if (bodySecret !== undefined) {
      throw new OAuthError('invalid_request', 'the client authenticated twice: use either HTTP Basic or client_secret in the body, not both');
    }
    if (bodyId !== undefined && bodyId !== basic.clientId) {
      throw new OAuthError('invalid_request', 'client_id in the body differs from the client authenticated with HTTP Basic');
    }
    return { method: 'client_secret_basic', clientId: basic.clientId, secret: basic.secret };
  }
  if (bodyId === undefined) {
    throw new OAuthError('invalid_client', 'client authentication is required: send HTTP Basic credentials, or client_id (and client_secret) in the body');
  }
  if (bodySecret !== undefined) return { method: 'client_secret_post', clientId: bodyId, secret: bodySecret };
  return { method: 'none', clientId: bodyId, secret: null };
}

/** RFC 6749 §2.3.1 and Appendix B: the id and secret are form-urlencoded before Base64. */
function parseBasic(header: string, issuer: string): { clientId: string; secret: string } {
  const match = /^Basic +([A-Za-z0-9+/]+={0,2}) *$/i.exec(header);
  // A function, not a value: building an Error captures a stack, too costly for every success.
  const basicFailure = (): OAuthError =>
    new OAuthError('invalid_client', 'the Authorization header is not valid HTTP Basic credentials (Base64 of client_id:client_secret)', {
      headers: { 'WWW-Authenticate': `Basic realm="${issuer}"` },
    });
  if (match?.[1] === undefined || header.length > 4096) throw basicFailure();
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 1) throw basicFailure();
  try {
    return { clientId: formDecode(decoded.slice(0, colon)), secret: formDecode(decoded.slice(colon + 1)) };
  } catch {
    throw basicFailure();
  }
}

/** application/x-www-form-urlencoded decoding; most ids and secrets have nothing to decode (issue 9). */
function formDecode(value: string): string {
  return value.includes('%') || value.includes('+') ? decodeURIComponent(value.replace(/\+/g, ' ')) : value;
}
