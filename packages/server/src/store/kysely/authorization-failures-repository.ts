// Failed authorization requests per client, capped (repositories.ts AuthorizationFailureRepository).
import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { AuthorizationFailure, AuthorizationFailureRepository } from '../repositories.js';
import type { AuthorizationFailuresTable, Database } from './schema.js';

export class KyselyAuthorizationFailureRepository implements AuthorizationFailureRepository {
  readonly #db: Kysely<Database>;

  constructor(db: Kysely<Database>) {
    this.#db = db;
  }

  /**
   * Inserts, then trims the client's list to the newest `keep`. Two concurrent inserts may leave
   * one row too many for a moment; the next insert trims it.
   */
  async record(failure: AuthorizationFailure, keep: number): Promise<void> {
    await this.#db
      .insertInto('authorization_failures')
      .values({ id: sortableId(), client_id: failure.clientId, reason: failure.reason, created_at: failure.createdAt })
      .execute();
    const newest = await this.#recent(failure.clientId, keep + 100);
    const stale = newest.slice(keep).map((row) => row.id);
    if (stale.length > 0) await this.#db.deleteFrom('authorization_failures').where('id', 'in', stale).execute();
  }

  async listRecent(clientId: string, limit: number): Promise<AuthorizationFailure[]> {
    const rows = await this.#recent(clientId, limit);
    return rows.map((row) => ({ clientId: row.client_id, reason: row.reason, createdAt: Number(row.created_at) }));
  }

  #recent(clientId: string, limit: number): Promise<AuthorizationFailuresTable[]> {
    // Newest first; within one second the id (milliseconds first) keeps insertion order.
    return this.#db
      .selectFrom('authorization_failures')
      .selectAll()
      .where('client_id', '=', clientId)
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(limit)
      .execute();
  }
}

let sequence = 0;

/**
 * Milliseconds since the epoch, then a per-process sequence (several in one millisecond), both
 * fixed width, then randomness: sorts by insertion time. Only the display order depends on it.
 */
function sortableId(): string {
  sequence = (sequence + 1) % 36 ** 4;
  return `${Date.now().toString(36).padStart(10, '0')}${sequence.toString(36).padStart(4, '0')}${randomBytes(9).toString('base64url')}`;
}
