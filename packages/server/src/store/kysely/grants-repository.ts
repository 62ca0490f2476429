import type { Kysely } from 'kysely';
import type { Grant, GrantRepository } from '../repositories.js';
import { joinScopes, splitScopes } from './columns.js';
import type { Database, GrantsTable } from './schema.js';

/** Concurrent consents for one user and client are rare; more collisions than this is a bug. */
const MAX_ATTEMPTS = 10;

export class KyselyGrantRepository implements GrantRepository {
  readonly #db: Kysely<Database>;

  constructor(db: Kysely<Database>) {
    this.#db = db;
  }

  async find(userId: string, clientId: string): Promise<Grant | undefined> {
    const row = await this.#db
      .selectFrom('grants')
      .selectAll()
      .where('user_id', '=', userId)
      .where('client_id', '=', clientId)
      .executeTakeFirst();
    return row && toGrant(row);
  }

  /**
   * A compare-and-set loop rather than a read inside a transaction: each write succeeds only if
   * the row is still what was read (absent, or holding the same scopes), so a concurrent consent
   * is never overwritten, on any dialect and at any isolation level.
   */
  async addScopes(userId: string, clientId: string, scopes: readonly string[], now: number): Promise<Grant> {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const current = await this.find(userId, clientId);
      const grant: Grant = {
        userId,
        clientId,
        scopes: union(current?.scopes ?? [], scopes),
        createdAt: current?.createdAt ?? now,
        updatedAt: now,
      };
      if (await this.#write(current, grant)) return grant;
    }
    throw new Error(`grant for user ${userId} and client ${clientId} kept changing during ${MAX_ATTEMPTS} attempts`);
  }

  async remove(userId: string, clientId: string, now: number): Promise<boolean> {
    return this.#db.transaction().execute(async (trx) => {
      const deleted = await trx
        .deleteFrom('grants')
        .where('user_id', '=', userId)
        .where('client_id', '=', clientId)
        .executeTakeFirst();
      // Withdrawn consent must also end the refresh tokens issued under it, or the app would
      // keep the access the user just took back.
      await trx
        .updateTable('token_families')
        .set({ revoked_at: now })
        .where('user_id', '=', userId)
        .where('client_id', '=', clientId)
        .where('revoked_at', 'is', null)
        .execute();
      return deleted.numDeletedRows > 0n;
    });
  }

  async listByUser(userId: string): Promise<Grant[]> {
    const rows = await this.#db.selectFrom('grants').selectAll().where('user_id', '=', userId).orderBy('created_at', 'desc').execute();
    return rows.map(toGrant);
  }

  /** True when the row was still `current` and now holds `next`. */
  async #write(current: Grant | undefined, next: Grant): Promise<boolean> {
    if (current === undefined) {
      const inserted = await this.#db
        .insertInto('grants')
        .values(toRow(next))
        .onConflict((conflict) => conflict.columns(['user_id', 'client_id']).doNothing())
        .executeTakeFirst();
      return (inserted.numInsertedOrUpdatedRows ?? 0n) > 0n;
    }
    const updated = await this.#db
      .updateTable('grants')
      .set({ scopes: joinScopes(next.scopes), updated_at: next.updatedAt })
      .where('user_id', '=', next.userId)
      .where('client_id', '=', next.clientId)
      .where('scopes', '=', joinScopes(current.scopes))
      .executeTakeFirst();
    return updated.numUpdatedRows > 0n;
  }
}

/** The scopes of `a`, then those of `b` not in `a`, without duplicates. */
function union(a: readonly string[], b: readonly string[]): string[] {
  return [...new Set([...a, ...b])];
}

function toRow(grant: Grant): GrantsTable {
  return {
    user_id: grant.userId,
    client_id: grant.clientId,
    scopes: joinScopes(grant.scopes),
    created_at: grant.createdAt,
    updated_at: grant.updatedAt,
  };
}

function toGrant(row: GrantsTable): Grant {
  return {
    userId: row.user_id,
    clientId: row.client_id,
    scopes: splitScopes(row.scopes),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
