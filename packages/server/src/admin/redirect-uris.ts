// Redirect URIs are validated at registration (RFC 6749 §3.1.2; RFC 9700 §2.1, §2.6; RFC 8252
// §7): absolute, no fragment, no credentials, https except http on a loopback host for
// development, or a native app's private-use scheme (reverse domain name, so it contains a dot).
import { isLoopbackHost } from '../urls.js';

const DANGEROUS_SCHEMES = new Set(['javascript:', 'data:', 'file:', 'vbscript:', 'blob:', 'about:', 'ftp:', 'ws:', 'wss:']);
export const MAX_REDIRECT_URI_LENGTH = 2000;

/** Null when the URI may be registered, otherwise the reason it may not. */
export function validateRedirectUri(uri: string): string | null {
  if (uri.length > MAX_REDIRECT_URI_LENGTH) return `is longer than ${MAX_REDIRECT_URI_LENGTH} characters`;
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  if (/[\s\x00-\x1f\x7f]/.test(uri)) return 'contains spaces or control characters';
  if (!URL.canParse(uri)) return 'is not an absolute URI';
  const url = new URL(uri);
  if (uri.includes('#')) return 'must not contain a fragment (RFC 6749 section 3.1.2)';
  if (url.username !== '' || url.password !== '') return 'must not contain a user name or password';
  if (DANGEROUS_SCHEMES.has(url.protocol)) return `must not use the ${url.protocol} scheme`;
  if (url.protocol === 'https:') return url.hostname === '' ? 'has no host' : null;
  if (url.protocol === 'http:') {
    return isLoopbackHost(url.hostname) ? null : 'must use https (http is allowed only on localhost, 127.0.0.1 or [::1])';
  }
  // RFC 8252 §7.1: a private-use scheme is a reverse domain name the app controls.
  return url.protocol.slice(0, -1).includes('.') ? null : 'must use https, http on a loopback host, or a reverse-domain private-use scheme such as com.example.app:/callback';
}
