// @latchkey/resource: verify Latchkey access tokens at any Node API. The core is framework-free;
// `@latchkey/resource/fastify` and `@latchkey/resource/express` are thin adapters over it.
export { createVerifier, type AccessTokenClaims, type BearerAuth, type RequireOptions, type Verifier, type VerifierOptions } from './verifier.js';
export { bearerAnswer, type BearerAnswer } from './challenge.js';
export { locateToken, type BearerRequest, type TokenMethod } from './token-location.js';
export { redactAccessToken } from './redact.js';
export type { FetchLike } from './discovery.js';
export type { IntrospectionOptions } from './introspection.js';
export {
  BearerError,
  InsufficientScopeError,
  InvalidRequestError,
  InvalidTokenError,
  IssuerUnavailableError,
  MissingTokenError,
  type BearerErrorCode,
} from './errors.js';
