// The store's boundary: narrow repository interfaces per aggregate, speaking the domain.
// Handlers ask only for the repositories they use. Times are Unix seconds, passed in by the
// caller (`now`) so tests control the clock. Every secret (code, refresh token, session id,
// client secret) crosses this boundary only as its SHA-256 hash, never in plain text.

export type GrantType = 'authorization_code' | 'refresh_token' | 'client_credentials';
export type TokenEndpointAuthMethod = 'client_secret_basic' | 'client_secret_post' | 'none';

export interface User {
  id: string;
  username: string;
  /** PRECIS-style case-folded form used for lookups (SECURITY-CATALOG D-11). */
  usernameKey: string;
  name: string | null;
  email: string | null;
  passwordHash: string;
  createdAt: number;
}

export interface Client {
  id: string;
  name: string;
  /** SHA-256 of the secret (base64url); null for public clients. */
  secretHash: string | null;
  redirectUris: string[];
  /** Scopes the client may request. */
  scopes: string[];
  grantTypes: GrantType[];
  tokenEndpointAuthMethod: TokenEndpointAuthMethod;
  /** False only for a confidential client registered with an explicit PKCE opt-out (D-1). */
  pkceRequired: boolean;
  /** The user who registered it in the developer console; null for CLI registrations. */
  ownerUserId: string | null;
  /** Where RP-initiated logout may return (OpenID RP-Initiated Logout 1.0 §3), exact match. */
  postLogoutRedirectUris: string[];
  /** ID token signature algorithm (OIDC Dynamic Registration §2): RS256 unless registered for ES256. */
  idTokenSignedResponseAlg: 'RS256' | 'ES256';
  createdAt: number;
}

export interface Scope {
  name: string;
  description: string;
  /** The resource server an access token carrying this scope is meant for (RFC 9068 `aud`). */
  resource: string | null;
}

/** What a user allowed a client: the union of the scopes approved so far. */
export interface Grant {
  userId: string;
  clientId: string;
  scopes: string[];
  createdAt: number;
  updatedAt: number;
}

export interface Session {
  idHash: string;
  /** Null until the browser logs in: an anonymous session only carries the CSRF secret. */
  userId: string | null;
  csrfToken: string;
  authTime: number | null;
  createdAt: number;
  expiresAt: number;
}

/** A validated authorization request, kept server-side while the user logs in and consents. */
export interface PendingAuthorization {
  clientId: string;
  redirectUri: string;
  /** The redirect URI as the client sent it, or null when it was omitted (RFC 6749 §4.1.3). */
  redirectUriSent: boolean;
  scopes: string[];
  state: string | null;
  codeChallenge: string | null;
  codeChallengeMethod: 'S256' | null;
  nonce: string | null;
  prompt: string[];
  /** OIDC Core §3.1.2.1: the longest time since the user last logged in, in seconds. */
  maxAge: number | null;
  /** OIDC Core §3.1.2.1: who the client thinks is signing in; only pre-fills the login form. */
  loginHint?: string | null;
}

export interface Interaction {
  idHash: string;
  sessionIdHash: string;
  request: PendingAuthorization;
  createdAt: number;
  expiresAt: number;
  completedAt: number | null;
}

export interface AuthorizationCode {
  codeHash: string;
  clientId: string;
  userId: string;
  redirectUri: string;
  redirectUriSent: boolean;
  scopes: string[];
  codeChallenge: string | null;
  codeChallengeMethod: 'S256' | null;
  nonce: string | null;
  authTime: number | null;
  createdAt: number;
  expiresAt: number;
  consumedAt: number | null;
}

export type ConsumeCodeResult =
  | { outcome: 'consumed'; code: AuthorizationCode }
  | { outcome: 'reused'; code: AuthorizationCode }
  | { outcome: 'unknown' };

/** All refresh tokens descending from one authorization share a family; reuse revokes it. */
export interface TokenFamily {
  id: string;
  clientId: string;
  userId: string;
  scopes: string[];
  /** The code the family was issued from, so a replayed code can revoke it (RFC 6749 §4.1.2). */
  codeHash: string | null;
  createdAt: number;
  revokedAt: number | null;
}

