// Scopes (RFC 6749 §3.3): space-delimited, case-sensitive scope-tokens of %x21 / %x23-5B /
// %x5D-7E. A requested scope that does not exist or that the client may not ask for is
// `invalid_scope`, never silently dropped.
import { OAuthError } from '../errors.js';
import type { Client, Scope, ScopeRepository } from '../store/repositories.js';

export const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/;
const MAX_SCOPES = 100;

/** Scopes about a signed-in user (OpenID Connect Core §5.4, §11): meaningless without one. */
export const USER_SCOPES: ReadonlySet<string> = new Set(['openid', 'profile', 'email', 'offline_access']);

/** Splits a scope parameter into distinct scope-tokens, in the order sent. */
export function parseScopeParameter(value: string): string[] {
  const tokens = value.split(' ').filter((t) => t !== '');
  if (tokens.length > MAX_SCOPES) throw new OAuthError('invalid_scope', `too many scopes requested (at most ${MAX_SCOPES})`);
  for (const token of tokens) {
    if (!SCOPE_TOKEN.test(token)) {
      throw new OAuthError('invalid_scope', 'scope contains characters that are not allowed (RFC 6749 section 3.3); separate scopes with single spaces');
    }
  }
  return [...new Set(tokens)];
}

/** The requested scopes, checked to exist and to be allowed for the client. */
export async function resolveScopes(
  requested: readonly string[],
  client: Pick<Client, 'scopes'>,
  scopes: Pick<ScopeRepository, 'findMany'>,
): Promise<Scope[]> {
  const found = await scopes.findMany(requested);
  const known = new Set(found.map((s) => s.name));
  const unknown = requested.filter((s) => !known.has(s));
  if (unknown.length > 0) throw new OAuthError('invalid_scope', `unknown scope: ${unknown.join(' ')}`);
  const notAllowed = requested.filter((s) => !client.scopes.includes(s));
  if (notAllowed.length > 0) {
    throw new OAuthError('invalid_scope', `this client may not request: ${notAllowed.join(' ')} (allowed: ${client.scopes.join(' ')})`);
  }
  const byName = new Map(found.map((s) => [s.name, s]));
  return requested.map((name) => byName.get(name)).filter((s): s is Scope => s !== undefined);
}

/** RFC 9068 §3: `aud` names the resource servers of the granted scopes, or the issuer when none has one. */
export function audienceOf(scopes: readonly Scope[], issuer: string): string[] {
  const resources = [...new Set(scopes.map((s) => s.resource).filter((r): r is string => r !== null))];
  return resources.length > 0 ? resources : [issuer];
}
