// Optional introspection (RFC 7662) for APIs that must see revocation at once: after the local
// checks, the issuer is asked whether the token is still active. Answers are remembered for a
// few seconds (at most 60, D-7), so a busy API asks about a token once per window, not per
// request. Fail closed: an issuer that cannot be asked means no access (REL-03).
import type { Discovery, FetchLike } from './discovery.js';
import { InvalidTokenError, IssuerUnavailableError } from './errors.js';

export interface IntrospectionOptions {
  /** This API's credentials at the authorization server (a confidential client). */
  clientId: string;
  clientSecret: string;
  /** Seconds an answer is remembered; default 5, at most 60. */
  cacheMaxAge?: number;
}

const MAX_ENTRIES = 10_000;

export function createIntrospector(options: IntrospectionOptions, discovery: Discovery, fetchImpl: FetchLike): (token: string) => Promise<void> {
  const maxAgeMs = Math.min(Math.max(options.cacheMaxAge ?? 5, 0), 60) * 1000;
  const answers = new Map<string, { active: boolean; until: number }>();
  // RFC 6749 §2.3.1: the id and secret are form-urlencoded before Base64.
  const basic = Buffer.from(`${encodeURIComponent(options.clientId)}:${encodeURIComponent(options.clientSecret)}`).toString('base64');

  const ask = async (token: string): Promise<boolean> => {
    const endpoint = await discovery.introspectionEndpoint();
    let body: unknown;
    try {
      const response = await fetchImpl(endpoint.href, {
        method: 'POST',
        headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: new URLSearchParams({ token, token_type_hint: 'access_token' }).toString(),
        redirect: 'error',
        signal: AbortSignal.timeout(5_000),
      });
      if (!response.ok) throw new Error(`the introspection endpoint answered ${response.status}`);
      body = await response.json();
    } catch (error) {
      throw new IssuerUnavailableError('the authorization server could not be asked whether the token is active', { cause: error });
    }
    return typeof body === 'object' && body !== null && (body as { active?: unknown }).active === true;
  };

  return async (token) => {
    const now = Date.now();
    let answer = answers.get(token);
    if (answer === undefined || now >= answer.until) {
      answer = { active: await ask(token), until: now + maxAgeMs };
      if (answers.size >= MAX_ENTRIES) answers.delete(answers.keys().next().value ?? '');
      answers.set(token, answer);
    }
    if (!answer.active) throw new InvalidTokenError('the access token is no longer active (revoked, or its access was removed)');
  };
}
