// Calls to the Calendar API with the user's access token (RFC 6750 §2.1, through openid-client's
// protected resource request). When the API answers 401 `invalid_token` (the token expired or was
// revoked), Mine refreshes once and retries; when Latchkey refuses the refresh, the person is
// signed out of Mine with a message to sign in again.
import * as oidc from 'openid-client';
import { PageError, SessionEnded } from './errors.js';
import { refresh, type Latchkey } from './latchkey.js';
import type { HeldTokens, MineSession, SessionStore } from './store/session-store.js';

export interface ApiDeps {
  latchkey: Latchkey;
  store: SessionStore;
  apiUrl: string;
  now(): number;
}

export type ApiAnswer = { kind: 'ok'; status: number; body: unknown } | { kind: 'insufficient_scope'; description: string };

export async function callApi(deps: ApiDeps, session: MineSession, method: 'GET' | 'POST', path: string, json?: unknown): Promise<ApiAnswer> {
  if (session.tokens === null) throw new SessionEnded('Sign in with Latchkey to continue.');
  const first = await send(deps, session.tokens.accessToken, method, path, json);
  if (first.kind !== 'invalid_token') return first;

  const renewed = await refreshOrEnd(deps, session, session.tokens);
  const second = await send(deps, renewed.accessToken, method, path, json);
  if (second.kind === 'invalid_token') {
    throw new SessionEnded(`The Calendar API still refused Mine's new access token (${second.description}). Please sign in again.`);
  }
  return second;
}

async function refreshOrEnd(deps: ApiDeps, session: MineSession, held: HeldTokens): Promise<HeldTokens> {
  const refreshToken = held.refreshToken;
  if (refreshToken === null) {
    throw new SessionEnded('Your access token expired, and Mine holds no refresh token to get a new one. Please sign in again.');
  }
  let renewed: HeldTokens;
  try {
    renewed = await refresh(deps.latchkey, { ...held, refreshToken }, deps.now());
  } catch (error) {
    if (error instanceof oidc.ResponseBodyError) {
      throw new SessionEnded(`Latchkey no longer lets Mine act for you: it refused to renew Mine's access (${error.error}: ${error.error_description ?? 'no details'}). This happens when access was removed at Latchkey, or has expired. Please sign in again.`);
    }
    throw unreachable('Latchkey', error);
  }
  await deps.store.update(session.idHash, { tokens: renewed });
  session.tokens = renewed;
  return renewed;
}

type Sent = ApiAnswer | { kind: 'invalid_token'; description: string };

async function send(deps: ApiDeps, accessToken: string, method: string, path: string, json: unknown): Promise<Sent> {
  const headers = new Headers({ accept: 'application/json' });
  if (json !== undefined) headers.set('content-type', 'application/json');
  let response: Response;
  try {
    response = await oidc.fetchProtectedResource(deps.latchkey.config, accessToken, new URL(path, deps.apiUrl), method, json === undefined ? null : JSON.stringify(json), headers);
  } catch (error) {
    if (error instanceof oidc.WWWAuthenticateChallengeError) {
      const bearer = error.cause.find((c) => c.scheme === 'bearer');
      const code = bearer?.parameters.error;
      const description = bearer?.parameters.error_description ?? error.message;
      if (error.status === 401 && code === 'invalid_token') return { kind: 'invalid_token', description };
      if (error.status === 403 && code === 'insufficient_scope') return { kind: 'insufficient_scope', description };
      throw new PageError(502, 'The Calendar API refused the request', `It answered ${error.status}${code === undefined ? '' : ` ${code}`}: ${description}`);
    }
    throw unreachable('the Calendar API', error);
  }
  const text = await response.text();
  try {
    return { kind: 'ok', status: response.status, body: text === '' ? null : (JSON.parse(text) as unknown) };
  } catch {
    throw new PageError(502, 'The Calendar API answered oddly', `It answered ${response.status} with a body that is not JSON.`);
  }
}

function unreachable(what: string, error: unknown): PageError {
  const reason = error instanceof Error ? error.message : String(error);
  return new PageError(502, `Mine could not reach ${what}`, `The request failed (${reason}). Try again in a moment.`);
}
