// The authorization endpoint: RFC 6749 §3.1, §4.1.1, §4.1.2.1; RFC 7636 §4.3; RFC 9207;
// RFC 9700 §2.1. Parse, validate the client and redirect URI (errors: a page, never a redirect),
// validate the rest (errors: a redirect to the trusted URI), then hand over to the interaction.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ServerContext } from '../context.js';
import { OAuthError, PageError } from '../errors.js';
import { Params } from '../http/params.js';
import { proceed } from '../interaction/flow.js';
import { loadSession } from '../interaction/session.js';
import type { Client, PendingAuthorization } from '../store/repositories.js';
import { redirectWithError } from './authorization-response.js';
import { recordAuthorizationFailure } from './authorization-failures.js';
import { parseChallenge } from './pkce.js';
import { matchRedirectUri } from './redirect-uri.js';
import { parseScopeParameter, resolveScopes } from './scope.js';

const PROMPTS = new Set(['none', 'login', 'consent', 'select_account']);

export async function authorize(ctx: ServerContext, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  reply.header('cache-control', 'no-store');
  // RFC 6749 §3.1: GET must be supported, POST may be (form-encoded only).
  const params = Params.from(request.method === 'POST' ? request.body : request.query);
  const { client, redirectUri, redirectUriSent } = await checkClientAndRedirectUri(ctx, request, params);

  // From here the redirect URI is trusted: errors go back to the client (RFC 6749 §4.1.2.1).
  // A duplicated state is ambiguous, so it is not echoed (SEC-64 d).
  const state = readState(params);
  try {
    const pending = await validateRequest(ctx, params, client, { redirectUri, redirectUriSent, state });
    return await proceed(ctx, request, reply, client, pending);
  } catch (error) {
    if (error instanceof OAuthError) {
      await recordAuthorizationFailure(ctx, request, client.id, `${error.code}: ${error.description}`);
      // D-9, RFC 9700 §4.11.2: any signed-in user may register an app in the developer console
      // with a redirect URI of their choosing, so for such an app an error is redirected only
      // to a visitor who is signed in; anyone else gets the page, and no free redirect.
      if (client.ownerUserId !== null && !(await signedIn(ctx, request))) {
        throw new PageError(400, 'Invalid request', `${client.name} sent an authorization request that cannot be served (${error.code}): ${error.description}.`);
      }
      return redirectWithError(ctx, reply, { redirectUri, state }, error);
    }
    throw error;
  }
}

async function signedIn(ctx: ServerContext, request: FastifyRequest): Promise<boolean> {
  const session = await loadSession(ctx, request);
  return session !== undefined && session.userId !== null;
}

/** The state to echo, or null when it cannot be echoed safely (absent, duplicated or oversized). */
function readState(params: Params): string | null {
  if (params.duplicates.has('state')) return null;
  try {
    return params.get('state') ?? null;
  } catch {
    return null;
  }
}

/** RFC 6749 §4.1.2.1: without a known client and an exactly registered redirect URI, no redirect. */
async function checkClientAndRedirectUri(ctx: ServerContext, request: FastifyRequest, params: Params): Promise<{ client: Client; redirectUri: string; redirectUriSent: boolean }> {
  const invalid = (detail: string): PageError => new PageError(400, 'Invalid request', detail);
  if (params.duplicates.has('client_id')) throw invalid('The client_id parameter was sent more than once.');
  if (params.duplicates.has('redirect_uri')) throw invalid('The redirect_uri parameter was sent more than once.');
  const clientId = params.get('client_id');
  if (clientId === undefined) throw invalid('The request has no client_id: the app that sent you here did not say who it is.');
  const client = await ctx.store.clients.findById(clientId);
  if (client === undefined) throw invalid(`Unknown client: no app with client_id ${JSON.stringify(clientId.slice(0, 100))} is registered.`);
  const failed = async (reason: string): Promise<void> => recordAuthorizationFailure(ctx, request, client.id, reason);
  if (!client.grantTypes.includes('authorization_code')) {
    await failed('the client is not registered for the authorization_code grant');
    throw invalid(`The app ${client.name} is not registered for the authorization code flow.`);
  }

  const sent = params.get('redirect_uri');
  if (sent === undefined) {
    // RFC 6749 §3.1.2.3: may be omitted only when exactly one URI is registered; OpenID Connect
    // always requires it (SEC-04 policy).
    const scope = params.has('scope') && !params.duplicates.has('scope') ? (params.get('scope') ?? '') : '';
    const only = client.redirectUris[0];
    if (client.redirectUris.length === 1 && only !== undefined && !scope.split(' ').includes('openid')) {
      return { client, redirectUri: only, redirectUriSent: false };
    }
    await failed(`redirect_uri is missing; registered: ${client.redirectUris.join(', ')}`);
    throw invalid(`The request has no redirect_uri. Registered for ${client.name}: ${client.redirectUris.join(', ')}.`);
  }
  if (!matchRedirectUri(client, sent)) {
    await failed(`redirect_uri ${sent.slice(0, 300)} is not registered; registered: ${client.redirectUris.join(', ')}`);
    throw invalid(
      `The redirect_uri ${JSON.stringify(sent.slice(0, 300))} is not registered for ${client.name}. ` +
        `Registered: ${client.redirectUris.join(', ')}. Redirect URIs must match exactly, character for character.`,
    );
  }
  return { client, redirectUri: sent, redirectUriSent: true };
}

