// Authorization server metadata (RFC 8414 §2) and OpenID Provider metadata (OpenID Connect
// Discovery 1.0 §3), built from the same route table and grant map that serve the requests, so
// it cannot drift from what exists. One document, served at both well-known paths.
import type { ServerContext } from '../context.js';
import { endpointUrl } from '../routes.js';
import { GRANTS } from './token.js';

export async function metadata(ctx: ServerContext): Promise<Record<string, unknown>> {
  const issuer = ctx.config.issuer;
  const scopes = await ctx.store.scopes.list();
  return {
    issuer,
    authorization_endpoint: endpointUrl(issuer, 'authorization'),
    token_endpoint: endpointUrl(issuer, 'token'),
    jwks_uri: endpointUrl(issuer, 'jwks'),
    userinfo_endpoint: endpointUrl(issuer, 'userinfo'),
    revocation_endpoint: endpointUrl(issuer, 'revocation'),
    introspection_endpoint: endpointUrl(issuer, 'introspection'),
    end_session_endpoint: endpointUrl(issuer, 'logout'),
    scopes_supported: scopes.map((s) => s.name).sort(),
    response_types_supported: ['code'],
    response_modes_supported: ['query'],
    grant_types_supported: [...GRANTS.keys()],
    token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'none'],
    revocation_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'none'],
    // RFC 7662 §2.1: only confidential clients (resource servers) may introspect.
    introspection_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
    // RFC 9700 §2.1.1: S256 only; plain is never accepted.
    code_challenge_methods_supported: ['S256'],
    // RFC 9207 §3: every authorization response carries `iss`.
    authorization_response_iss_parameter_supported: true,
    prompt_values_supported: ['none', 'login', 'consent', 'select_account'],
    // RFC 9068: access tokens are ES256-signed JWTs.
    access_token_signing_alg_values_supported: ['ES256'],
    // OpenID Connect Discovery §3.
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: ['RS256', 'ES256'],
    claims_supported: ['sub', 'iss', 'aud', 'exp', 'iat', 'auth_time', 'nonce', 'at_hash', 'name', 'preferred_username', 'email', 'email_verified'],
    claims_parameter_supported: false,
    request_parameter_supported: false,
    request_uri_parameter_supported: false,
  };
}
