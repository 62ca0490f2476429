// The registration result, shaped like an RFC 7591 §3.2.1 client information response.
import type { Client } from '../store/repositories.js';

export function toRegistrationResponse(client: Client, clientSecret: string | null): Record<string, unknown> {
  return {
    client_id: client.id,
    ...(clientSecret === null ? {} : { client_secret: clientSecret, client_secret_expires_at: 0 }),
    client_id_issued_at: client.createdAt,
    client_name: client.name,
    redirect_uris: client.redirectUris,
    post_logout_redirect_uris: client.postLogoutRedirectUris,
    id_token_signed_response_alg: client.idTokenSignedResponseAlg,
    scope: client.scopes.join(' '),
    grant_types: client.grantTypes,
    response_types: client.grantTypes.includes('authorization_code') ? ['code'] : [],
    token_endpoint_auth_method: client.tokenEndpointAuthMethod,
    pkce_required: client.pkceRequired,
  };
}