async function validateRequest(
  ctx: ServerContext,
  params: Params,
  client: Client,
  target: { redirectUri: string; redirectUriSent: boolean; state: string | null },
): Promise<PendingAuthorization> {
  for (const name of params.duplicates) {
    throw new OAuthError('invalid_request', `the '${name}' parameter must not be provided more than once`);
  }
  // An oversized state is refused, never dropped or truncated (SEC-67 a): get() throws.
  params.get('state');
  const responseType = params.get('response_type');
  if (responseType === undefined) throw new OAuthError('invalid_request', "the 'response_type' parameter is required; use response_type=code");
  // RFC 9700 §2.1.2: no implicit or other front-channel token responses.
  if (responseType !== 'code') throw new OAuthError('unsupported_response_type', `response_type ${responseType} is not supported; use response_type=code`);

  const scopeParam = params.get('scope');
  if (scopeParam === undefined) {
    throw new OAuthError('invalid_scope', `the 'scope' parameter is required; this client may request: ${client.scopes.join(' ')}`);
  }
  const scopes = await resolveScopes(parseScopeParameter(scopeParam), client, ctx.store.scopes);
  if (scopes.length === 0) throw new OAuthError('invalid_scope', 'no scope was requested');

  const pkce = parseChallenge(params.get('code_challenge'), params.get('code_challenge_method'), client.pkceRequired);

  const prompt = (params.get('prompt') ?? '').split(' ').filter((p) => p !== '');
  const unknownPrompt = prompt.find((p) => !PROMPTS.has(p));
  if (unknownPrompt !== undefined) throw new OAuthError('invalid_request', `prompt value ${unknownPrompt} is not supported (use none, login, consent or select_account)`);
  if (prompt.includes('none') && prompt.length > 1) throw new OAuthError('invalid_request', 'prompt=none cannot be combined with other prompt values');
  const maxAge = params.get('max_age');
  if (maxAge !== undefined && !/^\d{1,9}$/.test(maxAge)) throw new OAuthError('invalid_request', 'max_age must be a non-negative whole number of seconds');
  // OIDC Core §3.1.2.1: the nonce is echoed exactly in the ID token, so it is stored with the
  // code; PostgreSQL text cannot hold U+0000, so such a nonce is refused here, on every database.
  const nonce = params.get('nonce');
  if (nonce?.includes('\u0000') === true) throw new OAuthError('invalid_request', "the 'nonce' parameter must not contain the character U+0000");

  return {
    clientId: client.id,
    redirectUri: target.redirectUri,
    redirectUriSent: target.redirectUriSent,
    scopes: scopes.map((s) => s.name),
    state: target.state,
    codeChallenge: pkce.codeChallenge,
    codeChallengeMethod: pkce.codeChallengeMethod,
    nonce: nonce ?? null,
    prompt,
    maxAge: maxAge === undefined ? null : Number(maxAge),
    loginHint: params.get('login_hint')?.slice(0, 200) ?? null,
  };
}
