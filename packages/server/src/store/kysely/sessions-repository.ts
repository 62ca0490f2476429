import type { Kysely } from 'kysely';
import type { Session, SessionRepository } from '../repositories.js';
import type { Database, SessionsTable } from './schema.js';

export class KyselySessionRepository implements SessionRepository {
  readonly #db: Kysely<Database>;

  constructor(db: Kysely<Database>) {
    this.#db = db;
  }

  async create(session: Session): Promise<void> {
    await this.#db.insertInto('sessions').values(toRow(session)).execute();
  }

  async find(idHash: string, now: number): Promise<Session | undefined> {
    const row = await this.#db
      .selectFrom('sessions')
      .selectAll()
      .where('id_hash', '=', idHash)
      .where('expires_at', '>', now)
      .executeTakeFirst();
    return row && toSession(row);
  }

  async delete(idHash: string): Promise<void> {
    await this.#db.deleteFrom('sessions').where('id_hash', '=', idHash).execute();
  }

  async listByUser(userId: string, now: number): Promise<Session[]> {
    const rows = await this.#db
      .selectFrom('sessions')
      .selectAll()
      .where('user_id', '=', userId)
      .where('expires_at', '>', now)
      .orderBy('created_at', 'desc')
      .execute();
    return rows.map(toSession);
  }

  async deleteOthers(userId: string, keepIdHash: string): Promise<number> {
    const result = await this.#db.deleteFrom('sessions').where('user_id', '=', userId).where('id_hash', '!=', keepIdHash).executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}

function toRow(session: Session): SessionsTable {
  return {
    id_hash: session.idHash,
    user_id: session.userId,
    csrf_token: session.csrfToken,
    auth_time: session.authTime,
    created_at: session.createdAt,
    expires_at: session.expiresAt,
  };
}

function toSession(row: SessionsTable): Session {
  return {
    idHash: row.id_hash,
    userId: row.user_id,
    csrfToken: row.csrf_token,
    authTime: row.auth_time,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
  };
}