/** Where a refresh token sits: its family's chain and its generation in it (tokens/refresh-token-format.ts). */
export interface ChainPosition {
  chain: string;
  generation: number;
}
/** A family's first refresh token: generation 0 of a new chain. */
export interface FirstRefreshToken {
  chain: string;
  tokenHash: string;
  issuedAt: number;
  expiresAt: number;
}
export interface RefreshToken {
  tokenHash: string;
  familyId: string;
  clientId: string;
  userId: string;
  scopes: string[];
  issuedAt: number;
  expiresAt: number;
  rotatedAt: number | null;
}

export type RotateResult =
  /** This call rotated the token: the successor given was stored and is now the current one. */
  | { outcome: 'rotated'; token: RefreshToken; family: TokenFamily }
  /** Rotated by an earlier call within the grace window: the caller answers with the same successor. */
  | { outcome: 'grace'; token: RefreshToken; family: TokenFamily }
  /** Rotated before the grace window: the whole family is now revoked (RFC 9700 §4.14.2). */
  | { outcome: 'reused'; familyId: string }
  | { outcome: 'invalid'; reason: 'unknown' | 'expired' | 'revoked' | 'wrong_client' }
  /** The requested scopes include these, which the token does not carry: nothing was rotated. */
  | { outcome: 'widened'; scopes: string[] };

export interface SigningKey {
  kid: string;
  alg: 'ES256' | 'RS256';
  privateJwk: string;
  publicJwk: string;
  createdAt: number;
  retiredAt: number | null;
}

export interface ThrottleRule {
  key: string;
  /** Failures allowed before delays start. */
  threshold: number;
}

export type ThrottleDecision = { allowed: true } | { allowed: false; retryAfter: number };

export interface UserRepository {
  /** Throws DuplicateError when the username key is taken. */
  create(user: User): Promise<void>;
  findByUsernameKey(usernameKey: string): Promise<User | undefined>;
  findById(id: string): Promise<User | undefined>;
}

export interface ClientRepository {
  /** Throws DuplicateError when the client id is taken. */
  create(client: Client): Promise<void>;
  findById(id: string): Promise<Client | undefined>;
}

export interface ScopeRepository {
  /** Throws DuplicateError when the name is taken. */
  create(scope: Scope): Promise<void>;
  list(): Promise<Scope[]>;
  /** The scopes among `names` that exist, in no particular order. */
  findMany(names: readonly string[]): Promise<Scope[]>;
}

export interface GrantRepository {
  find(userId: string, clientId: string): Promise<Grant | undefined>;
  /** Adds to (or creates) the grant; scopes granted earlier stay granted. Atomic upsert. */
  addScopes(userId: string, clientId: string, scopes: readonly string[], now: number): Promise<Grant>;
  /** Deletes the grant and revokes every refresh-token family of the pair, in one transaction. */
  remove(userId: string, clientId: string, now: number): Promise<boolean>;
  /** Every grant the user gave, newest first (the "Connected apps" page). */
  listByUser(userId: string): Promise<Grant[]>;
}

export interface SessionRepository {
  create(session: Session): Promise<void>;
  /** The session if it exists and has not expired. */
  find(idHash: string, now: number): Promise<Session | undefined>;
  delete(idHash: string): Promise<void>;
  /** The user's sessions that have not expired, newest first. */
  listByUser(userId: string, now: number): Promise<Session[]>;
  /** Deletes every session of the user except `keepIdHash` ("Sign out everywhere else"); the count deleted. */
  deleteOthers(userId: string, keepIdHash: string): Promise<number>;
}

