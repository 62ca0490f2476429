// The registration answer, shaped like RFC 7591 §3.2.1.
import { describe, expect, it } from 'vitest';
import { toRegistrationResponse } from '../../src/admin/registration-response.js';
import type { Client } from '../../src/store/repositories.js';

const CLIENT: Client = {
  id: 'c1',
  name: 'Mine',
  secretHash: 'hash',
  redirectUris: ['https://mine.example/cb'],
  scopes: ['openid', 'calendar.read'],
  grantTypes: ['authorization_code', 'refresh_token'],
  tokenEndpointAuthMethod: 'client_secret_basic',
  pkceRequired: true,
  ownerUserId: null,
  postLogoutRedirectUris: [],
  idTokenSignedResponseAlg: 'RS256',
  createdAt: 1_700_000_000,
};

describe('toRegistrationResponse', () => {
  it('answers a confidential client with its secret, which does not expire', () => {
    expect(toRegistrationResponse(CLIENT, 's3cret')).toEqual({
      client_id: 'c1',
      client_secret: 's3cret',
      client_secret_expires_at: 0,
      client_id_issued_at: 1_700_000_000,
      client_name: 'Mine',
      redirect_uris: ['https://mine.example/cb'],
      scope: 'openid calendar.read',
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
      pkce_required: true,
      post_logout_redirect_uris: [],
      id_token_signed_response_alg: 'RS256',
    });
  });

  it('answers a public client without secret fields', () => {
    const answer = toRegistrationResponse({ ...CLIENT, secretHash: null, tokenEndpointAuthMethod: 'none' }, null);
    expect(answer).not.toHaveProperty('client_secret');
    expect(answer).not.toHaveProperty('client_secret_expires_at');
    expect(answer.token_endpoint_auth_method).toBe('none');
  });

  it('lists no response types for a client_credentials-only client', () => {
    const answer = toRegistrationResponse({ ...CLIENT, grantTypes: ['client_credentials'], redirectUris: [] }, 's');
    expect(answer).toMatchObject({ grant_types: ['client_credentials'], response_types: [], redirect_uris: [] });
  });

  it('never contains the stored hash', () => {
    expect(JSON.stringify(toRegistrationResponse(CLIENT, 's3cret'))).not.toContain('hash');
  });
});
