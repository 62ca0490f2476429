// `latchkey help`: the commands and every setting, generated from SETTINGS so it cannot drift.
import { SETTINGS } from '../config.js';

export const COMMANDS: readonly [string, string][] = [
  ['serve', 'run the authorization server until SIGINT/SIGTERM, then drain and exit 0'],
  ['user add USERNAME --password-stdin [--name N] [--email E]', 'create a user; the password is read from standard input'],
  ['scope add NAME --description TEXT [--resource URI]', 'define a scope; tokens carrying it name that resource server in aud'],
  [
    'client add --name N --redirect-uri URI [--redirect-uri URI ...] [--scope "A B C"] [--grant-type TYPE ...] [--public | --pkce-optional] [--json]',
    'register a client; prints its id and, once, its secret (--json: an RFC 7591 registration response)',
  ],
  ['keys rotate', 'new signing keys for every server on this database; the replaced ones stay published until the next rotation'],
  ['help', 'print this help'],
];

export function helpText(): string {
  const lines = ['Latchkey: an OAuth 2.0 authorization server.', '', 'Usage: latchkey <command> [options]', '', 'Commands:'];
  for (const [usage, what] of COMMANDS) lines.push(`  latchkey ${usage}`, `      ${what}`);
  lines.push('', 'Settings (environment variable, or the --flag beside it, on every command):');
  for (const setting of Object.values(SETTINGS)) {
    lines.push(`  ${setting.env} (--${setting.flag})`, `      ${setting.description} [default: ${setting.default}]`);
  }
  lines.push(
    '',
    'client add: --grant-type is one of authorization_code, refresh_token, client_credentials, given once per',
    'type (default: authorization_code refresh_token); --scope defaults to "openid profile email offline_access";',
    'a confidential client authenticates with client_secret_basic or client_secret_post, a --public one with none;',
    '--post-logout-redirect-uri URI (repeatable) is where RP-initiated logout may return; --id-token-alg RS256|ES256',
    'signs its ID tokens (default RS256).',
    '',
    'Exit codes: 0 success; 2 bad arguments, settings or input (one line on stderr, nothing written); 1 anything',
    'else (LATCHKEY_DEBUG=1 adds the stack trace).',
  );
  return `${lines.join('\n')}\n`;
}
