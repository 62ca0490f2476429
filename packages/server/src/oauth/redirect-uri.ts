// Redirect URI matching (RFC 9700 §2.1, RFC 6749 §3.1.2.3): a simple string comparison with a
// registered URI, character for character. The one exception (RFC 8252 §7.3): for a public
// client registered with an http loopback IP redirect, the port may vary.
import type { Client } from '../store/repositories.js';

const LOOPBACK_IPS = new Set(['127.0.0.1', '[::1]']);

export function matchRedirectUri(client: Pick<Client, 'redirectUris' | 'tokenEndpointAuthMethod'>, sent: string): boolean {
  if (client.redirectUris.includes(sent)) return true;
  if (client.tokenEndpointAuthMethod !== 'none') return false;
  const candidate = parseLoopback(sent);
  if (candidate === null) return false;
  return client.redirectUris.some((registered) => {
    const r = parseLoopback(registered);
    return r !== null && r.host === candidate.host && r.rest === candidate.rest;
  });
}

/** Splits `http://127.0.0.1:PORT/rest` into host and the part after the port; null if not a loopback IP URI. */
function parseLoopback(uri: string): { host: string; rest: string } | null {
  const match = /^http:\/\/(127\.0\.0\.1|\[::1\])(?::(\d{1,5}))?([/?][^#]*)?$/.exec(uri);
  if (match === null || match[1] === undefined || !LOOPBACK_IPS.has(match[1])) return null;
  if (match[2] !== undefined && Number(match[2]) > 65535) return null;
  return { host: match[1], rest: match[3] ?? '' };
}

/** Appends response parameters to a redirect URI, keeping its registered query (RFC 6749 §3.1.2). */
export function withQuery(uri: string, params: Record<string, string | null | undefined>): string {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    if (value !== null && value !== undefined) query.append(name, value);
  }
  const text = query.toString();
  if (text === '') return uri;
  return `${uri}${uri.includes('?') ? (uri.endsWith('?') || uri.endsWith('&') ? '' : '&') : '?'}${text}`;
}
