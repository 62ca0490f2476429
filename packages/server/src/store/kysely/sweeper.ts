// Deletes what can no longer be used: expired sessions, interactions, codes, refresh tokens,
// revocation-list entries, and revoked or emptied token families. Every statement is an
// idempotent DELETE on expiry, so any number of processes may run it at the same time.
import type { Kysely } from 'kysely';
import type { Database } from './schema.js';

/** Codes and interactions are kept a while after expiry, so a late replay is still recognised as one. */
const KEEP_USED_ARTIFACTS = 24 * 60 * 60;

export async function sweepExpired(db: Kysely<Database>, now: number): Promise<number> {
  const deleted = await Promise.all([
    db.deleteFrom('sessions').where('expires_at', '<=', now).executeTakeFirst(),
    db.deleteFrom('interactions').where('expires_at', '<=', now - KEEP_USED_ARTIFACTS).executeTakeFirst(),
    db.deleteFrom('access_token_revocations').where('expires_at', '<=', now).executeTakeFirst(),
    db.deleteFrom('refresh_tokens').where('expires_at', '<=', now).executeTakeFirst(),
  ]);
  // A code's family keeps its code_hash for replay detection, so codes go only after a day.
  const codes = await db.deleteFrom('authorization_codes').where('expires_at', '<=', now - KEEP_USED_ARTIFACTS).executeTakeFirst();
  return [...deleted, codes].reduce((sum, result) => sum + Number(result.numDeletedRows), 0);
}
