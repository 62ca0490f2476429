import type { Kysely } from 'kysely';
import type { Interaction, InteractionRepository, PendingAuthorization } from '../repositories.js';
import type { Database, InteractionsTable } from './schema.js';

export class KyselyInteractionRepository implements InteractionRepository {
  readonly #db: Kysely<Database>;

  constructor(db: Kysely<Database>) {
    this.#db = db;
  }

  async create(interaction: Interaction): Promise<void> {
    await this.#db.insertInto('interactions').values(toRow(interaction)).execute();
  }

  async find(idHash: string, now: number): Promise<Interaction | undefined> {
    const row = await this.#db
      .selectFrom('interactions')
      .selectAll()
      .where('id_hash', '=', idHash)
      .where('expires_at', '>', now)
      .where('completed_at', 'is', null)
      .executeTakeFirst();
    return row && toInteraction(row);
  }

  async rebind(idHash: string, sessionIdHash: string): Promise<void> {
    await this.#db.updateTable('interactions').set({ session_id_hash: sessionIdHash }).where('id_hash', '=', idHash).execute();
  }

  /** One conditional UPDATE: the database, not this process, decides who completed it first. */
  async complete(idHash: string, now: number): Promise<boolean> {
    const result = await this.#db
      .updateTable('interactions')
      .set({ completed_at: now })
      .where('id_hash', '=', idHash)
      .where('completed_at', 'is', null)
      .executeTakeFirst();
    return result.numUpdatedRows === 1n;
  }
}

function toRow(interaction: Interaction): InteractionsTable {
  return {
    id_hash: interaction.idHash,
    session_id_hash: interaction.sessionIdHash,
    request: JSON.stringify(interaction.request),
    created_at: interaction.createdAt,
    expires_at: interaction.expiresAt,
    completed_at: interaction.completedAt,
  };
}

function toInteraction(row: InteractionsTable): Interaction {
  return {
    idHash: row.id_hash,
    sessionIdHash: row.session_id_hash,
    // Written only by toRow from a validated PendingAuthorization.
    request: JSON.parse(row.request) as PendingAuthorization,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    completedAt: row.completed_at,
  };
}