export interface InteractionRepository {
  create(interaction: Interaction): Promise<void>;
  /** The interaction if it exists, has not expired and has not completed. */
  find(idHash: string, now: number): Promise<Interaction | undefined>;
  /** Moves the interaction to the session created at login (the session id changes at login). */
  rebind(idHash: string, sessionIdHash: string): Promise<void>;
  /** Marks it completed; true for exactly one caller (atomic `UPDATE ... WHERE completed_at IS NULL`). */
  complete(idHash: string, now: number): Promise<boolean>;
}

export interface CodeRepository {
  create(code: AuthorizationCode): Promise<void>;
  /**
   * Marks the code consumed in one atomic statement; 'consumed' for exactly one caller, whatever
   * the concurrency. A consumed code is 'reused' afterwards. Expiry is the caller's check.
   */
  consume(codeHash: string, now: number): Promise<ConsumeCodeResult>;
  /** Whether a code on record (codes are kept a day after expiry) was issued to this client with this PKCE challenge. */
  challengeUsed(clientId: string, codeChallenge: string): Promise<boolean>;
}

/** What a write decided, told once it is written: `durable` settles when it is on disk (it rejects if that flush failed). */
export interface Written<T> {
  result: T;
  durable: Promise<void>;
}

export interface RefreshTokenRepository {
  /**
   * Stores a new family and its first token (none for a client without refresh tokens), in one
   * transaction. A `RefreshToken` is stored as tokens were before chains (a refresh_tokens row),
   * which is how tokens issued before migration 003 are kept; the tests use it to cover them.
   */
  createFamily(family: TokenFamily, token: FirstRefreshToken | RefreshToken | null): Promise<void>;
  /**
   * Rotates `tokenHash` to `successor` atomically: exactly one caller gets 'rotated'. A token
   * rotated at most `graceSeconds` ago by the same client gives 'grace' (the caller recomputes
   * the same successor); older reuse revokes the family and gives 'reused'.
   * 'grace' answers the stored successor named by `successor.tokenHash`; should that not be the
   * family's current token, the repeat is treated as reuse (fail closed). A string that names a
   * chain but is neither its current token nor the one before it within the window is reuse too:
   * only a holder of one of the chain's tokens knows the chain.
   */
  rotate(input: {
    tokenHash: string;
    /** The position the token names; absent for a token from before chains, found by its hash. */
    at?: ChainPosition;
    clientId: string;
    now: number;
    graceSeconds: number;
    /** The successor's hash and idle expiry, and its chain (a token from before chains starts one, at generation 1). */
    successor: { tokenHash: string; expiresAt: number; chain: string };
    /** D-7: the successor expires no later than this many seconds after the family began. */
    familyLifetime?: number;
    /** The scopes asked for (RFC 6749 §6 may narrow them); absent or null keeps the token's own. */
    scopes?: readonly string[] | null;
  }): Promise<RotateResult>;
  /**
   * `rotate`, answered once the rotation is written but possibly before it is on disk: `durable`
   * settles when it is, and rejects if the flush failed. The caller may prepare its answer
   * meanwhile (the refresh grant signs the access token during the flush, issue 9), but must not
   * hand the successor to anyone before `durable` resolves.
   */
  rotateWritten(input: Parameters<RefreshTokenRepository['rotate']>[0]): Promise<Written<RotateResult>>;
  /**
   * The token with this hash, at this position when it names one. A string naming a chain that is
   * not the chain's current token comes back as a rotated token of that family (D-3: revoking it
   * revokes the family; introspection calls it inactive).
   */
  find(tokenHash: string, at?: ChainPosition): Promise<RefreshToken | undefined>;
  /** The same token with its family, in one read (introspection asks whether the family was revoked). */
  findWithFamily(tokenHash: string, at?: ChainPosition): Promise<{ token: RefreshToken; family: TokenFamily } | undefined>;
  findFamily(familyId: string): Promise<TokenFamily | undefined>;
  revokeFamily(familyId: string, now: number): Promise<void>;
  /** Revokes the families issued from a code (a replayed code, RFC 6749 §4.1.2). */
  revokeByCode(codeHash: string, now: number): Promise<void>;
}

