// Tokens never reach the logs (RFC 6750 §5.3, RFC 6819 §4.6.7). Request URLs are logged by most
// frameworks, so an API that accepts `?access_token=` logs `redactAccessToken(url)` instead.
export function redactAccessToken(url: string): string {
  return url.replace(/([?&]access_token=)[^&#]*/gi, '$1[redacted]');
}
