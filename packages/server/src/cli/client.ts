// `latchkey client add --name N --redirect-uri URI ... [--scope "A B C"] [--grant-type TYPE ...]
// [--public | --pkce-optional] --json`
import { isGrantType, registerClient, validateNewClient, type NewClient } from '../admin/clients.js';
import { toRegistrationResponse } from '../admin/registration-response.js';
import type { GrantType } from '../store/repositories.js';
import { flagOption, listOption, openStore, parseCommand, stringOption, UsageError } from './args.js';

const USAGE = 'latchkey client add --name N --redirect-uri URI [--redirect-uri URI ...] [--scope "A B C"] [--grant-type TYPE ...] [--public | --pkce-optional] [--post-logout-redirect-uri URI ...] [--id-token-alg RS256|ES256] --json';

export async function clientAdd(args: string[]): Promise<number> {
  const parsed = parseCommand(
    args,
    {
      name: { type: 'string' },
      'redirect-uri': { type: 'string', multiple: true },
      scope: { type: 'string', multiple: true },
      'grant-type': { type: 'string', multiple: true },
      public: { type: 'boolean' },
      'pkce-optional': { type: 'boolean' },
      json: { type: 'boolean' },
      'post-logout-redirect-uri': { type: 'string', multiple: true },
      'id-token-alg': { type: 'string' },
    },
    { min: 0, max: 0, usage: USAGE },
  );
  const name = stringOption(parsed, 'name');
  if (name === undefined) throw new UsageError(`--name is required; usage: ${USAGE}`);
  if (flagOption(parsed, 'public') && flagOption(parsed, 'pkce-optional')) {
    throw new UsageError('--public and --pkce-optional cannot be combined: a public client always uses PKCE');
  }
  const grantTypes = listOption(parsed, 'grant-type');
  const unknown = grantTypes.find((g) => !isGrantType(g));
  if (unknown !== undefined) throw new UsageError(`--grant-type ${unknown} is not supported; use authorization_code, refresh_token or client_credentials`);
  const idTokenAlg = stringOption(parsed, 'id-token-alg') ?? 'RS256';
  if (idTokenAlg !== 'RS256' && idTokenAlg !== 'ES256') throw new UsageError(`--id-token-alg ${idTokenAlg} is not supported; use RS256 or ES256`);
  const input: NewClient = {
    name,
    postLogoutRedirectUris: listOption(parsed, 'post-logout-redirect-uri'),
    idTokenSignedResponseAlg: idTokenAlg,
    redirectUris: listOption(parsed, 'redirect-uri'),
    scopes: listOption(parsed, 'scope').flatMap((s) => s.split(/\s+/)).filter((s) => s !== ''),
    grantTypes: grantTypes as GrantType[],
    public: flagOption(parsed, 'public'),
    pkceOptional: flagOption(parsed, 'pkce-optional'),
  };
  validateNewClient(input);
  const store = await openStore(parsed.config);
  try {
    const { client, clientSecret } = await registerClient(store, input, Math.floor(Date.now() / 1000));
    if (flagOption(parsed, 'json')) {
      process.stdout.write(`${JSON.stringify(toRegistrationResponse(client, clientSecret), null, 2)}\n`);
    } else {
      const lines = [`registered ${client.name}`, `client_id:     ${client.id}`];
      if (clientSecret !== null) lines.push(`client_secret: ${clientSecret}   (shown once; store it now)`);
      lines.push(
        `redirect_uris: ${client.redirectUris.join(' ') || '(none)'}`,
        `scope:         ${client.scopes.join(' ')}`,
        `grant_types:   ${client.grantTypes.join(' ')}`,
        `auth method:   ${client.tokenEndpointAuthMethod}${clientSecret === null ? '' : ' (client_secret_post also accepted)'}`,
        `PKCE:          ${client.pkceRequired ? 'required (S256)' : 'optional'}`,
      );
      process.stdout.write(`${lines.join('\n')}\n`);
    }
  } finally {
    await store.close();
  }
  return 0;
}
