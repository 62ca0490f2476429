import type { Kysely } from 'kysely';
import type { Client, ClientRepository, GrantType, TokenEndpointAuthMethod } from '../repositories.js';
import { fromFlag, fromJsonList, isStorableText, joinScopes, splitScopes, toFlag, toJsonList } from './columns.js';
import { insertUnique } from './errors.js';
import type { ClientsTable, Database } from './schema.js';

export class KyselyClientRepository implements ClientRepository {
  readonly #db: Kysely<Database>;

  constructor(db: Kysely<Database>) {
    this.#db = db;
  }

  /** Throws DuplicateError when the client id is taken. */
  async create(client: Client): Promise<void> {
    await insertUnique(
      () => this.#db.insertInto('clients').values(toRow(client)).execute(),
      `the client id ${JSON.stringify(client.id)} is already taken`,
    );
  }

  async findById(id: string): Promise<Client | undefined> {
    if (!isStorableText(id)) return undefined;
    const row = await this.#db.selectFrom('clients').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toClient(row);
  }
}

function toRow(client: Client): ClientsTable {
  return {
    id: client.id,
    name: client.name,
    secret_hash: client.secretHash,
    redirect_uris: toJsonList(client.redirectUris),
    scopes: joinScopes(client.scopes),
    grant_types: toJsonList(client.grantTypes),
    token_endpoint_auth_method: client.tokenEndpointAuthMethod,
    pkce_required: toFlag(client.pkceRequired),
    owner_user_id: client.ownerUserId,
    post_logout_redirect_uris: toJsonList(client.postLogoutRedirectUris),
    id_token_signed_response_alg: client.idTokenSignedResponseAlg,
    created_at: client.createdAt,
  };
}

export function toClient(row: ClientsTable): Client {
  return {
    id: row.id,
    name: row.name,
    secretHash: row.secret_hash,
    redirectUris: fromJsonList(row.redirect_uris, 'clients.redirect_uris'),
    scopes: splitScopes(row.scopes),
    // Written only by toRow from the typed union, so the stored strings are members of it.
    grantTypes: fromJsonList(row.grant_types, 'clients.grant_types') as GrantType[],
    tokenEndpointAuthMethod: row.token_endpoint_auth_method as TokenEndpointAuthMethod,
    pkceRequired: fromFlag(row.pkce_required),
    ownerUserId: row.owner_user_id,
    postLogoutRedirectUris: fromJsonList(row.post_logout_redirect_uris, 'clients.post_logout_redirect_uris'),
    idTokenSignedResponseAlg: row.id_token_signed_response_alg === 'ES256' ? 'ES256' : 'RS256',
    createdAt: row.created_at,
  };
}
