// Every protocol step Mine takes with Latchkey, each one a call into openid-client: discovery,
// PKCE + state + nonce, the code exchange (which checks `iss`, `state`, the ID token and its
// nonce), userinfo, refresh, revocation (RFC 7009) and RP-initiated logout. No OAuth message is
// built or parsed by hand here.
import * as oidc from 'openid-client';
import type { MineCredentials } from './config.js';
import type { HeldTokens, PendingAuthorization, SignedInUser } from './store/session-store.js';

/** Everything Mine asks for at sign-in; the user may uncheck any of them on the consent page. */
export const SIGN_IN_SCOPES = ['openid', 'profile', 'email', 'offline_access', 'calendar.read', 'calendar.write', 'drive.read'];

export interface Latchkey {
  config: oidc.Configuration;
  credentials: MineCredentials;
  /** Mine's home page, registered as its post-logout redirect URI. */
  homeUrl: string;
}

/** Reads Latchkey's metadata (OpenID Connect Discovery / RFC 8414) and sets up Mine as a confidential client. */
export async function discoverLatchkey(credentials: MineCredentials): Promise<Latchkey> {
  const issuer = new URL(credentials.issuer);
  // The demo issuer is http://localhost: openid-client refuses plain HTTP unless told otherwise.
  const execute = issuer.protocol === 'http:' ? [oidc.allowInsecureRequests] : [];
  const config = await oidc.discovery(issuer, credentials.client_id, credentials.client_secret, oidc.ClientSecretBasic(credentials.client_secret), { execute });
  return { config, credentials, homeUrl: new URL('/', credentials.redirect_uri).href };
}

/** A new authorization request: where to send the browser, and what the callback must check. */
export async function startAuthorization(latchkey: Latchkey, scopes: string[], returnTo: string): Promise<{ url: URL; pending: PendingAuthorization }> {
  const codeVerifier = oidc.randomPKCECodeVerifier();
  const pending: PendingAuthorization = { state: oidc.randomState(), nonce: oidc.randomNonce(), codeVerifier, scopes, returnTo };
  const url = oidc.buildAuthorizationUrl(latchkey.config, {
    redirect_uri: latchkey.credentials.redirect_uri,
    scope: scopes.join(' '),
    code_challenge: await oidc.calculatePKCECodeChallenge(codeVerifier),
    code_challenge_method: 'S256',
    state: pending.state,
    nonce: pending.nonce,
  });
  return { url, pending };
}

/** The callback: checks the response and exchanges the code (with Mine's secret and the PKCE verifier). */
export async function finishAuthorization(latchkey: Latchkey, query: string, pending: PendingAuthorization, now: number): Promise<{ user: SignedInUser; tokens: HeldTokens }> {
  const current = new URL(latchkey.credentials.redirect_uri);
  current.search = query;
  const response = await oidc.authorizationCodeGrant(latchkey.config, current, {
    pkceCodeVerifier: pending.codeVerifier,
    expectedState: pending.state,
    expectedNonce: pending.nonce,
    idTokenExpected: pending.scopes.includes('openid'),
  });
  const tokens = heldTokens(response, null, pending.scopes, now);
  const claims = response.claims();
  let user: SignedInUser = { sub: claims?.sub ?? '', name: null, email: null };
  if (claims !== undefined && tokens.scopes.some((s) => s === 'profile' || s === 'email')) {
    const info = await oidc.fetchUserInfo(latchkey.config, tokens.accessToken, claims.sub);
    user = { sub: claims.sub, name: typeof info.name === 'string' ? info.name : null, email: typeof info.email === 'string' ? info.email : null };
  }
  return { user, tokens };
}

/** RFC 6749 §6: a new access token (and, rotated, a new refresh token) for the one held. */
export async function refresh(latchkey: Latchkey, held: HeldTokens & { refreshToken: string }, now: number): Promise<HeldTokens> {
  const response = await oidc.refreshTokenGrant(latchkey.config, held.refreshToken);
  const next = heldTokens(response, held, held.scopes, now);
  return { ...next, obtainedAt: held.obtainedAt, refreshCount: held.refreshCount + 1, lastRefreshAt: now };
}

/** RFC 7009: a refresh token revokes its whole family at Latchkey; an access token is listed as revoked. */
export async function revoke(latchkey: Latchkey, token: string, hint: 'refresh_token' | 'access_token'): Promise<void> {
  await oidc.tokenRevocation(latchkey.config, token, { token_type_hint: hint });
}

/** OpenID Connect RP-Initiated Logout §2: Latchkey ends its session and sends the browser home. */
export function endSessionUrl(latchkey: Latchkey, idToken: string | null, state: string): URL {
  const parameters: Record<string, string> = { post_logout_redirect_uri: latchkey.homeUrl, state };
  if (idToken !== null) parameters.id_token_hint = idToken;
  else parameters.client_id = latchkey.credentials.client_id;
  return oidc.buildEndSessionUrl(latchkey.config, parameters);
}

export function randomState(): string {
  return oidc.randomState();
}

function heldTokens(response: oidc.TokenEndpointResponse & oidc.TokenEndpointResponseHelpers, previous: HeldTokens | null, asked: string[], now: number): HeldTokens {
  return {
    accessToken: response.access_token,
    accessExpiresAt: now + (response.expiresIn() ?? 0),
    // A refresh response may omit the refresh token when it was not rotated (RFC 6749 §6).
    refreshToken: response.refresh_token ?? previous?.refreshToken ?? null,
    // OIDC Core §12.2: a refresh may not return an ID token; the one from sign-in stays the hint.
    idToken: response.id_token ?? previous?.idToken ?? null,
    // RFC 6749 §5.1: when `scope` is absent, the scopes granted are the ones asked for.
    scopes: typeof response.scope === 'string' ? response.scope.split(' ').filter((s) => s !== '') : asked,
    obtainedAt: now,
    refreshCount: 0,
    lastRefreshAt: null,
  };
}
