// What a request log line may say about the URL (RFC 6819 §4.6.7, RFC 9700 §4.9.3; REL-09):
// the path, and of the query only the names, with values kept just for parameters that are never
// secret. A client that wrongly puts its secret, a code or a token in the query string (RFC 6750
// §2.3 discourages exactly that) does not get it written to disk.

/** Parameters whose values are public protocol choices, useful when reading a log. */
const SHOWN = new Set(['response_type', 'client_id', 'redirect_uri', 'scope', 'prompt', 'code_challenge_method', 'response_mode', 'max_age', 'grant_type', 'token_type_hint', 'error']);

export function loggableUrl(url: string): string {
  const mark = url.indexOf('?');
  if (mark === -1) return url;
  const params = url
    .slice(mark + 1)
    .split('&')
    .filter((pair) => pair !== '')
    .map((pair) => {
      const eq = pair.indexOf('=');
      const name = eq === -1 ? pair : pair.slice(0, eq);
      let decoded = name;
      try {
        decoded = decodeURIComponent(name.replace(/\+/g, ' '));
      } catch {
        // A malformed name is shown as sent; its value is hidden either way.
      }
      return eq !== -1 && SHOWN.has(decoded) ? pair : `${name}=[redacted]`;
    });
  return `${url.slice(0, mark)}?${params.join('&')}`;
}