export interface SigningKeyRepository {
  /** Keys not retired, oldest first. */
  listActive(): Promise<SigningKey[]>;
  insert(key: SigningKey): Promise<void>;
  /** Stops publishing these keys (and signing with them). */
  retire(kids: readonly string[], now: number): Promise<void>;
}

export interface ThrottleRepository {
  /**
   * Counts one attempt against every rule, atomically, before the credential is checked (so a
   * burst cannot slip past the limit). Refused attempts are not counted. Failures are forgotten
   * after an hour without attempts.
   */
  attempt(rules: readonly ThrottleRule[], now: number): Promise<ThrottleDecision>;
  /** A successful login forgets the failures counted for these keys. */
  reset(keys: readonly string[]): Promise<void>;
  /**
   * Takes back the attempt counted for a success on a shared key (a client address), without
   * forgetting that key's other failures, and lifts a block this success alone caused.
   */
  forgive(rules: readonly ThrottleRule[]): Promise<void>;
  /** Seconds until every key is free again; 0 when none is blocked. Reads only: for hot paths that count failures alone. */
  retryAfter(keys: readonly string[], now: number): Promise<number>;
}

/** Revoked access tokens (RFC 7009 §2), by `jti`, kept until they would have expired anyway. */
export interface RevocationRepository {
  revokeAccessToken(jti: string, expiresAt: number): Promise<void>;
  isAccessTokenRevoked(jti: string, now: number): Promise<boolean>;
  /**
   * For a user's access token: whether it is on the revocation list, or its grant (token family)
   * is unknown or revoked, in one query (one round trip on PostgreSQL).
   */
  isAccessTokenOrGrantRevoked(jti: string, grantId: string, now: number): Promise<boolean>;
}

/**
 * The developer console's changes to registered clients. Client lookups are never cached, so a
 * change is seen by the next request to any server process.
 */
export interface ClientAdminRepository {
  /** The clients registered by this user, oldest first. */
  listByOwner(ownerUserId: string): Promise<Client[]>;
  /** Replaces the registered redirect URIs; false when the client does not exist. */
  setRedirectUris(clientId: string, redirectUris: readonly string[]): Promise<boolean>;
  /** Replaces the secret hash: the old secret stops working at once. False when no such client. */
  setSecretHash(clientId: string, secretHash: string): Promise<boolean>;
  /** Deletes the client; its grants, codes, token families and refresh tokens go with it (cascade). */
  delete(clientId: string): Promise<boolean>;
}

/** An authorization request for a known client that failed, kept so its developer can see why. */
export interface AuthorizationFailure {
  clientId: string;
  reason: string;
  createdAt: number;
}

export interface AuthorizationFailureRepository {
  /** Records a failure and keeps only the newest `keep` of the client's failures. */
  record(failure: AuthorizationFailure, keep: number): Promise<void>;
  /** The client's failures, newest first. */
  listRecent(clientId: string, limit: number): Promise<AuthorizationFailure[]>;
}

export interface SecretRepository {
  /** A server-wide random value shared by every process; created once, race-safe. */
  getOrCreate(name: string, create: () => string): Promise<string>;
}

export interface Store {
  users: UserRepository;
  clients: ClientRepository;
  scopes: ScopeRepository;
  grants: GrantRepository;
  sessions: SessionRepository;
  interactions: InteractionRepository;
  codes: CodeRepository;
  refreshTokens: RefreshTokenRepository;
  signingKeys: SigningKeyRepository;
  throttle: ThrottleRepository;
  secrets: SecretRepository;
  revocations: RevocationRepository;
  clientAdmin: ClientAdminRepository;
  authorizationFailures: AuthorizationFailureRepository;
  /** Resolves when the database answers a trivial query. */
  ping(): Promise<void>;
  /** Deletes expired rows; safe to run from many processes at once. Returns how many went. */
  sweep(now: number): Promise<number>;
  close(): Promise<void>;
}

/** A unique constraint was violated (a username or scope name already taken). */
export class DuplicateError extends Error {
  override readonly name = 'DuplicateError';
}
