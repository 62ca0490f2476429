// The contract every grant type implements: the token endpoint authenticates the client and
// dispatches on grant_type; a grant only turns parameters into tokens (RFC 6749 §4, §6).
import type { ServerContext } from '../../context.js';
import type { Params } from '../../http/params.js';
import type { Client, GrantType } from '../../store/repositories.js';

/** RFC 6749 §5.1. */
export interface TokenResponse {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  refresh_token?: string;
  /** OpenID Connect Core §3.1.3.3, when `openid` was granted. */
  id_token?: string;
  scope: string;
}

export interface GrantHandler {
  readonly grantType: GrantType;
  handle(ctx: ServerContext, client: Client, params: Params): Promise<TokenResponse>;
}
