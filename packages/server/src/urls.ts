// The one rule for URLs this server trusts (the issuer, redirect URIs, resources): https, or
// plain http only on a loopback host, for development (RFC 9700 §2.6, RFC 8252 §7.3).
const LOOPBACK_HOSTS: ReadonlySet<string> = new Set(['localhost', '127.0.0.1', '[::1]']);

export function isLoopbackHost(hostname: string): boolean {
  return LOOPBACK_HOSTS.has(hostname);
}

/** https, or http on localhost, 127.0.0.1 or [::1]. */
export function isHttpsOrLoopback(url: URL): boolean {
  return url.protocol === 'https:' || (url.protocol === 'http:' && isLoopbackHost(url.hostname));
}
